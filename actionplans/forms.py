"""The plan forms parse what people type (levels, periods like 2024/25, figures like £185,000) and ask
`actionplans.rules` whether it may go in, showing each rule's message by its field; `actionplans.services` then
writes it, checking the same rules again under the plan's lock. No form saves anything itself."""

from django import forms
from django.forms import BaseInlineFormSet, inlineformset_factory

from common.forms import PlainForm
from common.numbers import YEAR_RANGE, MeasureError, parse_measure
from maturity import rules
from maturity.levels import Level
from maturity.models import Framework, Objective, Section

from . import rules as plan_rules
from .models import ActionPlan, DeliveryConsideration, Kpi, KpiValue, LineTarget, PlanGoal, PlanLine, PlanReview
from .periods import EXAMPLES, PeriodError, parse_period, period_label

MAX_PLAN_YEARS = plan_rules.MAX_PLAN_YEARS


def show_problems(form, problems, *, rows=(), prefix=None):
    """Put rule messages ({field: message}, from actionplans.rules or a service's NotValid) on the form's fields;
    keys "<prefix>.<index>.<field>" go to that row of `rows` (a formset's forms), anything else to the form."""
    for key, message in problems.items():
        target, field = form, key
        parts = key.split(".")
        if prefix and len(parts) == 3 and parts[0] == prefix and parts[1].isdigit() and int(parts[1]) < len(rows):
            target, field = rows[int(parts[1])], parts[2]
        elif prefix is None and len(parts) == 2 and parts[0].isdigit() and int(parts[0]) < len(rows):
            target, field = rows[int(parts[0])], parts[1]
        if field not in target.fields:
            field = None
        if field is not None and target.has_error(field):
            continue  # the field's own parsing message says it already
        target.add_error(field, message)


def _bootstrap(form):
    """Formset rows are drawn as table cells, not by crispy: give their widgets Bootstrap's classes."""
    for field in form.fields.values():
        widget = field.widget
        css = "form-check-input" if getattr(widget, "input_type", "") == "checkbox" else "form-select" if isinstance(widget, forms.Select) else "form-control"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css} form-control-sm".strip() if css == "form-control" else css


def _plain_text(value):
    """rules.text_problem as a form validator: no control characters (tab and newline are fine), within the limit."""
    message = rules.text_problem("This text", value or "")
    if message:
        raise forms.ValidationError(message)


def formset_rows(formset, names, counts):
    """([row values], [their forms]) of a formset's rows that are kept: not deleted, and `counts(form, data)`."""
    values, forms_ = [], []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None)
        if not data or data.get("DELETE") or not counts(form, data):
            continue
        values.append({name: data.get(name) for name in names})
        forms_.append(form)
    return values, forms_


LEVEL_CHOICES = [(level.value, Level.label_of(level.value)) for level in Level]


def _label_levels(form, *names):
    """Level choices read '2 Developing', as everywhere else."""
    for name in names:
        if name in form.fields:
            field = form.fields[name]
            blank = [("", "Not known")] if not field.required else [("", "Choose a level")]
            field.choices = blank + LEVEL_CHOICES


def _limit_text(form):
    for field in form.fields.values():
        if isinstance(field, forms.CharField):
            field.validators.append(_plain_text)
            if field.max_length is None:
                field.max_length = rules.MAX_TEXT_LENGTH
                field.validators.append(forms.fields.validators.MaxLengthValidator(rules.MAX_TEXT_LENGTH))
                field.widget.attrs.setdefault("maxlength", rules.MAX_TEXT_LENGTH)


class ActionPlanForm(PlainForm, forms.ModelForm):
    class Meta:
        model = ActionPlan
        fields = ["title", "framework", "start_year", "end_year"]

    def __init__(self, *args, council, **kwargs):
        super().__init__(*args, **kwargs)
        self.council = council
        _limit_text(self)
        self.fields["framework"].queryset = Framework.objects.all()
        if self.instance.pk:
            # Lines point into the framework's key areas; it cannot change under them.
            self.fields["framework"].disabled = True
        else:
            self.fields["with_key_areas"] = forms.BooleanField(
                required=False, initial=True, label="Start with a line for each key area",
                help_text="Each with its current level from your latest submitted assessment: the weakest level in the key area, as the LGA asks.",
            )
        for name in ("start_year", "end_year"):
            self.fields[name].widget.attrs.update(min=2000, max=2100)

    def clean(self):
        cleaned = super().clean()
        if self.has_error("start_year") or self.has_error("end_year") or self.has_error("title"):
            return cleaned
        start, framework = cleaned.get("start_year"), cleaned.get("framework")
        clash = ActionPlan.objects.filter(council=self.council, framework=framework, start_year=start).exclude(pk=self.instance.pk).exists() if framework else False
        target_years = LineTarget.objects.filter(line__plan=self.instance).values_list("year", flat=True) if self.instance.pk else ()
        show_problems(self, plan_rules.plan_problems(
            title=cleaned.get("title"), start_year=start, end_year=cleaned.get("end_year"), target_years=set(target_years), clash=str(framework) if clash else None,
        ))
        return cleaned

    def values(self):
        """The service's keyword arguments."""
        return {name: self.cleaned_data[name] for name in ("title", "start_year", "end_year")}


