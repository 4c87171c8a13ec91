from django import forms
from django.conf import settings
from django.utils import timezone

from maturity.levels import Level
from maturity.models import Framework

from .evidence import check_upload
from .spreadsheets import MAX_UPLOAD_BYTES

LEVEL_CHOICES = [("", "Unscored")] + [(level.value, f"{level.value} {level.label}") for level in Level]
TEXT_LIMIT = settings.MAX_TEXT_LENGTH


def _level_field(**kwargs):
    return forms.TypedChoiceField(
        choices=LEVEL_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": "Choose a level from 1 (Minimum) to 5 (Innovator), or leave it unscored."},
        **kwargs,
    )


def _text_field(label):
    return forms.CharField(
        label=label,
        required=False,
        max_length=TEXT_LIMIT,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": f"{label} can be at most {TEXT_LIMIT:,} characters (it has %(show_value)d)."},
    )


class ScoreForm(forms.Form):
    """One objective's score, with a level per directorate when the council uses them.

    Field names are prefixed with the objective number, so a whole section can
    be posted at once and each objective validated on its own.
    """

    level = _level_field(widget=forms.RadioSelect)
    working_towards = forms.BooleanField(required=False, label="Working towards the next level")
    comment = _text_field("Comment")
    action = _text_field("Action")
    evidence = _text_field("Evidence or case study")
    not_applicable = forms.BooleanField(required=False, label="Out of scope for this council")
    not_applicable_reason = _text_field("Why it is out of scope")
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, directorates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.directorates = list(directorates)
        self.weakest = None
        for directorate in self.directorates:
            self.fields[f"dir_{directorate.pk}"] = _level_field(label=directorate.name)

    def directorate_fields(self):
        return [(d, self[f"dir_{d.pk}"]) for d in self.directorates]

    def directorate_levels(self):
        """{directorate: level} for the directorates given a level."""
        return {
            d: self.cleaned_data.get(f"dir_{d.pk}")
            for d in self.directorates
            if self.cleaned_data.get(f"dir_{d.pk}") is not None
        }

    def clean(self):
        data = super().clean()
        level = data.get("level")
        rated = self.directorate_levels()
        if rated:
            weakest, weakest_level = min(rated.items(), key=lambda item: (item[1], item[0].order, item[0].name))
            self.weakest = (weakest, weakest_level)
            if self.data.get(self.add_prefix("use_weakest")):
                data["level"] = level = weakest_level
            if level != weakest_level:
                self.add_error(
                    "level",
                    f"Score the weakest level in the council, not an average: {weakest.name} is at "
                    f"{Level.label_of(weakest_level)}, so the council score must be {weakest_level}.",
                )
        if level == Level.INNOVATOR and not (data.get("evidence") or "").strip():
            self.add_error(
                "evidence",
                "A 5 (Innovator) means the council is ready to act as a case study for others: "
                "describe the case study or evidence before choosing 5.",
            )
        if data.get("not_applicable"):
            if level is not None or rated:
                self.add_error("not_applicable", "An objective out of scope has no level: clear the level (and directorate levels) first, or untick “out of scope”.")
            if not (data.get("not_applicable_reason") or "").strip():
                self.add_error("not_applicable_reason", "Say why this objective does not apply to the council; the reason appears in reports.")
        if data.get("working_towards") and (level is None or level == Level.INNOVATOR):
            self.add_error("working_towards", "Working towards the next level needs a level from 1 to 4.")
        return data


class StartAssessmentForm(forms.Form):
    framework = forms.ModelChoiceField(queryset=Framework.objects.all(), empty_label=None)
    year = forms.IntegerField(min_value=2000, max_value=2100)
    carry_forward = forms.BooleanField(
        required=False,
        initial=True,
        label="Carry forward last year's submitted levels, comments and actions",
    )

    def __init__(self, *args, council, **kwargs):
        super().__init__(*args, **kwargs)
        self.council = council
        self.fields["year"].initial = timezone.now().year

    def clean(self):
        data = super().clean()
        framework, year = data.get("framework"), data.get("year")
        if framework and year and self.council.assessments.filter(framework=framework, year=year).exists():
            raise forms.ValidationError(f"{self.council} already has a {framework} assessment for {year}.")
        return data


class ReopenForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="Recorded with your name, e.g. 'Committee asked us to revisit social value scores.'",
    )


class SubmitForm(forms.Form):
    confirm = forms.BooleanField(label="I confirm this assessment is ready to be signed off")


class ImportForm(forms.Form):
    file = forms.FileField(help_text="An .xlsx workbook or a .csv file, at most 5 MB: our export's layout, or one like Medway's with “2023 Score” and “2023 Comments and action” columns.")
    score_year = forms.IntegerField(required=False, min_value=2000, max_value=2100, help_text="Which year's columns to read from a sheet with several years. Defaults to this assessment's year.")
    number_column = forms.CharField(required=False, max_length=100, help_text="Header of the objective number column, if not recognised")
    level_column = forms.CharField(required=False, max_length=100, help_text="Header of the level or score column, if not recognised")
    name_column = forms.CharField(required=False, max_length=100, help_text="Header of the objective name column (used to check the numbers)")
    comment_column = forms.CharField(required=False, max_length=100)
    action_column = forms.CharField(required=False, max_length=100)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(f"The file is {upload.size / 1024 / 1024:.1f} MB; the limit is {MAX_UPLOAD_BYTES // 1024 // 1024} MB.")
        return upload

    def overrides(self):
        return {key: self.cleaned_data.get(f"{key}_column", "") for key in ("number", "level", "name", "comment", "action")}


class EvidenceForm(forms.Form):
    title = forms.CharField(max_length=200, help_text="What it shows, e.g. 'Cabinet report on social value, March 2024'")
    file = forms.FileField(required=False, help_text="PDF, Word (.docx), Excel (.xlsx), PNG or JPEG")
    url = forms.URLField(required=False, max_length=500, label="or a link", assume_scheme="https")

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload:
            try:
                self.kind = check_upload(upload, settings.EVIDENCE_MAX_BYTES)
            except ValueError as error:
                raise forms.ValidationError(str(error)) from error
        return upload

    def clean_url(self):
        url = self.cleaned_data.get("url", "")
        if url and not url.lower().startswith(("https://", "http://")):
            raise forms.ValidationError("Links must start with https:// or http://.")
        return url

    def clean(self):
        data = super().clean()
        if not self.errors and bool(data.get("file")) == bool(data.get("url")):
            raise forms.ValidationError("Attach a file or give a link (one of the two).")
        return data
