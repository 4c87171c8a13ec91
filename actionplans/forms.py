from decimal import Decimal

from django import forms
from django.forms import BaseInlineFormSet, inlineformset_factory

from common.numbers import YEAR_RANGE, MeasureError, parse_measure
from maturity import rules
from maturity.levels import Level
from maturity.models import Framework, Objective, Section

from .models import ActionPlan, DeliveryConsideration, Kpi, KpiValue, LineTarget, PlanGoal, PlanLine, PlanReview
from .periods import EXAMPLES, PeriodError, parse_period, period_label

MAX_PLAN_YEARS = 10


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


class ActionPlanForm(forms.ModelForm):
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
        for name in ("start_year", "end_year"):
            self.fields[name].widget.attrs.update(min=2000, max=2100)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_year"), cleaned.get("end_year")
        if start and end:
            if not YEAR_RANGE[0] <= start <= YEAR_RANGE[1]:
                self.add_error("start_year", f"Enter a year between {YEAR_RANGE[0]} and {YEAR_RANGE[1]}.")
            elif not YEAR_RANGE[0] <= end <= YEAR_RANGE[1]:
                self.add_error("end_year", f"Enter a year between {YEAR_RANGE[0]} and {YEAR_RANGE[1]}.")
            elif end < start:
                self.add_error("end_year", "The plan must end in or after the year it starts.")
            elif end - start + 1 > MAX_PLAN_YEARS:
                self.add_error("end_year", f"A plan covers at most {MAX_PLAN_YEARS} years.")
            elif self.instance.pk:
                outside = LineTarget.objects.filter(line__plan=self.instance).exclude(year__range=(start, end))
                if outside.exists():
                    years = sorted(set(outside.values_list("year", flat=True)))
                    self.add_error(None, f"Lines have targets for {', '.join(map(str, years))}, outside {start}–{end}. Change those targets first.")
        framework = cleaned.get("framework")
        if start and framework:
            clash = ActionPlan.objects.filter(council=self.council, framework=framework, start_year=start).exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error("start_year", f"There is already a {framework} plan starting in {start}.")
        return cleaned


class PlanLineForm(forms.ModelForm):
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
        self.fields["section"].help_text = "Choose “Outside the framework” for an area the NPS does not cover, e.g. resourcing levels or a procurement hub; give it a title."
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
        if objective and section and objective.section_id != section.pk:
            self.add_error("objective", f"Objective {objective.number} belongs to key area {objective.section}, not {section}.")
        if section is None:
            # An area outside the framework: a title, and its position in words rather than a framework level.
            if objective is not None:
                self.add_error("objective", "An objective belongs to a key area: choose its key area, or leave the objective empty for an area of your own.")
            if not (cleaned.get("title") or "").strip():
                self.add_error("title", "Give an area outside the framework a title, e.g. “Resourcing levels”.")
            if cleaned.get("current_level") is not None or cleaned.get("current_working_towards"):
                self.add_error("current_level", "An area outside the framework has no framework level: describe where you are now in words.")
            return cleaned
        current, note = cleaned.get("current_level"), cleaned.get("current_level_note", "").strip()
        assessed = self.assessed_level(section, objective)
        if current is None and assessed is not None:
            cleaned["current_level"] = assessed
        elif current is not None and current != assessed and not note:
            if assessed is None:
                self.add_error("current_level_note", "There is no assessed level to go by: say where this current level comes from.")
            else:
                self.add_error("current_level_note", f"The latest assessment puts this at {Level.label_of(assessed)}; say why the current level differs.")
        return cleaned


class LineTargetForm(forms.ModelForm):
    class Meta:
        model = LineTarget
        fields = ["year", "level", "working_towards", "narrative", "reason"]
        widgets = {"narrative": forms.Textarea(attrs={"rows": 2}), "reason": forms.Textarea(attrs={"rows": 1})}

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
        pass  # clean() names the duplicated year in words people understand

    def clean(self):
        super().clean()
        current = self.instance.current_level
        rows = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or not form.has_changed() and not form.instance.pk:
                continue
            year = data.get("year")
            if year is not None and not self.plan.start_year <= year <= self.plan.end_year:
                form.add_error("year", f"{year} is outside the plan period {self.plan.period_label}.")
            elif year is not None:
                rows.append((year, form))
        rows.sort(key=lambda row: row[0])
        previous_year = previous_level = None
        custom = self.instance.section_id is None
        for year, form in rows:
            level, reason = form.cleaned_data.get("level"), form.cleaned_data.get("reason", "").strip()
            if custom and (level is not None or form.cleaned_data.get("working_towards")):
                form.add_error("level", "An area outside the framework has no framework level: write the target in words.")
            elif not custom and level is None:
                form.add_error("level", f"Choose the level to reach by {year}, or clear this row.")
            if year == previous_year:
                form.add_error("year", f"There is already a target for {year}: the years of a line's targets must ascend, one target per year.")
            elif level is not None and not reason:
                if current is not None and level < current:
                    form.add_error("reason", f"This target is below the current level ({Level.label_of(current)}): give a reason.")
                elif previous_level is not None and level < previous_level:
                    form.add_error("reason", f"This target is below the previous year's ({Level.label_of(previous_level)}): give a reason.")
            previous_year, previous_level = year, level if level is not None else previous_level