class PlanLineForm(PlainForm, forms.ModelForm):
    class Meta:
        model = PlanLine
        fields = ["section", "objective", "title", "current_level", "current_working_towards", "current_level_note", "current_text", "owner", "due_date", "status", "progress_notes"]
        widgets = {
            "due_date": forms.DateInput(attrs={"type": "date"}),
            "current_text": forms.Textarea(attrs={"rows": 3}),
            "current_level_note": forms.Textarea(attrs={"rows": 2}),
            "progress_notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, plan, assessed, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan, self.assessed = plan, assessed
        _label_levels(self, "current_level")
        self.fields["section"].queryset = Section.objects.filter(framework=plan.framework_id)
        self.fields["section"].empty_label = "Outside the framework (an area of your own)"
        self.fields["section"].help_text = "Choose “Outside the framework” for an area the NPS does not cover, e.g. resourcing levels or a procurement hub; give the line a title."
        self.fields["objective"].queryset = Objective.objects.filter(framework=plan.framework_id).select_related("section")
        self.fields["objective"].help_text = "Leave empty for a key-area line."
        source = f"the {assessed['year']} assessment" if assessed["year"] else None
        self.fields["current_level"].help_text = (
            f"Filled in from {source} (a key area stands at its weakest objective). Change it only with a note."
            if source
            else "There is no submitted assessment yet: enter the current level and say where it comes from."
        )
        _limit_text(self)

    def assessed_level(self, section, objective):
        if objective:
            return self.assessed["objectives"].get(objective.pk)
        return self.assessed["sections"].get(section.pk) if section else None

    def clean(self):
        cleaned = super().clean()
        section, objective = cleaned.get("section"), cleaned.get("objective")
        assessed = self.assessed_level(section, objective) if section else None
        if section is not None and cleaned.get("current_level") is None and not self.has_error("current_level"):
            cleaned["current_level"] = assessed  # left empty: the latest assessed level
        show_problems(self, plan_rules.line_problems(
            section_id=section.pk if section else None, objective_section_id=objective.section_id if objective else None, has_objective=objective is not None,
            title=cleaned.get("title"), current_level=cleaned.get("current_level"), current_working_towards=cleaned.get("current_working_towards"),
            current_level_note=cleaned.get("current_level_note"), assessed=assessed,
            names=(objective.number, objective.section, section) if objective and section else None,
        ))
        return cleaned

    def values(self):
        """The service's keyword arguments."""
        data = self.cleaned_data
        return {
            "section_id": data["section"].pk if data.get("section") else None, "objective_id": data["objective"].pk if data.get("objective") else None,
            **{name: data[name] for name in ("title", "current_level", "current_working_towards", "current_level_note", "current_text", "owner", "due_date", "status", "progress_notes")},
        }


class LineTargetForm(PlainForm, forms.ModelForm):
    class Meta:
        model = LineTarget
        fields = ["year", "level", "working_towards", "narrative", "reason"]
        widgets = {"narrative": forms.Textarea(attrs={"rows": 2}), "reason": forms.Textarea(attrs={"rows": 1})}
        labels = {"level": "Target level", "working_towards": "Working towards the next level", "narrative": "What will be done", "reason": "Reason, if lower"}
        help_texts = {"level": "", "narrative": "", "reason": "Needed when the target is below the current level or the year before."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].widget.attrs.update(min=2000, max=2100)
        _label_levels(self, "level")
        self.fields["level"].choices = [("", "No level (in words only)")] + LEVEL_CHOICES
        _limit_text(self)
        _bootstrap(self)


class BaseTargetFormSet(BaseInlineFormSet):
    """A line's targets: one row per plan year is offered; years are distinct and inside the plan period."""

    def __init__(self, *args, plan, **kwargs):
        self.plan = plan
        super().__init__(*args, **kwargs)
        taken = set(self.get_queryset().values_list("year", flat=True)) if self.instance.pk else set()
        missing = [year for year in plan.years if year not in taken]
        self.extra = len(missing)
        self.initial_extra = [{"year": year} for year in missing]

    def validate_unique(self):
        pass  # the rules name the duplicated year in words people understand

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = "Remove this target"

    def rows(self):
        """([target values], [their forms]): the line's whole set of targets as the form leaves it."""
        return formset_rows(self, ("year", "level", "working_towards", "narrative", "reason"), lambda form, data: form.has_changed() or form.instance.pk)

    def clean(self):
        super().clean()
        if any(form.errors for form in self.forms):
            return
        values, forms_ = self.rows()
        problems = plan_rules.target_problems(
            start_year=self.plan.start_year, end_year=self.plan.end_year, custom=self.instance.section_id is None, current_level=self.instance.current_level, targets=values,
        )
        if "__all__" in problems:
            raise forms.ValidationError(problems.pop("__all__"))
        for key, message in problems.items():
            index, field = key.split(".")
            forms_[int(index)].add_error(field, message)


TargetFormSet = inlineformset_factory(
    PlanLine, LineTarget, form=LineTargetForm, formset=BaseTargetFormSet, extra=0, can_delete=True, max_num=MAX_PLAN_YEARS, validate_max=True
)


class PlanGoalForm(PlainForm, forms.ModelForm):
    class Meta:
        model = PlanGoal
        fields = ["text", "level_from", "level_to", "review_date"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2}), "review_date": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        _label_levels(self, "level_from", "level_to")
        _limit_text(self)

    def clean(self):
        cleaned = super().clean()
        show_problems(self, plan_rules.goal_problems(text=cleaned.get("text"), level_from=cleaned.get("level_from"), level_to=cleaned.get("level_to")))
        return cleaned

    def values(self):
        return {name: self.cleaned_data[name] for name in ("text", "level_from", "level_to", "review_date")}


