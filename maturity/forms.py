from django import forms

from common.forms import PlainForm

MAX_FRAMEWORK_FILE = 2 * 1024 * 1024


class FrameworkFileForm(PlainForm, forms.Form):
    file = forms.FileField(label="Framework file (YAML)", help_text="A framework YAML file (see docs/framework-format.md), at most 2 MB.", widget=forms.ClearableFileInput(attrs={"accept": ".yaml,.yml"}))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FRAMEWORK_FILE:
            raise forms.ValidationError("The file is larger than 2 MB; a framework file is far smaller.")
        try:
            return upload.read().decode("utf-8")
        except UnicodeDecodeError as exc:
            raise forms.ValidationError("The file is not UTF-8 text; save it as UTF-8 YAML.") from exc
