"""Action plans: how a council means to climb from its assessed levels to its targets.

A plan covers a council, a framework and a period of years. Its lines sit at
key-area or objective level with a target level per year; delivery
considerations record what the plan depends on; KPIs measure progress.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from councils.models import Council
from maturity import rules
from maturity.levels import Level
from maturity.models import Framework, Objective, Section

from .periods import Frequency, period_label

STATUS_LABELS = {"in_words": "Progress in words", "in_development": "Measure in development", "met": "Met", "not_met": "Not met", "no_data": "No data", "achieved": "Achieved", "overdue": "Overdue", "on_track": "On track", "no_target": "No target"}


class WorkStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    BLOCKED = "blocked", "Blocked"


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    SUPERSEDED = "superseded", "Superseded"


def shown_plan(plans, *, year, as_of):
    """The rule, on plans already read (one council and framework): of those published by `as_of`, the latest
    published that covers `year`, else the latest published. None if none was published by then."""
    published = [plan for plan in plans if plan.status != PlanStatus.DRAFT and plan.published_at is not None and plan.published_at <= as_of]
    covering = [plan for plan in published if plan.start_year <= year <= plan.end_year]
    return max(covering or published, key=lambda plan: plan.published_at, default=None)


class ActionPlanQuerySet(models.QuerySet):
    def for_council(self, council):
        return self.filter(council=council)

    def published(self):
        """Plans that were published (the current one and those since superseded): never a draft."""
        return self.exclude(status=PlanStatus.DRAFT)

    def shown_for(self, *, council_id, framework_id, year, as_of):
        """The plan a report or dashboard for `year` shows, as things stood at `as_of` (a submitted year's
        submission time): see shown_plan. A plan published later, or a draft, never changes what a submitted year
        showed."""
        plans = self.filter(council_id=council_id, framework_id=framework_id, published_at__lte=as_of).published().select_related("published_by")
        return shown_plan(list(plans), year=year, as_of=as_of)

    def current(self, year):
        return self.filter(start_year__lte=year, end_year__gte=year)


class ActionPlan(models.Model):
    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="action_plans")
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="action_plans")
    title = models.CharField(max_length=200)
    start_year = models.PositiveSmallIntegerField()
    end_year = models.PositiveSmallIntegerField()
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", help_text="Head of procurement")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    status = models.CharField(max_length=12, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    superseded_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=0, help_text="0 while a draft; 1 when published, and one more for each change after that")

    objects = ActionPlanQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["council_id", "-start_year", "framework_id"]
        constraints = [
            models.UniqueConstraint(fields=["council", "framework", "start_year"], name="one_plan_per_framework_and_start"),
            models.CheckConstraint(condition=Q(end_year__gte=models.F("start_year")), name="plan_period_ascends"),
        ]

    def __str__(self):
        return f"{self.title} ({self.period_label})"

    @property
    def period_label(self):
        return f"{self.start_year}–{self.end_year}"

    def touch(self, *fields):
        """Mark the plan changed (with `fields` of its own), or when one of its lines, considerations or KPIs changes
        (cached reports key on it). A change to a published plan is a new version of it: the history keeps each one
        and reports name theirs. Called by actionplans.services only."""
        if self.status == PlanStatus.DRAFT:
            self.save(update_fields=["updated_at", *fields])
        else:
            self.version = models.F("version") + 1
            self.save(update_fields=["updated_at", "version", *fields])
            self.refresh_from_db(fields=["version"])

    @property
    def is_draft(self):
        return self.status == PlanStatus.DRAFT

    def versions(self):
        """[(version, when, by whom)] of the published plan, newest first, from its history (one query)."""
        seen, rows = set(), []
        history = self.history.filter(version__gt=0).select_related("history_user").order_by("-history_date")
        for record in history:
            if record.version in seen:
                continue
            seen.add(record.version)
            user = record.history_user
            rows.append((record.version, record.history_date, (user.get_full_name() or user.get_username()) if user else ""))
        return rows

    @property
    def version_label(self):
        """'Version 3, published 5 March 2024 by Jo Bloggs' (who and when it was first published)."""
        if self.is_draft:
            return "Draft, not published"
        from django.utils.formats import date_format

        who = f" by {self.published_by.get_full_name() or self.published_by.get_username()}" if self.published_by_id else ""
        when = date_format(self.published_at, "j F Y") if self.published_at else ""
        superseded = f"; superseded {date_format(self.superseded_at, 'j F Y')}" if self.superseded_at else ""
        return f"Version {self.version}, published {when}{who}{superseded}"

    @property
    def years(self):
        return list(range(self.start_year, self.end_year + 1))


class PlanLine(models.Model):
    """One thing to improve: at key-area level (objective empty), for one objective, or outside the framework
    (no key area: a council's own area such as CPCA's 'Resourcing levels' or 'Procurement Hub', seed 004 §3.3, §3.7),
    whose current state and targets are written in words."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="lines")
    section = models.ForeignKey(
        Section, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="key area", help_text="Leave empty for an area outside the framework"
    )
    objective = models.ForeignKey(Objective, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    title = models.CharField(max_length=200, blank=True, help_text="Optional, e.g. 'Change control'. Defaults to the key area or objective name.")
    current_level = models.PositiveSmallIntegerField(choices=Level.choices, null=True, blank=True)
    current_working_towards = models.BooleanField(
        "working towards the next level", default=False, help_text="Between this level and the next, as plans write “Minimum/ Developing”."
    )
    current_level_note = models.TextField(blank=True, help_text="Why the current level differs from the latest assessment, or where it comes from if there is none.")
    current_text = models.TextField("where we are now", blank=True, help_text="The current position in your own words, e.g. 'Current team: 1 FTE Procurement & Contracts Manager'.")
    owner = models.CharField(max_length=200, blank=True)
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=WorkStatus.choices, default=WorkStatus.NOT_STARTED)
    progress_notes = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        # Lines outside the framework come after the key areas.
        ordering = ["plan_id", models.F("section__number").asc(nulls_last=True), "objective__number", "order", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(current_level__isnull=True) | Q(current_level__gte=1, current_level__lte=5), name="line_current_level_1_to_5"),
            # An area outside the framework has a title, and no objective or level of the framework.
            models.CheckConstraint(
                condition=Q(section__isnull=False) | (~Q(title="") & Q(objective__isnull=True) & Q(current_level__isnull=True)), name="custom_line_has_title_and_no_level"
            ),
        ]

    def __str__(self):
        return self.label

    @property
    def is_custom(self):
        """Outside the framework: a council's own area, written in words."""
        return self.section_id is None

    @property
    def current_label(self):
        """'1 Minimum / Developing' as the plan wrote it, '' for an area outside the framework, or '–'."""
        if self.is_custom:
            return ""
        return rules.level_words(self.current_level, self.current_working_towards) if self.current_level else "–"

    @property
    def label(self):
        """Its title, else its objective's or key area's name ('' while a form holds neither)."""
        if self.title:
            return self.title
        if self.objective_id:
            return self.objective.name
        return self.section.name if self.section_id else ""

    def assessed_level(self, assessed):
        """The latest assessed level for this line, from `actionplans.selectors.assessed_levels`."""
        if self.objective_id:
            return assessed["objectives"].get(self.objective_id)
        return assessed["sections"].get(self.section_id) if self.section_id else None

    def final_target(self):
        """The target of the last year (uses prefetched targets)."""
        targets = sorted((t for t in self.targets.all() if t.level is not None), key=lambda t: t.year)
        return targets[-1] if targets else None

    def target_for(self, year):
        """The target that applies in `year`: the latest one at or before it."""
        due = [t for t in self.targets.all() if t.year <= year and t.level is not None]
        return max(due, key=lambda t: t.year) if due else None

    def descriptor_for(self, level, texts):
        """The framework's text for `level`: the objective's descriptor, or the key area's principle, from `texts`
        (maturity.models.level_texts of the plan's key areas and objectives)."""
        if level is None or self.section_id is None:
            return ""
        return texts.get(("objective", self.objective_id, level) if self.objective_id else ("section", self.section_id, level), "")

    def target_cell(self, year, texts):
        target = next((t for t in self.targets.all() if t.year == year), None)
        return {"year": year, "target": target, "descriptor": self.descriptor_for(target.level, texts) if target else ""}

    def progress(self, assessed, today=None):
        """'achieved', 'overdue', 'on_track' or 'no_target' against the latest assessed level; 'in_words' for an
        area outside the framework (its progress is written, never judged by a level)."""
        today = today or timezone.localdate()
        if self.is_custom:
            return "in_words"
        final = self.final_target()
        if final is None:
            return "no_target"
        level = self.assessed_level(assessed)
        if level is not None and level >= final.level:
            return "achieved"
        passed = self.target_for(today.year - 1)
        if (self.due_date and self.due_date < today) or (passed and (level is None or level < passed.level)):
            return "overdue"
        return "on_track"


