"""Every write to an action plan, each in one transaction: the plan's one door, as `score_write` is the scores'.

Each service takes plain values (keyword-only), takes a row lock on the plan (`_lock`), checks every rule of
`actionplans.rules`, writes, and marks the plan changed (`ActionPlan.touch`): a change to a published plan is a
new version of it. A refused change raises `NotValid` with `{field: message}` and writes nothing. The plan
pages, the demo seeder and the dataset generator all come through here (or, for bulk rows, through the same
rules first); the admin only reads.

Keys of a line's targets and a KPI's values are "targets.<index>.<field>" and "values.<index>.<field>", the
index being the row's place in the list passed in.
"""

from django.db import models, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from assessments.services import NotValid
from maturity.models import Objective, Section

from . import rules
from .models import (
    ActionPlan,
    DeliveryConsideration,
    Kpi,
    KpiValue,
    LineTarget,
    PlanGoal,
    PlanLine,
    PlanReview,
    PlanStatus,
    WorkStatus,
)
from .selectors import assessed_levels, latest_assessment

__all__ = ["NotValid", "Door", "plan_create", "plan_update", "plan_add_key_areas", "line_write", "kpi_write", "plan_item_write", "plan_item_delete", "plan_publish"]


class Door(models.TextChoices):
    """Every way a plan is written; recorded as each history row's change reason. tests/test_plan_doors.py has a column per door."""

    PLAN_PAGES = "plan_pages", "Plan pages"
    DEMO = "demo", "Demo data"
    GENERATED = "generated", "Generated data"


LINE_TEXTS = (
    ("title", "The title", 200), ("current_level_note", "The note on the current level", rules.MAX_TEXT_LENGTH),
    ("current_text", "Where we are now", rules.MAX_TEXT_LENGTH), ("owner", "The owner", 200), ("progress_notes", "Progress notes", rules.MAX_TEXT_LENGTH),
)
KPI_TEXTS = (("question", "The question", 300), ("baseline_text", "The baseline as written", rules.MAX_TEXT_LENGTH), ("target_windows", "The targets as written", rules.MAX_TEXT_LENGTH))
ITEMS = {"goal": PlanGoal, "review": PlanReview, "consideration": DeliveryConsideration}
DELETABLE = {**ITEMS, "line": PlanLine, "kpi": Kpi}


def _lock(plan_id):
    return ActionPlan.objects.select_for_update().select_related("framework").get(pk=plan_id)


def _child(model, plan, pk):
    """The plan's line, KPI or item `pk`; NotValid if someone deleted it meanwhile (a stale form)."""
    item = model.objects.filter(plan=plan, pk=pk).first()
    if item is None:
        raise NotValid({"__all__": f"This {model._meta.verbose_name} was deleted by someone else meanwhile; nothing was saved."})
    return item


def _refuse(problems):
    if problems:
        raise NotValid(problems)


def _stamp(instance, user, door):
    """Who and by which door, for the history row this save writes."""
    instance._history_user = user
    instance._change_reason = Door(door).label
    return instance


def _changed(plan, *, user, door, fields=()):
    _stamp(plan, user, door)
    plan.touch(*fields)


def _choice(problems, field, value, choices, message):
    if value not in {choice for choice, _ in choices}:
        problems[field] = message


def _clash(*, council_id, framework_id, start_year, exclude=None):
    plans = ActionPlan.objects.filter(council_id=council_id, framework_id=framework_id, start_year=start_year).select_related("framework")
    plan = plans.exclude(pk=exclude).first() if exclude else plans.first()
    return str(plan.framework) if plan else None


@transaction.atomic
def plan_create(*, council_id, framework_id, title, start_year, end_year, user, line_per_key_area=False, door=Door.PLAN_PAGES):
    """A new plan, empty unless `line_per_key_area` (then as plan_add_key_areas).

    IntegrityError if the council already has a plan for this framework starting that year and it was made a
    moment ago (two heads at once); NotValid otherwise.
    """
    clash = _clash(council_id=council_id, framework_id=framework_id, start_year=start_year) if isinstance(start_year, int) else None
    _refuse(rules.plan_problems(title=title, start_year=start_year, end_year=end_year, clash=clash))
    plan = _stamp(ActionPlan(council_id=council_id, framework_id=framework_id, title=title.strip(), start_year=start_year, end_year=end_year, owner=user), user, door)
    plan.save()
    if line_per_key_area:
        plan_add_key_areas(plan_id=plan.pk, user=user, door=door)
    return plan