class PlanReviewForm(PlainForm, forms.ModelForm):
    class Meta:
        model = PlanReview
        fields = ["year", "previous_priorities", "progress", "new_priorities", "development_plans"]
        widgets = {name: forms.Textarea(attrs={"rows": 3}) for name in ("previous_priorities", "progress", "new_priorities", "development_plans")}

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.fields["year"].widget.attrs.update(min=YEAR_RANGE[0], max=YEAR_RANGE[1])
        _limit_text(self)

    def clean(self):
        cleaned = super().clean()
        if not self.has_error("year"):
            taken = set(PlanReview.objects.filter(plan=self.plan).exclude(pk=self.instance.pk).values_list("year", flat=True))
            show_problems(self, plan_rules.review_problems(year=cleaned.get("year"), taken_years=taken, texts=cleaned))
        return cleaned

    def values(self):
        return {name: self.cleaned_data[name] for name in ("year", "previous_priorities", "progress", "new_priorities", "development_plans")}


class DeliveryConsiderationForm(PlainForm, forms.ModelForm):
    class Meta:
        model = DeliveryConsideration
        fields = ["section", "description", "owner", "status"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].queryset = Section.objects.filter(framework=plan.framework_id)
        self.fields["section"].empty_label = "Outside the framework (an area of your own)"
        self.fields["section"].help_text = "Choose “Outside the framework” for an area the NPS does not cover, e.g. resourcing levels or a procurement hub."
        _limit_text(self)

    def clean(self):
        cleaned = super().clean()
        show_problems(self, plan_rules.consideration_problems(description=cleaned.get("description"), owner=cleaned.get("owner", "")))
        return cleaned

    def values(self):
        data = self.cleaned_data
        return {"section_id": data["section"].pk if data.get("section") else None, **{name: data[name] for name in ("description", "owner", "status")}}


class MeasureField(forms.DecimalField):
    """A number as people write it in reports: '£185,000', '96.6%', '1,204'."""

    def to_python(self, value):
        if isinstance(value, str) and value.strip():
            try:
                value = parse_measure(value)
            except MeasureError as error:
                raise forms.ValidationError(str(error)) from error
        return super().to_python(value)

    def widget_attrs(self, widget):
        return {"inputmode": "decimal"}


