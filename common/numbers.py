"""Numbers read from a URL or a form, parsed one way: ASCII digits only, within a range, fast on any input."""

import re

import django_filters
from django import forms

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


_MEASURE = re.compile(r"-?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?")


class MeasureError(ValueError):
    pass


def parse_measure(text):
    """A number as councils write it in reports ('£185,000', '96.6%', '[51.97%]', '1,204') → its digits as a string.

    Commas only as thousands separators, in groups of three: '1,2,3' and '96,6' are refused (a decimal comma would be
    read as a thousands separator), as are '1_000', exponents and anything not ASCII.
    """
    raw = str(text).strip()
    cleaned = raw
    if cleaned.startswith("[") and cleaned.endswith("]"):
        cleaned = cleaned[1:-1].strip()
    cleaned = cleaned.replace("£", "").replace("%", "").replace(" ", "").strip()
    if len(cleaned) > 30 or not _MEASURE.fullmatch(cleaned):
        if re.fullmatch(r"-?[0-9]+,[0-9]{1,2}", cleaned):
            raise MeasureError(f"“{raw}”: use a point for decimals, like {cleaned.replace(',', '.')}.")
        raise MeasureError(f"“{raw}” is not a number: write it like 185000, £185,000, 96.6 or 96.6%.")
    return cleaned.replace(",", "")


class YearField(forms.IntegerField):
    """A year from a URL or form, parsed by year_param: ASCII digits within YEAR_RANGE, in constant time."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        year = year_param(str(value).strip())
        if year is None:
            raise forms.ValidationError(f"Enter a year between {YEAR_RANGE[0]} and {YEAR_RANGE[1]}.", code="invalid")
        return year


class YearFilter(django_filters.Filter):
    """A django-filter filter on a year, read by YearField."""

    field_class = YearField


MAX_PAGE_SIZE = 100


def paginate(request, table, *, per_page=25):
    """A django-tables2 table ordered and paginated from the URL, its page and page size read through int_param
    (1 to MAX_PAGE_SIZE rows a page; a page past the end shows the last): never the whole table in one page."""
    from django.core.paginator import EmptyPage
    from django_tables2 import RequestConfig

    RequestConfig(request, paginate=False).configure(table)  # ordering only
    size = int_param(request.GET.get(table.prefixed_per_page_field), low=1, high=MAX_PAGE_SIZE) or per_page
    page = int_param(request.GET.get(table.prefixed_page_field), low=1, high=10**6) or 1
    try:
        table.paginate(page=page, per_page=size)
    except EmptyPage:
        table.paginate(page=table.paginator.num_pages, per_page=size)
    return table
