import re

from django import template

from maturity import rules
from maturity.levels import Level

register = template.Library()


@register.filter
def level_name(value):
    """'Mature' for 3; '' for anything that is not a level."""
    try:
        return Level(int(value)).label
    except (TypeError, ValueError):
        return ""


@register.simple_tag
def split_level(level, working_towards=False):
    """'2/3' for level 2 working towards 3, '3' for 3: rules.format_level, the one way a split score is written."""
    return rules.format_level(level, working_towards, unscored="")


@register.filter
def public_source(text):
    """Where a text comes from, as readers need it: the document, without our internal reference to the seed file."""
    return re.sub(r"\s*\(seed \d{3}\)", "", text or "")