class KpiForm(PlainForm, forms.ModelForm):
    baseline_period = forms.CharField(required=False, max_length=20, help_text="e.g. 2019/20 for an annual measure")

    class Meta:
        model = Kpi
        fields = ["name", "question", "kind", "frequency", "unit", "direction", "baseline_value", "baseline_period", "baseline_text", "target_windows", "in_development", "section", "line"]
        field_classes = {"baseline_value": MeasureField}
        widgets = {"baseline_value": forms.TextInput, "baseline_text": forms.Textarea(attrs={"rows": 2}), "target_windows": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        _limit_text(self)
        self.fields["section"].queryset = Section.objects.filter(framework=plan.framework_id)
        self.fields["section"].empty_label = "Outside the framework (an area of your own)"
        self.fields["section"].help_text = "Choose “Outside the framework” for an area the NPS does not cover, e.g. resourcing levels or a procurement hub."
        self.fields["line"].queryset = PlanLine.objects.filter(plan=plan).select_related("section", "objective")
        if self.instance.pk and self.instance.baseline_period:
            self.initial["baseline_period"] = period_label(self.instance.frequency, self.instance.baseline_period)
        if self.instance.pk and self.instance.values.exists():
            self.fields["frequency"].disabled = True
            self.fields["frequency"].help_text = "Fixed once values are recorded: their periods follow it."

    def clean(self):
        cleaned = super().clean()
        frequency, text = cleaned.get("frequency"), cleaned.get("baseline_period", "")
        if frequency and text:
            try:
                cleaned["baseline_period"] = parse_period(frequency, text)
            except PeriodError as error:
                self.add_error("baseline_period", str(error))
        else:
            cleaned["baseline_period"] = None
        line, section = cleaned.get("line"), cleaned.get("section")
        if line and not section:
            cleaned["section"] = section = line.section
        show_problems(self, plan_rules.kpi_problems(
            name=cleaned.get("name"), frequency=cleaned.get("frequency"), unit=cleaned.get("unit"), baseline_value=cleaned.get("baseline_value"),
            baseline_period=cleaned.get("baseline_period"), section_id=section.pk if section else None, line_section_id=line.section_id if line else None, has_line=line is not None,
        ))
        return cleaned

    def values(self):
        data = self.cleaned_data
        return {
            "section_id": data["section"].pk if data.get("section") else None, "line_id": data["line"].pk if data.get("line") else None,
            **{name: data[name] for name in ("name", "question", "kind", "frequency", "unit", "direction", "baseline_value", "baseline_period", "baseline_text", "target_windows", "in_development")},
        }


class KpiValueForm(PlainForm, forms.ModelForm):
    period = forms.CharField(max_length=20)

    class Meta:
        model = KpiValue
        fields = ["period", "target", "actual", "note"]
        field_classes = {"target": MeasureField, "actual": MeasureField}
        widgets = {"target": forms.TextInput, "actual": forms.TextInput}

    def __init__(self, *args, kpi=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.kpi = kpi
        _limit_text(self)
        if self.instance.pk:
            self.initial["period"] = period_label(kpi.frequency, self.instance.period_start)
        if kpi is not None and kpi.frequency:
            self.fields["period"].widget.attrs["placeholder"] = f"e.g. {EXAMPLES[kpi.frequency]}"
        _bootstrap(self)

    def clean(self):
        cleaned = super().clean()
        text = cleaned.get("period")
        if text:
            try:
                start = parse_period(self.kpi.frequency, text)
            except PeriodError as error:
                self.add_error("period", str(error))
            else:
                self.instance.period_start = start
                cleaned["period_start"] = start
        return cleaned


class BaseKpiValueFormSet(BaseInlineFormSet):
    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "kpi": self.instance}

    def rows(self):
        """([value dicts], [their forms]): the KPI's whole set of values as the form leaves it."""
        return formset_rows(self, ("period_start", "target", "actual", "note"), lambda form, data: data.get("period_start") is not None)

    def clean(self):
        super().clean()
        if any(form.errors for form in self.forms):
            return
        values, forms_ = self.rows()
        for key, message in plan_rules.kpi_value_problems(frequency=self.instance.frequency, unit=self.instance.unit, values=values).items():
            index, field = key.split(".")
            forms_[int(index)].add_error(field, message)


KpiValueFormSet = inlineformset_factory(Kpi, KpiValue, form=KpiValueForm, formset=BaseKpiValueFormSet, extra=3, can_delete=True)
