from django import forms
from django.conf import settings
from django.utils import timezone

from common.forms import PlainForm
from maturity import rules
from maturity.levels import Level
from maturity.models import Framework

from .evidence import check_upload
from .selectors import score_has_evidence
from .spreadsheets import MAX_UPLOAD_BYTES

LEVEL_CHOICES = [("", "Unscored")] + [(level.value, Level.label_of(level.value)) for level in Level]
TEXT_LIMIT = rules.MAX_TEXT_LENGTH


def _level_field(**kwargs):
    return forms.TypedChoiceField(
        choices=LEVEL_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": rules.MESSAGES["level_range"]},
        **kwargs,
    )


def _text_field(label):
    """Free text; its length and characters are checked by rules.text_problem, so every door says the same."""
    field = forms.CharField(label=label, required=False, strip=False, widget=forms.Textarea(attrs={"rows": 3, "maxlength": TEXT_LIMIT}))
    field.max_length = TEXT_LIMIT  # drawn as the textarea's maxlength
    return field


class ScoreForm(PlainForm, forms.Form):
    """One objective's score as posted, with a level per directorate when the council uses them.

    Field names are prefixed with the objective number, so a whole key area can be posted at once and each
    objective validated on its own. The rules are `maturity.rules.score_problems`, the same that
    `services.score_write` enforces; this form only shows their messages beside the fields.
    """

    FIELDS = ("level", "working_towards", "comment", "action", "evidence", "out_of_scope", "out_of_scope_reason", "version")

    level = _level_field(widget=forms.RadioSelect)
    working_towards = forms.BooleanField(required=False, label="Working towards the next level")
    comment = _text_field("Comment")
    action = _text_field("Action")
    evidence = _text_field("Evidence or case study")
    out_of_scope = forms.BooleanField(required=False, label="Out of scope for this council")
    out_of_scope_reason = _text_field("Why it is out of scope")
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)

    def __init__(self, *args, directorates=(), score=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.directorates = list(directorates)
        self.score = score
        self.weakest = None  # (directorate, level) once cleaned, for the "set the council score to the weakest" button
        for directorate in self.directorates:
            self.fields[f"dir_{directorate.pk}"] = _level_field(label=directorate.name)

    def names(self):
        """{field: the name it is posted under}, for templates that draw the card by hand."""
        return {name: self.add_prefix(name) for name in self.FIELDS}

    def directorate_fields(self):
        return [(d, self[f"dir_{d.pk}"]) for d in self.directorates]

    def directorate_levels(self):
        """[(directorate, level)] for the directorates given a level."""
        return [(d, self.cleaned_data.get(f"dir_{d.pk}")) for d in self.directorates if self.cleaned_data.get(f"dir_{d.pk}") is not None]

    def clean(self):
        data = super().clean()
        rated = self.directorate_levels()
        lowest = self.weakest = rules.weakest(rated, level_of=lambda pair: pair[1], order_of=lambda pair: rules.directorate_order(pair[0]))
        if lowest is not None and self.data.get(self.add_prefix("use_weakest")):
            # "Set the council score to 1" sets it to 1: not 1 working towards 2
            data["level"], data["working_towards"] = lowest[1], False
        if self.errors:
            return data
        problems = rules.score_problems(
            level=data.get("level"),
            working_towards=data.get("working_towards", False),
            out_of_scope=data.get("out_of_scope", False),
            out_of_scope_reason=data.get("out_of_scope_reason", ""),
            # Only a 5 needs evidence: the attached files are counted only then.
            has_evidence=data.get("level") == Level.INNOVATOR and (
                score_has_evidence(score=self.score, evidence_text=data.get("evidence") or "") if self.score is not None else rules.has_evidence(evidence_text=data.get("evidence"))
            ),
            directorate_levels=rated,
            texts={key: data.get(key, "") for key in ("comment", "action", "evidence", "out_of_scope_reason")},
        )
        for field, message in problems.items():
            self.add_error(field, message)
        return data

    def write_values(self):
        """The cleaned values as score_write's keyword arguments."""
        data = self.cleaned_data
        values = {key: data[key] for key in ("level", "working_towards", "comment", "action", "evidence", "out_of_scope", "out_of_scope_reason", "version")}
        values["directorate_levels"] = {d.pk: level for d, level in self.directorate_levels()}
        return values


class StartAssessmentForm(PlainForm, forms.Form):
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


class ReopenForm(PlainForm, forms.Form):
    reason = forms.CharField(
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="Recorded with your name, e.g. 'Committee asked us to revisit social value scores.'",
        error_messages={"required": "Say why the year is being reopened; it is recorded with your name."},
    )


class SubmitForm(PlainForm, forms.Form):
    confirm = forms.BooleanField(label="I confirm this assessment is ready to be signed off")


class ImportForm(PlainForm, forms.Form):
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


class EvidenceForm(PlainForm, forms.Form):
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


class DeadlineForm(PlainForm, forms.Form):
    deadline = forms.DateField(label="Sign-off deadline", required=False, widget=forms.DateInput(attrs={"type": "date"}), help_text="e.g. the committee date. Officers are reminded 14 and 3 days before.")
    raters_due = forms.DateField(label="Ratings due", required=False, widget=forms.DateInput(attrs={"type": "date"}), help_text="Invited raters are reminded 3 days before, if they have not submitted.")
