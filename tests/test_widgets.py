"""The form renderer writes inputs, textareas and selects exactly as Django's templates do (common/widgets.py)."""

import datetime
from decimal import Decimal

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from common.widgets import FastRenderer

HOSTILE = 'a "quoted" <b>bold</b> & \'single\' \u202e text'


class Everything(forms.Form):
    text = forms.CharField(max_length=20, help_text="hint")
    number = forms.IntegerField(min_value=1, max_value=5)
    amount = forms.DecimalField(max_digits=12, decimal_places=2)
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    moment = forms.DateTimeField()
    email = forms.EmailField()
    address = forms.URLField()
    secret = forms.CharField(widget=forms.PasswordInput(render_value=True))
    hidden = forms.CharField(widget=forms.HiddenInput)
    ticked = forms.BooleanField(required=False)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "data-x": mark_safe("<safe>")}))
    level = forms.ChoiceField(choices=[("", "No level"), (1, "1 Minimum"), (2, HOSTILE)])
    grouped = forms.ChoiceField(choices=[("", "—"), ("Key area 1", [(1, "One"), (2, "Two")]), ("Key area 2", [(3, "Three")]), (4, "Four")])
    several = forms.MultipleChoiceField(choices=[(1, "One"), (2, "Two"), (3, "Three")])
    chosen = forms.ChoiceField(choices=[(1, "One"), (2, "Two")], widget=forms.RadioSelect)  # not written here: Django's template


VALUES = [
    {},
    {"text": HOSTILE, "number": "3", "amount": "171.00", "day": "2026-03-31", "moment": "2026-03-31 14:30", "email": "a@b.gov.uk", "address": "https://x.test/?a=1&b=<2>",
     "secret": HOSTILE, "hidden": HOSTILE, "ticked": "on", "notes": HOSTILE + "\nsecond line", "level": "2", "grouped": "3", "several": ["1", "3"], "chosen": "2"},
    {"text": "", "number": "not a number", "amount": "1e999", "day": "31/02/2026", "notes": "", "level": "9", "grouped": "", "several": []},
]


@pytest.mark.parametrize("data", VALUES)
@pytest.mark.parametrize("bound", [True, False])
def test_each_widget_reads_exactly_as_djangos_template_writes_it(data, bound):
    initial = {"text": HOSTILE, "amount": Decimal("12.50"), "day": datetime.date(2026, 3, 31), "notes": mark_safe("<i>safe</i>"), "level": 1, "several": [2]}
    fast, django = FastRenderer(), DjangoTemplates()
    for name in Everything.base_fields:
        ours = Everything(data if bound else None, initial=initial, renderer=fast)[name]
        theirs = Everything(data if bound else None, initial=initial, renderer=django)[name]
        assert str(ours) == str(theirs), name
        assert str(ours.as_widget(attrs={"aria-describedby": "x_error", "class": "form-control is-invalid", "disabled": True, "hidden": False})) == str(
            theirs.as_widget(attrs={"aria-describedby": "x_error", "class": "form-control is-invalid", "disabled": True, "hidden": False})
        ), name


def test_the_renderer_writes_the_plain_widgets_itself_and_leaves_the_rest_to_django(monkeypatch):
    """Not a test of equality by accident: the plain widgets do not reach a template at all; a radio list does."""
    fast = FastRenderer()
    rendered = []
    monkeypatch.setattr(DjangoTemplates, "render", lambda self, template_name, context, request=None: rendered.append(template_name) or "")
    form = Everything(initial={"level": 1}, renderer=fast)
    for name in ("text", "number", "notes", "level", "grouped", "ticked", "several"):
        assert str(form[name]).startswith("<")
    str(form["chosen"])
    assert rendered == ["django/forms/widgets/radio.html"]


def test_the_app_uses_it():
    from django.forms.renderers import get_default_renderer

    assert isinstance(get_default_renderer(), FastRenderer)
