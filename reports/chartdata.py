"""The numbers behind every chart, for the dashboards (Plotly) and the PDF report (SVG) alike.

Each function runs a fixed number of aggregate queries, whatever the number of
objectives, years or councils.
"""

import hashlib
from collections import Counter, defaultdict
from statistics import median, quantiles

from django.core.cache import cache
from django.db.models import Count, Max, Min
from django.utils import timezone

from actionplans.models import ActionPlan
from assessments.models import Assessment, Score
from maturity import rules
from maturity.levels import Level

LEVEL_KEYS = [*Level.values, None]  # None: unscored
LEVEL_COLOURS = {1: "#fde725", 2: "#7ad151", 3: "#22a884", 4: "#2a788e", 5: "#414487", None: "#d9d9d9"}
LEVEL_TEXT_COLOURS = {1: "#000", 2: "#000", 3: "#000", 4: "#fff", 5: "#fff", None: "#000"}
MIN_GROUP = 5  # no benchmark figure for fewer councils: they could be recognised


LEVEL_KEY_LABELS = [(level, Level.label_of(level)) for level in LEVEL_KEYS]  # the key under every chart


def objective_levels(assessment):
    """[{number, name, section_number, section, level, working_towards}] in objective order: one query."""
    rows = (
        Score.objects.filter(assessment=assessment)
        .order_by("objective__number")
        .values_list("objective__number", "objective__name", "objective__section__number", "objective__section__name", "level", "working_towards", "out_of_scope", "out_of_scope_reason")
    )
    keys = ("number", "name", "section_number", "section", "level", "working_towards", "out_of_scope", "out_of_scope_reason")
    return [dict(zip(keys, row, strict=True)) for row in rows]


def summary(assessment, previous=None):
    """Everything the summary charts and headline figures need, from two queries (three with a previous year).

    Objectives marked out of scope are left out of every figure and listed under "out_of_scope".
    """
    every = objective_levels(assessment)
    objectives = [row for row in every if not row["out_of_scope"]]
    overall = Counter(row["level"] for row in objectives)
    sections = {}
    for row in objectives:
        section = sections.setdefault(row["section_number"], {"number": row["section_number"], "name": row["section"], "counts": Counter(), "levels": []})
        section["counts"][row["level"]] += 1
        if row["level"] is not None:
            section["levels"].append(row["level"])
    for section in sections.values():
        section["counts"] = {level: section["counts"].get(level, 0) for level in LEVEL_KEYS}
        figures = rules.roll_up(section["levels"])
        section["weakest"], section["mean"] = figures["weakest"], figures["mean"]
    overall_figures = rules.roll_up([row["level"] for row in objectives])
    changes = None
    if previous is not None:
        before = dict(Score.objects.filter(assessment=previous).values_list("objective__number", "level"))
        changes = Counter(rules.change(before.get(row["number"]), row["level"]) for row in objectives)
        for row in objectives:
            row["previous"] = before.get(row["number"])
    return {
        "overall": {level: overall.get(level, 0) for level in LEVEL_KEYS},
        "sections": [sections[number] for number in sorted(sections)],
        "objectives": objectives,
        "by_level": {level: [row for row in objectives if row["level"] == level] for level in LEVEL_KEYS},
        "mean": overall_figures["mean"],
        "weakest": overall_figures["weakest"],
        "scored": overall_figures["scored"],
        "total": overall_figures["total"],
        "changes": {key: changes.get(key, 0) for key in ("up", "same", "down")} if changes is not None else None,
        "out_of_scope": [row for row in every if row["out_of_scope"]],
    }


def key_area_history(assessments):
    """{'years': [...], 'sections': [{number, name, weakest: {year: level}, mean: {year: x}}]} over the given assessments: one query."""
    ids = {a.pk: a.year for a in assessments}
    rows = (
        Score.objects.filter(assessment_id__in=ids, level__isnull=False, out_of_scope=False)
        .values_list("assessment_id", "objective__section__number", "objective__section__name", "level")
    )
    levels = defaultdict(lambda: defaultdict(list))
    names = {}
    for assessment_id, number, name, level in rows:
        levels[number][ids[assessment_id]].append(level)
        names[number] = name
    years = sorted(set(ids.values()))
    figures = {number: {year: rules.roll_up(levels[number][year]) for year in years if levels[number][year]} for number in levels}
    return {
        "years": years,
        "sections": [
            {
                "number": number,
                "name": names[number],
                "weakest": {year: f["weakest"] for year, f in figures[number].items()},
                "mean": {year: f["mean"] for year, f in figures[number].items()},
            }
            for number in sorted(levels)
        ],
    }


def history_rows(history):
    """The year-on-year table: one row per key area, its weakest level in each year."""
    return [{"name": f"{s['number']}. {s['name']}", "values": [s["weakest"].get(y) for y in history["years"]]} for s in history["sections"]]


def plan_profile(plan):
    """Per key area: latest assessed (weakest), the plan's current level and final target; and line progress counts. Four queries."""
    assessed = plan.assessed_levels()
    lines = list(plan.lines.select_related("section").prefetch_related("targets"))
    areas = {}
    progress = Counter()
    for line in lines:
        progress[line.progress(assessed)] += 1
        if line.is_custom:
            continue  # outside the framework: no level to chart
        area = areas.setdefault(line.section.number, {"number": line.section.number, "name": line.section.name, "current": None, "target": None, "assessed": assessed["sections"].get(line.section_id)})
        if line.objective_id is None:
            final = line.final_target()
            area["current"] = line.current_level
            area["target"] = final.level if final else area["target"]
    return {
        "plan": plan,
        "assessed_year": assessed["year"],
        "areas": [areas[number] for number in sorted(areas)],
        "progress": {key: progress.get(key, 0) for key in ("achieved", "on_track", "overdue", "no_target")},
    }


