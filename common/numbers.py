"""Numbers read from a URL or a form, parsed one way: ASCII digits only, within a range, fast on any input."""

import re

_INTEGER = re.compile(r"-?[0-9]{1,9}")

YEAR_RANGE = (2000, 2100)


def int_param(text, *, low, high):
    """The integer `text` says if it is plain ASCII digits within [low, high]; otherwise None.

    '²', '1e9', ' 3', '-1e999999' and 40-digit strings are all None, in constant time.
    """
    if text is None:
        return None
    text = str(text)
    if len(text) > 10 or not _INTEGER.fullmatch(text):
        return None
    value = int(text)
    return value if low <= value <= high else None


def year_param(text):
    return int_param(text, low=YEAR_RANGE[0], high=YEAR_RANGE[1])
