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


@register.filter
def source_note(entry, text_field):
    """A quiet note on where one framework text comes from: 'Wording from the 2018 toolkit',
    'NPS 2022 wording, as quoted in … §3.5.1'. A source may open with a short note ended by
    ':' (docs/framework-format.md); the note is that part. '' when the text has no source of its own."""
    source = public_source(entry.own_source(text_field))
    return source.split(":", 1)[0] if ":" in source else source


@register.filter
def lower_first(text):
    """'wording from the 2018 toolkit' after 'Levels: '; leaves an acronym such as 'NPS 2022 …' alone."""
    text = str(text or "")
    return text[:1].lower() + text[1:] if text[1:2].islower() else text