def kpi_trends(plan):
    """Each KPI's periods with target, actual and status: two queries."""
    kpis = plan.kpis.prefetch_related("values")
    return [{"kpi": kpi, "rows": kpi.periods()} for kpi in kpis]


def plan_shown(assessment, *, as_of=None):
    """The published plan shown beside an assessment: the one published by the time it was signed off (by now, for
    a draft), so a later plan or a draft never rewrites what a submitted year showed (ActionPlan.objects.shown_for)."""
    if as_of is None:
        as_of = assessment.submitted_at if not assessment.is_draft and assessment.submitted_at else timezone.now()
    return ActionPlan.objects.shown_for(council_id=assessment.council_id, framework_id=assessment.framework_id, year=assessment.year, as_of=as_of)


def _spread(histogram):
    """Quartiles from {level: number of councils}; None for fewer than MIN_GROUP councils."""
    values = [level for level in sorted(histogram) for _ in range(histogram[level])]
    if len(values) < MIN_GROUP:
        return None
    q1, _, q3 = quantiles(values, n=4, method="inclusive")
    return {"q1": q1, "median": median(values), "q3": q3, "n": len(values), "min": values[0], "max": values[-1]}


def benchmark(framework, year, councils, own_council=None):
    """Quartiles per key area (of each council's weakest level) and per objective, over the councils' submitted assessments.

    Levels are counted in SQL (objective × level, and council × key area), so the rows read grow with
    objectives and key areas, not with every score of every council. Refused below MIN_GROUP councils.
    """
    submitted = Assessment.objects.submitted().filter(framework=framework, year=year, council__in=councils)
    state = submitted.aggregate(count=Count("council_id", distinct=True), latest=Max("submitted_at"))
    if state["count"] < MIN_GROUP:
        return {"count": state["count"], "refused": True}
    # The group's counts change only when an assessment is submitted or reopened: keep them until then.
    key = f"benchmark:{framework.pk}:{year}:{hashlib.sha256(str(submitted.values('pk').query).encode()).hexdigest()[:16]}:{state['count']}:{state['latest'].timestamp() if state['latest'] else 0}"
    by_objective, by_section = cache.get_or_set(key, lambda: _group_histograms(submitted), timeout=3600)
    own = {"sections": {}, "objectives": {}}
    if own_council is not None:
        mine = Score.objects.filter(assessment__in=submitted.filter(council=own_council), level__isnull=False).values_list("objective_id", "objective__section_id", "level")
        own_levels = defaultdict(list)
        for objective_id, section_id, level in mine:
            own["objectives"][objective_id] = level
            own_levels[section_id].append(level)
        own["sections"] = {section_id: rules.roll_up(levels)["weakest"] for section_id, levels in own_levels.items()}
    objectives = {o.pk: o for o in framework.objectives.all()}
    sections = {s.pk: s for s in framework.sections.all()}
    return {
        "count": state["count"],
        "refused": False,
        "sections": [
            {"number": sections[pk].number, "name": sections[pk].name, "spread": _spread(by_section[pk]), "own": own["sections"].get(pk)}
            for pk in sorted(by_section, key=lambda pk: sections[pk].number)
        ],
        "objectives": [
            {"number": objectives[pk].number, "name": objectives[pk].name, "spread": _spread(by_objective[pk]), "own": own["objectives"].get(pk)}
            for pk in sorted(by_objective, key=lambda pk: objectives[pk].number)
        ],
    }


def _group_histograms(submitted):
    """({objective_id: {level: councils}}, {section_id: {weakest level: councils}}), counted in SQL.

    The key-area figure is rules.roll_up's weakest, computed by the database (Min over a council's scored
    objectives) so that a national group is never read score by score; test_dashboards checks the two agree.
    """
    scored = Score.objects.filter(assessment__in=submitted, level__isnull=False)
    by_objective = defaultdict(Counter)
    for objective_id, level, n in scored.values_list("objective_id", "level").annotate(n=Count("id")).order_by():
        by_objective[objective_id][level] = n
    by_section = defaultdict(Counter)
    for _, section_id, level in scored.values_list("assessment_id", "objective__section_id").annotate(weakest=Min("level")).order_by():
        by_section[section_id][level] += 1
    return dict(by_objective), dict(by_section)


def headline(council, framework_id=None):
    """What a councillor needs first: the latest signed-off year's weakest level and mean, the change since the year
    before, the plan's progress and how many KPIs met their latest target. None before any year is signed off."""
    submitted = Assessment.objects.submitted().filter(council=council).select_related("framework", "council")
    if framework_id:
        submitted = submitted.filter(framework_id=framework_id)
    latest = submitted.order_by("-year", "-submitted_at").first()
    if latest is None:
        return None
    previous = latest.previous()
    data = summary(latest, previous)
    # The landing page is about now: the plan published today, measured against the latest signed-off levels.
    plan = plan_shown(latest, as_of=timezone.now())
    result = {"assessment": latest, "previous": previous, "summary": data, "plan": plan, "progress": None, "kpis": None}
    if plan is not None:
        result["progress"] = plan_profile(plan)["progress"]
        judged = [rows[-1]["status"] for rows in (trend["rows"] for trend in kpi_trends(plan)) if rows]
        result["kpis"] = {"met": judged.count("met"), "judged": len([s for s in judged if s != "no_data"]), "total": plan.kpis.count()}
    return result