TargetFormSet = inlineformset_factory(
    PlanLine, LineTarget, form=LineTargetForm, formset=BaseTargetFormSet, extra=0, can_delete=True, max_num=MAX_PLAN_YEARS, validate_max=True
)


class PlanGoalForm(forms.ModelForm):
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
        low, high = cleaned.get("level_from"), cleaned.get("level_to")
        if low and high and low > high:
            self.add_error("level_to", f"The range runs upwards: from {Level.label_of(low)} to a level at or above it.")
        return cleaned


class PlanReviewForm(forms.ModelForm):
    class Meta:
        model = PlanReview
        fields = ["year", "previous_priorities", "progress", "new_priorities", "development_plans"]
        widgets = {name: forms.Textarea(attrs={"rows": 3}) for name in ("previous_priorities", "progress", "new_priorities", "development_plans")}

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.fields["year"].widget.attrs.update(min=YEAR_RANGE[0], max=YEAR_RANGE[1])
        _limit_text(self)

    def clean_year(self):
        year = self.cleaned_data["year"]
        if not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
            raise forms.ValidationError(f"Enter a year between {YEAR_RANGE[0]} and {YEAR_RANGE[1]}.")
        if PlanReview.objects.filter(plan=self.plan, year=year).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(f"There is already a record for {year}; edit that one.")
        return year


class DeliveryConsiderationForm(forms.ModelForm):
    class Meta:
        model = DeliveryConsideration
        fields = ["section", "description", "owner", "status"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].queryset = Section.objects.filter(framework=plan.framework_id)
        self.fields["section"].empty_label = "Outside the framework (an area of your own)"
        self.fields["section"].help_text = "Choose “Outside the framework” for an area the NPS does not cover, e.g. resourcing levels or a procurement hub; give it a title."
        _limit_text(self)


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


def _check_percent(form, field, value, unit):
    if unit == Kpi.Unit.PERCENT and value is not None and not Decimal(0) <= value <= Decimal(100):
        form.add_error(field, f"A percentage lies between 0 and 100; {value} does not.")


class KpiForm(forms.ModelForm):
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
        self.fields["section"].help_text = "Choose “Outside the framework” for an area the NPS does not cover, e.g. resourcing levels or a procurement hub; give it a title."
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
        if cleaned.get("baseline_period") and cleaned.get("baseline_value") is None:
            self.add_error("baseline_value", "Give the baseline value for the baseline period.")
        _check_percent(self, "baseline_value", cleaned.get("baseline_value"), cleaned.get("unit"))
        line, section = cleaned.get("line"), cleaned.get("section")
        if line and section and line.section_id != section.pk:
            self.add_error("line", f"That plan line is in {line.section}, not {section}.")
        if line and not section:
            cleaned["section"] = line.section
        return cleaned


class KpiValueForm(forms.ModelForm):
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
        for name in ("target", "actual"):
            _check_percent(self, name, cleaned.get(name), self.kpi.unit)
        return cleaned


class BaseKpiValueFormSet(BaseInlineFormSet):
    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "kpi": self.instance}

    def clean(self):
        super().clean()
        seen = {}
        for form in self.forms:
            start = getattr(form, "cleaned_data", {}).get("period_start")
            if start is None or form.cleaned_data.get("DELETE"):
                continue
            if start in seen:
                form.add_error("period", f"{form.cleaned_data['period']} is entered twice.")
            seen[start] = form


KpiValueFormSet = inlineformset_factory(Kpi, KpiValue, form=KpiValueForm, formset=BaseKpiValueFormSet, extra=3, can_delete=True)
