"""The numbers behind every chart, for the dashboards (Plotly) and the PDF report (SVG) alike.

Each function runs a fixed number of aggregate queries, whatever the number of
objectives, years or councils.
"""

import hashlib
from collections import Counter, defaultdict
from statistics import median, quantiles

from django.core.cache import cache
from django.db.models import Count, Max

from actionplans.selectors import plan_display, plan_shown_for
from assessments.models import Assessment, Score
from assessments.selectors import (
    LEVEL_KEYS,
    key_area_figures,
    key_area_levels,
    key_area_weakest_sql,
    objective_level_counts_sql,
    previous_submitted,
    year_levels,
)
from maturity import rules
from maturity.levels import Level
from maturity.models import Section

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
    """Everything the summary charts and headline figures need, from one query (two with a previous year).

    Objectives marked out of scope are left out of every figure (assessments.selectors.key_area_figures) and listed
    under "out_of_scope".
    """
    every = objective_levels(assessment)
    objectives = [row for row in every if not row["out_of_scope"]]
    figures = key_area_figures((row["section_number"], row["level"], row["out_of_scope"]) for row in every)
    names = {row["section_number"]: row["section"] for row in every}
    sections = [
        {"number": number, "name": names[number], "counts": section["counts"], "weakest": section["weakest"], "mean": section["mean"], "scored": section["scored"], "total": section["total"]}
        for number, section in sorted(figures["sections"].items())
        if section["total"]
    ]
    overall = figures["overall"]
    changes = None
    if previous is not None:
        before = dict(Score.objects.filter(assessment=previous).values_list("objective__number", "level"))
        changes = Counter(rules.change(before.get(row["number"]), row["level"]) for row in objectives)
        for row in objectives:
            row["previous"] = before.get(row["number"])
    return {
        "overall": overall["counts"],
        "sections": sections,
        "objectives": objectives,
        "by_level": {level: [row for row in objectives if row["level"] == level] for level in LEVEL_KEYS},
        "mean": overall["mean"],
        "weakest": overall["weakest"],
        "scored": overall["scored"],
        "total": overall["total"],
        "changes": {key: changes.get(key, 0) for key in ("up", "same", "down")} if changes is not None else None,
        "out_of_scope": [row for row in every if row["out_of_scope"]],
    }


def key_area_history(assessments):
    """{'years': [...], 'sections': [{number, name, weakest: {year: level}, mean: {year: x}}]} over the given assessments (two queries)."""
    assessments = list(assessments)
    if not assessments:
        return {"years": [], "sections": []}
    by_assessment = key_area_levels(assessment_ids=[a.pk for a in assessments])
    sections = {s.pk: s for s in Section.objects.filter(framework_id__in={a.framework_id for a in assessments})}
    weakest, means = defaultdict(dict), defaultdict(dict)
    for a in assessments:
        for section_id, figures in by_assessment[a.pk]["sections"].items():
            if figures["weakest"] is not None:
                weakest[section_id][a.year], means[section_id][a.year] = figures["weakest"], figures["mean"]
    shown = sorted(weakest, key=lambda pk: sections[pk].number)
    return {
        "years": sorted({a.year for a in assessments}),
        "sections": [{"number": sections[pk].number, "name": sections[pk].name, "weakest": weakest[pk], "mean": means[pk]} for pk in shown],
    }


def history_rows(history):
    """The year-on-year table: one row per key area, its weakest level in each year."""
    return [
        {"name": f"{s['number']}. {s['name']}", "values": [s["weakest"].get(y) for y in history["years"]], "cells": [(y, s["weakest"].get(y)) for y in history["years"]]}
        for s in history["sections"]
    ]


def _spread(histogram):
    """Quartiles from {level: number of councils}; None for fewer than MIN_GROUP councils."""
    values = [level for level in sorted(histogram) for _ in range(histogram[level])]
    if len(values) < MIN_GROUP:
        return None
    q1, _, q3 = quantiles(values, n=4, method="inclusive")
    return {"q1": q1, "median": median(values), "q3": q3, "n": len(values), "min": values[0], "max": values[-1]}


GROUPS = {"all": "All councils", "kind": "Councils of the same type", "region": "Councils in the same region"}


def benchmark_group(group, own):
    """(group, councils, label) a benchmark compares with: all councils, or the own council's type or region (an
    unknown group, or one needing a council the reader has not got, is all councils)."""
    from councils.models import Council

    if group not in GROUPS or (group != "all" and own is None):
        group = "all"
    councils = Council.objects.all()
    if group == "kind":
        return group, councils.filter(kind=own.kind), f"{own.get_kind_display()} councils"
    if group == "region":
        return group, councils.filter(region=own.region), f"Councils in {own.get_region_display()}"
    return group, councils, GROUPS[group]


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
    mine = submitted.filter(council=own_council).first() if own_council is not None else None
    if mine is not None:
        own["objectives"] = dict(mine.scores.filter(level__isnull=False).values_list("objective_id", "level"))
        own["sections"] = {section_id: f["weakest"] for section_id, f in year_levels(assessment=mine)["sections"].items() if f["weakest"] is not None}
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

    The key-area figure is the weakest of assessments.selectors, computed by the database (key_area_weakest_sql) so
    that a national group is never read score by score; tests/test_selectors.py checks the two forms agree.
    """
    by_section = defaultdict(Counter)
    for (_, section_id), level in key_area_weakest_sql(assessments=submitted).items():
        by_section[section_id][level] += 1
    return objective_level_counts_sql(assessments=submitted), dict(by_section)


def headline(council, framework_id=None):
    """What a councillor needs first: the latest signed-off year's weakest level and mean, the change since the year
    before, the plan that year is judged against (the same plan its dashboard and report show) with its progress and
    how many KPIs met their latest target. None before any year is signed off."""
    submitted = Assessment.objects.submitted().filter(council=council).select_related("framework", "council", "submitted_by")
    if framework_id:
        submitted = submitted.filter(framework_id=framework_id)
    years = list(submitted.order_by("-year", "-submitted_at"))  # a council's signed-off years: a few rows
    if not years:
        return None
    latest = years[0]
    previous = previous_submitted(assessment=latest, among=years)
    plan = plan_shown_for(assessment=latest)
    display = plan_display(plan=plan, year=latest.year, shown=latest) if plan is not None else None
    return {"assessment": latest, "previous": previous, "summary": summary(latest, previous), "plan": display}
