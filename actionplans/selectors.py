"""Every read of a plan, written once: the plan page, the gap view, the dashboard, the landing page, both PDF
editions, the plan workbook (and the API to come) call these.

* `plan_shown_for` — which plan a year is judged against: for a submitted year the plan published when it was
  signed off (or the latest published before), for a draft the plan published now. A plan published later, or a
  draft, never changes what a submitted year showed.
* `plan_version` / `plan_version_for` — which plan and version is shown, with the current plan when it is not it.
* `current_plan` — the council's current published plan for a framework (what "the plan" means today).
* `assessed_levels` — the levels a plan's lines are measured against (key areas at their weakest, by
  assessments.selectors), from the latest submitted year up to a given year.
* `plan_display` — the plan prepared for display, in one shape: lines with their yearly cells, progress counts,
  KPIs with their periods and status, goals, considerations, reviews, the current roll-up, and which version it is.
"""

from django.db.models import Prefetch

from assessments.models import Assessment
from assessments.selectors import key_area_figures
from maturity import rules
from maturity.models import level_texts

from .models import STATUS_LABELS, ActionPlan, KpiValue, LineTarget, PlanStatus, shown_plan

PROGRESS_KEYS = ("achieved", "on_track", "overdue", "no_target")


def plan_shown_for(*, assessment):
    """The published plan a year is judged against (None if there is none): see the module docstring."""
    if assessment.is_draft or not assessment.submitted_at:
        return current_plan(council_id=assessment.council_id, framework_id=assessment.framework_id)
    as_of = assessment.submitted_at
    return ActionPlan.objects.shown_for(council_id=assessment.council_id, framework_id=assessment.framework_id, year=assessment.year, as_of=as_of)


def plans_shown_for(*, assessments):
    """{assessment id: the plan shown for it (plan_shown_for), or None} for many submitted years of one council, in
    one query whatever the number of years: the same rule (models.shown_plan) on the council's published plans."""
    assessments = [a for a in assessments if a.submitted_at]
    council_ids = {a.council_id for a in assessments}
    plans = list(ActionPlan.objects.filter(council_id__in=council_ids).published().select_related("published_by")) if assessments else []
    return {
        a.pk: shown_plan([p for p in plans if p.council_id == a.council_id and p.framework_id == a.framework_id], year=a.year, as_of=a.submitted_at)
        for a in assessments
    }


def plan_version(*, plan):
    """{plan, current}: which plan and version this is, and the current published plan when this one is superseded
    (else None): what every place showing a plan names (templates/actionplans/partials/plan_version.html)."""
    current = None
    if not plan.is_draft and plan.status != PlanStatus.PUBLISHED:
        current = current_plan(council_id=plan.council_id, framework_id=plan.framework_id)
    return {"plan": plan, "current": current}


def plan_version_for(*, assessment):
    """plan_version of the plan shown for this year (plan_shown_for), or None: for pages that name it without showing it."""
    plan = plan_shown_for(assessment=assessment)
    return plan_version(plan=plan) if plan else None


def current_plan(*, council_id, framework_id):
    """The council's published, not superseded, plan for the framework, or None."""
    plans = ActionPlan.objects.filter(council_id=council_id, framework_id=framework_id, status=PlanStatus.PUBLISHED).select_related("published_by")
    return plans.order_by("-published_at").first()


def latest_assessment(*, plan, up_to_year=None):
    """The latest submitted assessment of the plan's council and framework (of `up_to_year` or before), or None."""
    submitted = Assessment.objects.submitted().filter(council_id=plan.council_id, framework_id=plan.framework_id)
    if up_to_year is not None:
        submitted = submitted.filter(year__lte=up_to_year)
    return submitted.order_by("-year").first()


def assessed_levels(*, assessment):
    """{'year', 'objectives': {objective_id: level}, 'sections': {section_id: weakest}, 'means': {section_id: mean}}
    of one assessment (None: nothing assessed yet). The LGA rule: a key area stands at its weakest objective."""
    if assessment is None:
        return {"year": None, "objectives": {}, "sections": {}, "means": {}}
    rows = list(assessment.scores.values_list("objective_id", "objective__section_id", "level", "out_of_scope"))
    figures = key_area_figures((section_id, level, out_of_scope) for _, section_id, level, out_of_scope in rows)["sections"]
    return {
        "year": assessment.year,
        "objectives": {objective_id: level for objective_id, _, level, out_of_scope in rows if not out_of_scope},
        "sections": {pk: f["weakest"] for pk, f in figures.items() if f["weakest"] is not None},
        "means": {pk: f["mean"] for pk, f in figures.items() if f["mean"] is not None},
    }


