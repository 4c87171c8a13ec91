from django import template

from maturity.levels import Level

register = template.Library()


@register.filter
def level_name(value):
    """'Mature' for 3; '' for anything that is not a level."""
    try:
        return Level(int(value)).label
    except (TypeError, ValueError):
        return ""