@transaction.atomic
def plan_update(*, plan_id, user, title, start_year, end_year, door=Door.PLAN_PAGES):
    """A plan's title and years; on a published plan, a new version."""
    plan = _lock(plan_id)
    target_years = set(LineTarget.objects.filter(line__plan=plan).values_list("year", flat=True))
    clash = _clash(council_id=plan.council_id, framework_id=plan.framework_id, start_year=start_year, exclude=plan.pk) if isinstance(start_year, int) else None
    _refuse(rules.plan_problems(title=title, start_year=start_year, end_year=end_year, target_years=target_years, clash=clash))
    if (plan.title, plan.start_year, plan.end_year) == (title.strip(), start_year, end_year):
        return plan  # nothing changed: no new version
    plan.title, plan.start_year, plan.end_year = title.strip(), start_year, end_year
    _changed(plan, user=user, door=door, fields=("title", "start_year", "end_year"))
    return plan


@transaction.atomic
def plan_add_key_areas(*, plan_id, user, door=Door.PLAN_PAGES):
    """A key-area line for every key area of the framework that has none yet, its current level the latest assessed
    (weakest) one. Returns how many were added."""
    plan = _lock(plan_id)
    assessed = assessed_levels(assessment=latest_assessment(plan=plan))
    have = set(plan.lines.filter(objective__isnull=True).values_list("section_id", flat=True))
    lines = [
        PlanLine(plan=plan, section=section, current_level=assessed["sections"].get(section.pk), order=section.number)
        for section in plan.framework.sections.all()
        if section.pk not in have
    ]
    bulk_create_with_history(lines, PlanLine, default_user=user, default_change_reason=Door(door).label)
    if lines:
        _changed(plan, user=user, door=door)
    return len(lines)


PICKS = {
    "section": (Section, "framework_id", "Choose a key area of this plan's framework."),
    "objective": (Objective, "framework_id", "Choose an objective of this plan's framework."),
    "line": (PlanLine, "plan_id", "Choose a line of this plan."),
}


def _pick(plan, field, pk, problems):
    """The key area, objective or line `pk` if it belongs to this plan (or its framework); None, with a problem
    for `field` if it does not; None for no pk."""
    if pk is None:
        return None
    model, scope, message = PICKS[field]
    found = model.objects.filter(pk=pk, **{scope: plan.framework_id if scope == "framework_id" else plan.pk}).first()
    if found is None:
        problems[field] = message
    return found


