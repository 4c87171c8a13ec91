"""Reads of a published plan's earlier versions, from the history tables simple-history keeps (issue 29, item 4).

Every change to a published plan is a new version (ActionPlan.touch, called by actionplans.services after the
change's own rows are written, in the same transaction). So version N is the plan as it stood at the last
history record of the plan that carries N: every line, target, KPI and value written for N is recorded before it,
and nothing of N+1 is. These are selectors: they read, and never write.
"""

from collections import defaultdict

from maturity import rules

from .models import DeliveryConsideration, Kpi, KpiValue, LineTarget, PlanLine

LINE_FIELDS = [
    ("label", "Line"), ("current_label", "Current level"), ("current_text", "Where we are now"), ("owner", "Owner"),
    ("due_date", "Due"), ("status_label", "Status"), ("progress_notes", "Progress"),
]


def plan_moments(plan):
    """{version: the moment it was last as it stood}, for every published version of the plan (one query)."""
    moments = {}
    for version, when in plan.history.filter(version__gt=0).values_list("version", "history_date"):
        if version not in moments or when > moments[version]:
            moments[version] = when
    return moments


def _target_words(target):
    if target is None:
        return "No target"
    words = rules.level_words(target.level, target.working_towards) if target.level else ""
    return " – ".join(part for part in (words, target.narrative.strip()) if part) or "No target"


def plan_snapshot(*, plan, version):
    """Version `version` of a published plan, read-only: {plan (as it then stood), version, at, lines (each with
    .cells [{year, words}] and .status_label), kpis (each with .rows from its then values), considerations}; None
    when the plan has no such version."""
    at = plan_moments(plan).get(version)
    if at is None:
        return None
    then = plan.history.as_of(at)
    sections = {s.pk: s for s in plan.framework.sections.all()}
    objectives = {o.pk: o for o in plan.framework.objectives.all()}
    lines = list(PlanLine.history.as_of(at).filter(plan_id=plan.pk))
    targets = defaultdict(list)
    for target in LineTarget.history.as_of(at).filter(line_id__in=[line.pk for line in lines]):
        targets[target.line_id].append(target)
    for line in lines:
        line.section = sections.get(line.section_id) if line.section_id else None
        line.objective = objectives.get(line.objective_id) if line.objective_id else None
        line._prefetched_objects_cache = {"targets": sorted(targets[line.pk], key=lambda t: t.year)}
        by_year = {t.year: t for t in targets[line.pk]}
        line.cells = [{"year": year, "words": _target_words(by_year.get(year))} for year in then.years]
        line.status_label = line.get_status_display()
    lines.sort(key=lambda line: (line.section.number if line.section else 10**6, line.objective.number if line.objective else 0, line.order, line.pk))
    kpis = list(Kpi.history.as_of(at).filter(plan_id=plan.pk))
    values = defaultdict(list)
    for value in KpiValue.history.as_of(at).filter(kpi_id__in=[kpi.pk for kpi in kpis]):
        values[value.kpi_id].append(value)
    for kpi in kpis:
        kpi.section = sections.get(kpi.section_id) if kpi.section_id else None
        kpi._prefetched_objects_cache = {"values": sorted(values[kpi.pk], key=lambda v: v.period_start)}
        kpi.rows = kpi.periods()
    kpis.sort(key=lambda kpi: (kpi.name.casefold(), kpi.pk))
    considerations = list(DeliveryConsideration.history.as_of(at).filter(plan_id=plan.pk).order_by("pk"))
    for item in considerations:
        item.section = sections.get(item.section_id) if item.section_id else None
    return {"plan": then, "version": version, "at": at, "lines": lines, "kpis": kpis, "considerations": considerations}


def _line_facts(line):
    facts = {label: str(getattr(line, field) or "") for field, label in LINE_FIELDS if field != "due_date"}
    facts["Due"] = line.due_date.strftime("%-d %B %Y") if line.due_date else ""
    for cell in line.cells:
        facts[f"Target {cell['year']}"] = cell["words"]
    return facts


def _kpi_facts(kpi):
    facts = {"Name": kpi.name, "Baseline": kpi.baseline_label, "Targets as written": kpi.target_windows.strip()}
    for row in kpi.rows:
        facts[row["label"]] = f"target {row['target_text']}, actual {row['actual_text']}"
    return facts


def _compare(before, after, facts, name):
    """[{name, change: added|removed|changed, fields: [(label, was, now)]}] between two lists keyed by pk."""
    old, new = {item.pk: item for item in before}, {item.pk: item for item in after}
    changes = []
    for pk, item in new.items():
        if pk not in old:
            changes.append({"name": name(item), "change": "added", "fields": [(label, "", value) for label, value in facts(item).items() if value]})
            continue
        was, now = facts(old[pk]), facts(item)
        fields = [(label, was.get(label, ""), value) for label, value in now.items() if was.get(label, "") != value]
        fields += [(label, value, "") for label, value in was.items() if label not in now and value]
        if fields:
            changes.append({"name": name(item), "change": "changed", "fields": fields})
    for pk, item in old.items():
        if pk not in new:
            changes.append({"name": name(item), "change": "removed", "fields": []})
    return changes


def plan_changes(*, before, after):
    """What changed from one plan_snapshot to the next, line by line: {plan: [(label, was, now)], lines, kpis,
    considerations} (each list as _compare gives)."""
    plan_fields = [("Title", "title"), ("Period", "period_label")]
    plan = [(label, str(getattr(before["plan"], field)), str(getattr(after["plan"], field))) for label, field in plan_fields if getattr(before["plan"], field) != getattr(after["plan"], field)]
    return {
        "plan": plan,
        "lines": _compare(before["lines"], after["lines"], _line_facts, lambda line: line.label),
        "kpis": _compare(before["kpis"], after["kpis"], _kpi_facts, lambda kpi: kpi.name),
        "considerations": _compare(
            before["considerations"], after["considerations"],
            lambda item: {"Key area": item.section.name if item.section else "Whole plan", "Depends on": item.description, "Owner": item.owner, "Status": item.get_status_display()},
            lambda item: (item.description[:60] + "…") if len(item.description) > 60 else item.description,
        ),
    }