class LineTarget(models.Model):
    """The level a line aims to reach by the end of one year of the plan, and how."""

    line = models.ForeignKey(PlanLine, on_delete=models.CASCADE, related_name="targets")
    year = models.PositiveSmallIntegerField()
    level = models.PositiveSmallIntegerField(choices=Level.choices, null=True, blank=True, help_text="Empty for a target written only in words")
    working_towards = models.BooleanField(default=False, help_text="Between this level and the next, like 'Developing/ Mature'")
    narrative = models.TextField(blank=True, help_text="What will be done to get there")
    reason = models.TextField(blank=True, help_text="Required when the target is below the current level")

    history = HistoricalRecords()

    class Meta:
        ordering = ["line_id", "year"]
        constraints = [
            models.UniqueConstraint(fields=["line", "year"], name="one_target_per_line_and_year"),
            models.CheckConstraint(condition=Q(level__isnull=True) | Q(level__gte=1, level__lte=5), name="target_level_1_to_5"),
        ]

    def __str__(self):
        return f"{self.year}: {self.display_level}"

    @property
    def display_level(self):
        return rules.level_words(self.level, self.working_towards) if self.level is not None else ""


class PlanGoal(models.Model):
    """A plan-wide goal as councils write them, e.g. CPCA's "increase maturity to between Developing and Mature (2–3)
    over two years", with the range of levels it aims for and when it is to be reviewed ("assessed at the end of 2024")."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="goals")
    text = models.TextField("goal")
    level_from = models.PositiveSmallIntegerField("aims for levels from", choices=Level.choices, null=True, blank=True)
    level_to = models.PositiveSmallIntegerField("to", choices=Level.choices, null=True, blank=True)
    review_date = models.DateField("to be reviewed by", null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["plan_id", "review_date", "pk"]
        verbose_name = "goal"
        constraints = [
            models.CheckConstraint(
                condition=Q(level_from__isnull=True) | Q(level_to__isnull=True) | Q(level_from__lte=models.F("level_to")), name="goal_levels_ascend"
            ),
        ]

    def __str__(self):
        return self.text[:60]

    @property
    def level_range(self):
        """'2 Developing to 3 Mature', one level, or ''."""
        if self.level_from and self.level_to and self.level_from != self.level_to:
            return f"{Level.label_of(self.level_from)} to {Level.label_of(self.level_to)}"
        level = self.level_from or self.level_to
        return Level.label_of(level) if level else ""


class DeliveryConsideration(models.Model):
    """Something the plan depends on: funding, approval to recruit, external support…"""

    class Status(models.TextChoices):
        NEEDED = "needed", "Needed"
        REQUESTED = "requested", "Requested"
        IN_PLACE = "in_place", "In place"
        AT_RISK = "at_risk", "At risk"

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="considerations")
    section = models.ForeignKey(Section, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="key area", help_text="Leave empty if it applies to the whole plan")
    description = models.TextField()
    owner = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEEDED)

    history = HistoricalRecords()

    class Meta:
        ordering = ["plan_id", "section__number", "pk"]

    def __str__(self):
        return self.description[:60]


class Kpi(models.Model):
    """A measure of progress (Leeds' KPIs, Newcastle's measures)."""

    class Kind(models.TextChoices):
        QUALITY = "quality", "Quality"
        QUANTITY = "quantity", "Quantity"
        IMPACT = "impact", "Impact"

    class Unit(models.TextChoices):
        PERCENT = "percent", "%"
        POUNDS = "pounds", "£"
        COUNT = "count", "Count"
        WORDS = "words", "Described in words"

    class Direction(models.TextChoices):
        HIGHER = "higher", "Higher is better"
        LOWER = "lower", "Lower is better"

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="kpis")
    name = models.CharField(max_length=300)
    question = models.CharField(max_length=300, blank=True, help_text="The question it answers, e.g. 'Are our providers achieving our quality expectations?'")
    kind = models.CharField("type", max_length=20, choices=Kind.choices)
    frequency = models.CharField(max_length=20, choices=Frequency.choices, default=Frequency.ANNUAL)
    unit = models.CharField(max_length=20, choices=Unit.choices)
    direction = models.CharField(max_length=20, choices=Direction.choices, default=Direction.HIGHER)
    baseline_value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    baseline_period = models.DateField(null=True, blank=True, help_text="Start of the baseline period")
    baseline_text = models.TextField("baseline as written", blank=True, help_text="When the baseline is words, e.g. “Waivers of CPRs are routinely monitored”")
    target_windows = models.TextField(
        "targets as written", blank=True,
        help_text="One per line, the period then a colon, e.g. “2020-2021: Figures to be agreed with Finance on an annual basis”. Shown as written, never judged.",
    )
    in_development = models.BooleanField("measure in development", default=False, help_text="Not yet measured: shown in grey, never judged.")
    section = models.ForeignKey(Section, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="key area")
    line = models.ForeignKey(PlanLine, on_delete=models.SET_NULL, null=True, blank=True, related_name="kpis", verbose_name="plan line")

    history = HistoricalRecords()

    class Meta:
        ordering = ["plan_id", "section__number", "pk"]
        verbose_name = "KPI"

    def __str__(self):
        return self.name

    def windows(self):
        """[(period, target as written)] from target_windows; a line without a colon is a target for the whole plan."""
        rows = []
        for line in self.target_windows.splitlines():
            if not line.strip():
                continue
            period, sep, text = line.partition(":")
            rows.append((period.strip(), text.strip()) if sep and len(period) <= 40 else ("", line.strip()))
        return rows

    @property
    def baseline_label(self):
        if self.baseline_value is None:
            return self.baseline_text or "–"
        period = f" in {period_label(self.frequency, self.baseline_period)}" if self.baseline_period else ""
        return f"{self.format_value(self.baseline_value)}{period}"

    def format_value(self, value):
        if value is None:
            return "–"
        value = value.normalize() if isinstance(value, Decimal) else Decimal(value)
        if self.unit == self.Unit.PERCENT:
            return f"{value:f}%"
        if self.unit == self.Unit.POUNDS:
            return f"£{value:,.0f}" if value == value.to_integral() else f"£{value:,.2f}"
        return f"{value:,f}"

    def periods(self):
        """[{'value': KpiValue, 'label', 'target' (explicit or implied), 'status'}] in period order; uses prefetched values."""
        rows, previous = [], self.baseline_value
        for value in sorted(self.values.all(), key=lambda v: v.period_start):
            judged = {"target_text": self.format_value(value.target), "target_value": value.target, "status": "in_development"} if self.in_development else self.judge(value, previous)
            rows.append({
                "value": value, "label": period_label(self.frequency, value.period_start), "actual_text": self.format_value(value.actual),
                "status_label": STATUS_LABELS[judged["status"]], **judged,
            })
            if value.actual is not None:
                previous = value.actual
        return rows

    def judge(self, value, previous):
        """Met / not met / no data. Without an explicit target the aim is to beat the previous actual (or the baseline): 'year on year'."""
        higher = self.direction == self.Direction.HIGHER
        if value.target is not None:
            target_text, target_value = self.format_value(value.target), value.target
            if value.actual is None:
                return {"target_text": target_text, "target_value": target_value, "status": "no_data"}
            met = value.actual >= value.target if higher else value.actual <= value.target
        else:
            if previous is None:
                return {"target_text": "–", "target_value": None, "status": "no_data"}
            target_text, target_value = f"{'above' if higher else 'below'} {self.format_value(previous)}", previous
            if value.actual is None:
                return {"target_text": target_text, "target_value": target_value, "status": "no_data"}
            met = value.actual > previous if higher else value.actual < previous
        return {"target_text": target_text, "target_value": target_value, "status": "met" if met else "not_met"}


class PlanReview(models.Model):
    """A year's "progress and development" record, as Newcastle's plan keeps one: the previous priorities, the
    progress made, the new priorities and the development plans. It appears in the report."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="reviews")
    year = models.PositiveSmallIntegerField()
    previous_priorities = models.TextField(blank=True)
    progress = models.TextField(blank=True)
    new_priorities = models.TextField(blank=True)
    development_plans = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["plan_id", "year"]
        constraints = [models.UniqueConstraint(fields=["plan", "year"], name="one_review_per_plan_year")]
        verbose_name = "progress and development record"

    def __str__(self):
        return f"{self.plan}: {self.year}"


class KpiValue(models.Model):
    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="values")
    period_start = models.DateField()
    target = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    actual = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["kpi_id", "period_start"]
        constraints = [models.UniqueConstraint(fields=["kpi", "period_start"], name="one_value_per_kpi_period")]

    def __str__(self):
        return f"{self.kpi}: {self.period_label}"

    @property
    def period_label(self):
        return period_label(self.kpi.frequency, self.period_start)