@transaction.atomic
def line_write(*, plan_id, user, line_id=None, section_id, objective_id=None, title="", current_level=None, current_working_towards=False, current_level_note="",
               current_text="", owner="", due_date=None, status=WorkStatus.NOT_STARTED, progress_notes="", targets=(), door=Door.PLAN_PAGES):
    """Add or change a plan line with its whole set of yearly targets (`targets`: dicts of year, level,
    working_towards, narrative, reason; a year left out is removed). A framework line's current level left empty is
    the latest assessed one. Returns the line."""
    plan = _lock(plan_id)
    line = _child(PlanLine, plan, line_id) if line_id else PlanLine(plan=plan, order=100 if section_id is None else 0)
    problems = {}
    section, objective = _pick(plan, "section", section_id, problems), _pick(plan, "objective", objective_id, problems)
    _choice(problems, "status", status, WorkStatus.choices, "Choose a status.")
    assessed_level = None
    if section is not None:
        assessed = assessed_levels(assessment=latest_assessment(plan=plan))
        assessed_level = assessed["objectives"].get(objective.pk) if objective else assessed["sections"].get(section.pk)
        if current_level is None:
            current_level = assessed_level
    values = {"title": title, "current_level_note": current_level_note, "current_text": current_text, "owner": owner, "progress_notes": progress_notes}
    problems |= rules.line_problems(
        section_id=section_id, objective_section_id=objective.section_id if objective else None, has_objective=objective_id is not None, title=title,
        current_level=current_level, current_working_towards=current_working_towards, current_level_note=current_level_note, assessed=assessed_level,
        names=(objective.number, objective.section, section) if objective and section else None,
        texts=[(field, label, values[field], limit) for field, label, limit in LINE_TEXTS],
    )
    targets = [dict(target) for target in targets]
    target_issues = rules.target_problems(start_year=plan.start_year, end_year=plan.end_year, custom=section_id is None, current_level=current_level, targets=targets)
    _refuse(problems | {f"targets.{key}" if key != "__all__" else "targets": message for key, message in target_issues.items()})
    line.section, line.objective = section, objective
    line.current_level, line.current_working_towards, line.due_date, line.status = current_level, bool(current_working_towards), due_date, status
    for field, value in values.items():
        setattr(line, field, value.strip() if field == "title" else value)
    _stamp(line, user, door).save()
    _replace_rows(line.targets.all(), targets, key="year", make=lambda year: LineTarget(line=line, year=year), user=user, door=door, fields={
        "level": lambda v: v.get("level"), "working_towards": lambda v: bool(v.get("working_towards")),
        "narrative": lambda v: v.get("narrative") or "", "reason": lambda v: v.get("reason") or "",
    })
    _changed(plan, user=user, door=door)
    return line


@transaction.atomic
def kpi_write(*, plan_id, user, kpi_id=None, name, kind, unit, frequency="annual", direction=Kpi.Direction.HIGHER, question="", baseline_value=None, baseline_period=None,
              baseline_text="", target_windows="", in_development=False, section_id=None, line_id=None, values=(), door=Door.PLAN_PAGES):
    """Add or change a KPI with its whole set of values per period (`values`: dicts of period_start, target,
    actual, note; a period left out is removed). Returns the KPI."""
    plan = _lock(plan_id)
    kpi = _child(Kpi, plan, kpi_id) if kpi_id else Kpi(plan=plan)
    problems = {}
    _choice(problems, "kind", kind, Kpi.Kind.choices, "Choose the type of measure.")
    _choice(problems, "unit", unit, Kpi.Unit.choices, "Choose the unit.")
    _choice(problems, "direction", direction, Kpi.Direction.choices, "Say whether higher or lower is better.")
    section, line = _pick(plan, "section", section_id, problems), _pick(plan, "line", line_id, problems)
    if line is not None and section_id is None:
        section = line.section  # a KPI on a line sits in the line's key area
    texts = {"question": question, "baseline_text": baseline_text, "target_windows": target_windows}
    locked = bool(kpi.pk) and frequency != kpi.frequency and kpi.values.exists()
    problems |= rules.kpi_problems(
        name=name, frequency=frequency, unit=unit, baseline_value=baseline_value, baseline_period=baseline_period, section_id=section.pk if section else None,
        line_section_id=line.section_id if line else None, has_line=line is not None, frequency_locked=locked,
        texts=[(field, label, texts[field], limit) for field, label, limit in KPI_TEXTS],
    )
    values = [dict(value) for value in values]
    value_issues = rules.kpi_value_problems(frequency=frequency, unit=unit, values=values)
    _refuse(problems | {f"values.{key}": message for key, message in value_issues.items()})
    kpi.name, kpi.kind, kpi.unit, kpi.frequency, kpi.direction = name.strip(), kind, unit, frequency, direction
    kpi.baseline_value, kpi.baseline_period, kpi.in_development, kpi.section, kpi.line = baseline_value, baseline_period, bool(in_development), section, line
    for field, value in texts.items():
        setattr(kpi, field, value)
    _stamp(kpi, user, door).save()
    _replace_rows(kpi.values.all(), values, key="period_start", make=lambda start: KpiValue(kpi=kpi, period_start=start), user=user, door=door, fields={
        "target": lambda v: v.get("target"), "actual": lambda v: v.get("actual"), "note": lambda v: v.get("note") or "",
    })
    _changed(plan, user=user, door=door)
    return kpi


