from django import forms

from common.forms import PlainForm


class ApiKeyForm(PlainForm, forms.Form):
    name = forms.CharField(label="What is it for?", max_length=100, help_text="e.g. Power BI procurement dashboard")
    expires_on = forms.DateField(label="Last day it works (optional)", required=False, widget=forms.DateInput(attrs={"type": "date"}), help_text="Leave empty to keep it until you revoke it.")