def plan_lines(plan):
    """The plan's lines with their targets (in year order), prefetched."""
    return plan.lines.select_related("section", "objective").prefetch_related(Prefetch("targets", queryset=LineTarget.objects.order_by("year")))


def plan_kpis(plan):
    return plan.kpis.select_related("section", "line__section", "line__objective").prefetch_related(Prefetch("values", queryset=KpiValue.objects.order_by("period_start")))


class _LevelTexts:
    """The framework texts of a plan's lines (maturity.models.level_texts), read once, when a cell first needs one."""

    def __init__(self, lines):
        self.lines, self._texts = lines, None

    def get(self):
        if self._texts is None:
            lines = self.lines
            self._texts = level_texts(
                section_ids={line.section_id for line in lines if line.section_id and not line.objective_id}, objective_ids={line.objective_id for line in lines if line.objective_id}
            )
        return self._texts


class _Cells:
    """A line's target per year of the plan, [{year, target, descriptor}], worked out when first read: pages of figures
    (the dashboard, the landing page) never read them, nor the framework texts they need."""

    def __init__(self, line, years, texts):
        self.line, self.years, self.texts, self._cells = line, years, texts, None

    def _all(self):
        if self._cells is None:
            self._cells = [self.line.target_cell(year, self.texts.get()) for year in self.years]
        return self._cells

    def __iter__(self):
        return iter(self._all())

    def __len__(self):
        return len(self.years)

    def __getitem__(self, index):
        return self._all()[index]


def plan_display(*, plan, year=None, today=None, shown=None):
    """The plan prepared for display, measured against the latest submitted year (up to `year`, for a year's view).

    {plan, current (the current published plan when `plan` is not it, else None), assessed, lines (each with
    .assessed, .state, .state_label and .cells: [{year, target, descriptor}]), progress {achieved, on_track, overdue,
    no_target}, current_roll_up, kpis (each with .rows), kpi_status {met, judged, total}, considerations, goals, reviews}.

    `shown`: the assessment of `year` the caller is showing, if it has it: a submitted one is itself the latest
    submitted year up to `year`, which saves looking it up. considerations, goals and reviews are read when first used
    (a page of figures that never lists them makes no query for them).
    """
    same_year = shown is not None and not shown.is_draft and shown.year == year and (shown.council_id, shown.framework_id) == (plan.council_id, plan.framework_id)
    assessed = assessed_levels(assessment=shown if same_year else latest_assessment(plan=plan, up_to_year=year))
    lines = list(plan_lines(plan))
    texts = _LevelTexts(lines)
    for line in lines:
        line.assessed = line.assessed_level(assessed)
        line.state = line.progress(assessed, today=today)
        line.state_label = STATUS_LABELS[line.state]
        line.cells = _Cells(line, plan.years, texts)
    kpis = list(plan_kpis(plan))
    latest_status = []
    for kpi in kpis:
        kpi.rows = kpi.periods()
        if kpi.rows:
            latest_status.append(kpi.rows[-1]["status"])
    judged = [status for status in latest_status if status not in ("no_data", "in_development")]
    return {
        **plan_version(plan=plan),
        "assessed": assessed,
        "lines": lines,
        "progress": {key: sum(1 for line in lines if line.state == key) for key in PROGRESS_KEYS},
        "current_roll_up": rules.roll_up([line.current_level for line in lines if line.objective_id is None and line.section_id]),
        "kpis": kpis,
        "kpi_status": {"met": judged.count("met"), "judged": len(judged), "total": len(kpis)},
        "considerations": plan.considerations.select_related("section"),
        "goals": plan.goals.all(),
        "reviews": plan.reviews.all(),
    }


def plan_profile(display):
    """Per key area of a plan_display: latest assessed (weakest), the plan's current level and final target."""
    areas = {}
    for line in display["lines"]:
        if line.is_custom:
            continue  # outside the framework: no level to chart
        area = areas.setdefault(
            line.section.number, {"number": line.section.number, "name": line.section.name, "current": None, "target": None, "assessed": display["assessed"]["sections"].get(line.section_id)}
        )
        if line.objective_id is None:
            final = line.final_target()
            area["current"] = line.current_level
            area["target"] = final.level if final else area["target"]
    return {"plan": display["plan"], "assessed_year": display["assessed"]["year"], "areas": [areas[n] for n in sorted(areas)], "progress": display["progress"]}
