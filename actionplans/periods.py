"""Reporting periods on the UK local-government financial year (1 April – 31 March).

A period is stored as the date it starts; users type and read labels:
annual "2024/25", six-monthly "2024/25 H1", quarterly "2024/25 Q3", monthly "2024-05".
"""

import re
from datetime import date


class Frequency:
    ANNUAL = "annual"
    SIX_MONTHLY = "six_monthly"
    QUARTERLY = "quarterly"
    MONTHLY = "monthly"

    choices = [(ANNUAL, "Annual"), (SIX_MONTHLY, "6-monthly"), (QUARTERLY, "Quarterly"), (MONTHLY, "Monthly")]


EXAMPLES = {
    Frequency.ANNUAL: "2024/25",
    Frequency.SIX_MONTHLY: "2024/25 H1",
    Frequency.QUARTERLY: "2024/25 Q3",
    Frequency.MONTHLY: "2024-05",
}

_YEAR = r"(?P<start>\d{2}|\d{4})\s*[/-]\s*(?P<end>\d{2}|\d{4})"
_PATTERNS = {
    Frequency.ANNUAL: re.compile(rf"^{_YEAR}$"),
    Frequency.SIX_MONTHLY: re.compile(rf"^{_YEAR}\s+H(?P<part>[12])$", re.IGNORECASE),
    Frequency.QUARTERLY: re.compile(rf"^{_YEAR}\s+Q(?P<part>[1-4])$", re.IGNORECASE),
    Frequency.MONTHLY: re.compile(r"^(?P<year>\d{4})-(?P<month>\d{1,2})$"),
}
_FIRST_MONTHS = {
    Frequency.ANNUAL: (4,),
    Frequency.SIX_MONTHLY: (4, 10),
    Frequency.QUARTERLY: (4, 7, 10, 1),
    Frequency.MONTHLY: tuple(range(1, 13)),
}


class PeriodError(ValueError):
    pass


def _full_year(text):
    value = int(text)
    return value + 2000 if value < 100 else value


def parse_period(frequency, text):
    """The start date of the period labelled `text`; PeriodError if it is not on this frequency's grid."""
    text = (text or "").strip()
    match = _PATTERNS[frequency].match(text)
    if not match:
        raise PeriodError(f"'{text}' is not a period of this measure's frequency; write it like {EXAMPLES[frequency]}.")
    if frequency == Frequency.MONTHLY:
        month = int(match["month"])
        if not 1 <= month <= 12:
            raise PeriodError(f"'{text}' has no month {month}.")
        return date(int(match["year"]), month, 1)
    start, end = _full_year(match["start"]), _full_year(match["end"])
    if end != start + 1 and end % 100 != (start + 1) % 100:
        raise PeriodError(f"'{text}' is not a financial year: the second year must follow the first, like {EXAMPLES[frequency]}.")
    if frequency == Frequency.ANNUAL:
        return date(start, 4, 1)
    month = _FIRST_MONTHS[frequency][int(match["part"]) - 1]
    return date(start + 1 if month < 4 else start, month, 1)


def period_label(frequency, start):
    if frequency == Frequency.MONTHLY:
        return f"{start:%Y-%m}"
    fy = start.year if start.month >= 4 else start.year - 1
    label = f"{fy}/{(fy + 1) % 100:02d}"
    if frequency == Frequency.SIX_MONTHLY:
        return f"{label} H{1 if start.month < 10 and start.month >= 4 else 2}"
    if frequency == Frequency.QUARTERLY:
        return f"{label} Q{((start.month - 4) % 12) // 3 + 1}"
    return label


def on_grid(frequency, start):
    """Whether `start` is the first day of a period of this frequency (stored values from any door must be)."""
    return getattr(start, "day", None) == 1 and start.month in _FIRST_MONTHS.get(frequency, ())


MONTHS = {Frequency.ANNUAL: 12, Frequency.SIX_MONTHLY: 6, Frequency.QUARTERLY: 3, Frequency.MONTHLY: 1}


def period_end(frequency, start):
    """The last day of the period that begins on `start`."""
    from datetime import timedelta

    months = start.month - 1 + MONTHS[frequency]
    return date(start.year + months // 12, months % 12 + 1, 1) - timedelta(days=1)