def _replace_rows(existing, wanted, *, key, make, user, door, fields):
    """Make a parent's rows (a line's targets, a KPI's values) the `wanted` set: one per `key`, those left out
    deleted, the rest updated in place (their history kept) or made with `make(key)`; `fields` name → value(row)."""
    by_key = {getattr(row, key): row for row in existing}
    keep = {values[key] for values in wanted}
    for value, old in by_key.items():
        if value not in keep:
            _stamp(old, user, door).delete()
    for values in wanted:
        row = by_key.get(values[key]) or make(values[key])
        for field, value_of in fields.items():
            setattr(row, field, value_of(values))
        _stamp(row, user, door).save()


def _item_problems(plan, kind, item, values):
    if kind == "goal":
        return rules.goal_problems(text=values.get("text"), level_from=values.get("level_from"), level_to=values.get("level_to"))
    if kind == "review":
        taken = set(plan.reviews.exclude(pk=item.pk).values_list("year", flat=True))  # pk None (a new record) excludes nothing
        return rules.review_problems(year=values.get("year"), taken_years=taken, texts=values)
    problems = rules.consideration_problems(description=values.get("description"), owner=values.get("owner", ""))
    _choice(problems, "status", values.get("status", DeliveryConsideration.Status.NEEDED), DeliveryConsideration.Status.choices, "Choose a status.")
    _pick(plan, "section", values.get("section_id"), problems)
    return problems


ITEM_FIELDS = {
    "goal": ("text", "level_from", "level_to", "review_date"),
    "review": ("year", "previous_priorities", "progress", "new_priorities", "development_plans"),
    "consideration": ("section_id", "description", "owner", "status"),
}


@transaction.atomic
def plan_item_write(*, plan_id, user, kind, item_id=None, values, door=Door.PLAN_PAGES):
    """Add or change a goal, a progress-and-development record or a delivery consideration (`kind`), from
    `values` (its fields by name; a key area as section_id). Returns it."""
    plan = _lock(plan_id)
    model = ITEMS[kind]
    item = _child(model, plan, item_id) if item_id else model(plan=plan)
    unknown = set(values) - set(ITEM_FIELDS[kind])
    if unknown:
        raise ValueError(f"{kind} has no field {', '.join(sorted(unknown))}")
    _refuse(_item_problems(plan, kind, item, values))
    for field, value in values.items():
        setattr(item, field, value)
    _stamp(item, user, door).save()
    _changed(plan, user=user, door=door)
    return item


@transaction.atomic
def plan_item_delete(*, plan_id, user, kind, item_id, door=Door.PLAN_PAGES):
    """Delete a line, KPI, goal, record or consideration of the plan; returns what it was called."""
    plan = _lock(plan_id)
    item = _child(DELETABLE[kind], plan, item_id)
    name = str(item)
    _stamp(item, user, door).delete()
    _changed(plan, user=user, door=door)
    return name


@transaction.atomic
def plan_publish(*, plan_id, user, at=None, door=Door.PLAN_PAGES):
    """Publish a draft plan: from now on (or from `at`, for seeded history) dashboards and reports of years submitted
    after that moment show it. The council's plan for the same framework published before it is superseded.
    Publishing twice is harmless."""
    plan = _lock(plan_id)
    if not plan.is_draft:
        return plan
    now = at or timezone.now()
    earlier = ActionPlan.objects.select_for_update().filter(council_id=plan.council_id, framework_id=plan.framework_id, status=PlanStatus.PUBLISHED).exclude(pk=plan.pk)
    for old in earlier:
        old.status, old.superseded_at = PlanStatus.SUPERSEDED, now
        _stamp(old, user, door).save(update_fields=["status", "superseded_at", "updated_at"])
    plan.status, plan.published_at, plan.published_by_id, plan.version = PlanStatus.PUBLISHED, now, user.pk, 1
    _stamp(plan, user, door).save(update_fields=["status", "published_at", "published_by", "version", "updated_at"])
    return plan
