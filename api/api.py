"""/api/v1/: the council's own figures for Power BI, Excel and scripts. Read-only, one council per key, submitted
years and published plans only, every figure from the selectors the pages use (assessments.selectors,
actionplans.selectors, reports.chartdata). Lists are pages ({count, next, previous, results}) that Power BI
follows by `next`; `?format=csv` gives the same page's rows as CSV, text neutralised as every export is."""

from typing import Literal
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Count, Prefetch
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET
from ninja import NinjaAPI, Query
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from actionplans.models import ActionPlan, DeliveryConsideration, PlanStatus
from actionplans.selectors import plan_display, plans_shown_for
from assessments.models import Assessment, Evidence, Score
from assessments.selectors import key_area_levels, shown_level
from common.numbers import int_param, year_param
from common.sheets import csv_bytes
from maturity.levels import Level
from maturity.models import Framework, LevelDescriptor
from maturity.models import Objective as ObjectiveModel
from reports.chartdata import MIN_GROUP, benchmark, benchmark_group

from . import schemas
from .auth import BearerKey, HeaderKey, RateLimited

api = NinjaAPI(
    title="NPS procurement maturity: read API",
    version="1",
    description="Your council's submitted self-assessments against the LGA's National Procurement Strategy toolkits, "
    "its published action plans and KPIs, and anonymised benchmarks. Read-only. Send the key your head of procurement "
    "created as `Authorization: Bearer <key>` or `X-API-Key: <key>`. See docs/api.md.",
    urls_namespace="api",
    auth=[BearerKey(), HeaderKey()],
    docs_url="/docs/",
    openapi_url="/openapi.json",
    docs_decorator=require_GET,  # the description and its page are public (they hold no data) and read-only
)

ERRORS = {400: schemas.Error, 401: schemas.Error, 404: schemas.Error, 429: schemas.Error}
CSV_TOO = {"responses": {200: {"content": {"text/csv": {"schema": {"type": "string"}}}}}}
# Numbers arrive as ASCII digits within their ranges, stated exactly in the schema, so every value the schema allows is
# answered and every other is a 400 with a message (common.numbers.int_param checks the same again).
FRAMEWORK = r"^[a-z0-9-]{1,50}$"
PAGE = r"^[1-9][0-9]{0,5}$"  # 1 to 999999
PAGE_SIZE = r"^([1-9][0-9]?|[1-4][0-9]{2}|500)$"  # 1 to 500
ID = r"^[1-9][0-9]{0,8}$"
YEAR = r"^(20[0-9]{2}|2100)$"  # 2000 to 2100
DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE = 100, 500


# Errors: always {"detail": "…"} in plain words, never a 500.
@api.exception_handler(NinjaValidationError)
def invalid(request, exc):
    problems = "; ".join(f"{'.'.join(str(p) for p in error.get('loc', [])[1:]) or 'request'}: {error.get('msg', 'not valid')}" for error in exc.errors)
    return api.create_response(request, {"detail": f"Not a valid request ({problems})."}, status=400)


@api.exception_handler(AuthenticationError)
def unauthorised(request, exc):
    response = api.create_response(request, {"detail": "Send a working API key: Authorization: Bearer <key>, or X-API-Key: <key>."}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


@api.exception_handler(RateLimited)
def rate_limited(request, exc):
    response = api.create_response(request, {"detail": f"More than {settings.API_REQUESTS_PER_MINUTE} requests a minute with this key: wait a minute and try again."}, status=429)
    response["Retry-After"] = "60"
    return response


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": "Not found for this key's council."}, status=404)


def council_of(request):
    return request.auth.council


def framework_of(code):
    if code is None:
        return None
    framework = Framework.objects.filter(code=code).first()
    if framework is None:
        raise HttpError(404, f"There is no framework “{code}”: see /api/v1/frameworks for the codes.")
    return framework


def year_of(text):
    if text is None:
        return None
    year = year_param(text)
    if year is None:
        raise HttpError(400, "year must be four digits from 2000 to 2100.")
    return year


def page_of(request, items, serialize, *, page, page_size):
    """One page of `items` (a QuerySet or list), serialised, with links to the pages either side."""
    number = 1 if page is None else int_param(page, low=1, high=999_999)
    size = DEFAULT_PAGE_SIZE if page_size is None else int_param(page_size, low=1, high=MAX_PAGE_SIZE)
    if number is None or size is None:
        raise HttpError(400, f"page must be a whole number from 1, and page_size from 1 to {MAX_PAGE_SIZE}.")
    count = items.count() if hasattr(items, "count") and not isinstance(items, list) else len(items)
    start = (number - 1) * size
    rows = [serialize(item) for item in items[start : start + size]]

    def link(n):
        query = {key: value for key, value in request.GET.items() if key != "page"} | {"page": n}
        return request.build_absolute_uri(f"{request.path}?{urlencode(query)}")

    return {"count": count, "next": link(number + 1) if start + size < count else None, "previous": link(number - 1) if number > 1 and start < count + size else None, "results": rows}


def respond(request, page, format, columns=None):
    """JSON as it is, or the page's rows as CSV (nested lists joined into one cell), with `next` in a Link header."""
    if format != "csv":
        return page
    rows = page["results"]
    header = columns or (list(rows[0]) if rows else [])
    flat = [[flatten(row.get(column)) for column in header] for row in rows]
    response = HttpResponse(csv_bytes(header, flat), content_type="text/csv; charset=utf-8")
    if page["next"]:
        response["Link"] = f'<{page["next"]}>; rel="next"'
    response["X-Total-Count"] = str(page["count"])
    return response


def flatten(value):
    if isinstance(value, list):
        return "; ".join(item.get("title") or item.get("text") or str(item) if isinstance(item, dict) else str(item) for item in value)
    return "" if value is None else value


def level_label(level):
    return Level.label_of(level)


# Frameworks: the LGA's texts, each with its source.
@api.get("/frameworks", response={200: list[schemas.Framework], **ERRORS}, summary="The NPS frameworks", tags=["frameworks"])
def frameworks(request):
    rows = Framework.objects.annotate(n_sections=Count("sections", distinct=True), n_objectives=Count("objectives", distinct=True)).order_by("year")
    return [{"code": f.code, "name": f.name, "short_name": f.short_name, "year": f.year, "source": f.source, "key_areas": f.n_sections, "objectives": f.n_objectives} for f in rows]


@api.get("/frameworks/{code}/objectives", response={200: schemas.ObjectivePage, **ERRORS}, summary="A framework's objectives and level descriptors", tags=["frameworks"], openapi_extra=CSV_TOO)
def objectives(request, code: str, page: str | None = Query(None, pattern=PAGE), page_size: str | None = Query(None, pattern=PAGE_SIZE), format: Literal["json", "csv"] = "json"):
    framework = Framework.objects.filter(code=code).first()
    if framework is None:
        raise Http404
    items = ObjectiveModel.objects.filter(framework=framework).select_related("section").prefetch_related(Prefetch("descriptors", queryset=LevelDescriptor.objects.order_by("level"))).order_by("number")

    def row(o):
        return {
            "framework": framework.code, "number": o.number, "name": o.name, "key_area_number": o.section.number, "key_area": o.section.name,
            "description": o.description, "what_it_is": o.what_it_is, "why_it_is_important": o.why_it_is_important, "source": o.source or o.section.source or framework.source,
            "descriptors": [{"level": d.level, "level_label": level_label(d.level), "text": d.text} for d in o.descriptors.all()],
        }

    return respond(request, page_of(request, items, row, page=page, page_size=page_size), format)


# The council's submitted years: never a draft.
def submitted(request, framework, year):
    rows = Assessment.objects.submitted().filter(council=council_of(request)).select_related("framework", "submitted_by").order_by("framework__year", "year")
    if framework is not None:
        rows = rows.filter(framework=framework)
    if year is not None:
        rows = rows.filter(year=year)
    return rows


def key_area_rows(assessment, figures, sections):
    rows = []
    for section in sections:
        f = figures["sections"].get(section.pk)
        if f is None:
            continue
        rows.append({
            "assessment_id": assessment.pk, "framework": assessment.framework.code, "year": assessment.year, "key_area_number": section.number, "key_area": section.name,
            "weakest": f["weakest"], "weakest_label": level_label(f["weakest"]), "mean": f["mean"], "scored": f["scored"], "in_scope": f["total"], "out_of_scope": f["out_of_scope"],
        })
    return rows


def sections_of(assessments):
    from maturity.models import Section

    return list(Section.objects.filter(framework_id__in={a.framework_id for a in assessments}).order_by("number"))


@api.get("/assessments", response={200: schemas.AssessmentPage, **ERRORS}, summary="The council's submitted self-assessments", tags=["assessments"])
def assessments(request, framework: str | None = Query(None, pattern=FRAMEWORK), year: str | None = Query(None, pattern=YEAR), page: str | None = Query(None, pattern=PAGE), page_size: str | None = Query(None, pattern=PAGE_SIZE)):
    rows = list(submitted(request, framework_of(framework), year_of(year)))
    figures = key_area_levels(assessment_ids=[a.pk for a in rows])
    sections = sections_of(rows)
    plans = plans_shown_for(assessments=rows)

    def row(a):
        overall = figures[a.pk]["overall"]
        return {
            "id": a.pk, "framework": a.framework.code, "framework_name": a.framework.short_name, "year": a.year, "submitted_at": a.submitted_at,
            "signed_off_by": a.submitted_by.get_full_name() or a.submitted_by.username if a.submitted_by else "",
            "weakest": overall["weakest"], "weakest_label": level_label(overall["weakest"]), "mean": overall["mean"], "scored": overall["scored"], "in_scope": overall["total"],
            "plan_id": plans[a.pk].pk if plans.get(a.pk) else None,
            "key_areas": key_area_rows(a, figures[a.pk], [s for s in sections if s.framework_id == a.framework_id]),
        }

    return page_of(request, rows, row, page=page, page_size=page_size)


@api.get("/key-areas", response={200: schemas.KeyAreaPage, **ERRORS}, summary="Each submitted year's key areas: weakest and mean", tags=["assessments"], openapi_extra=CSV_TOO)
def key_areas(request, framework: str | None = Query(None, pattern=FRAMEWORK), year: str | None = Query(None, pattern=YEAR), page: str | None = Query(None, pattern=PAGE), page_size: str | None = Query(None, pattern=PAGE_SIZE), format: Literal["json", "csv"] = "json"):
    years = list(submitted(request, framework_of(framework), year_of(year)))
    figures = key_area_levels(assessment_ids=[a.pk for a in years])
    sections = sections_of(years)
    rows = [r for a in years for r in key_area_rows(a, figures[a.pk], [s for s in sections if s.framework_id == a.framework_id])]
    return respond(request, page_of(request, rows, lambda r: r, page=page, page_size=page_size), format)


@api.get("/scores", response={200: schemas.ScorePage, **ERRORS}, summary="Every objective's score in each submitted year", tags=["assessments"], openapi_extra=CSV_TOO)
def scores(request, framework: str | None = Query(None, pattern=FRAMEWORK), year: str | None = Query(None, pattern=YEAR), assessment: str | None = Query(None, pattern=ID), page: str | None = Query(None, pattern=PAGE), page_size: str | None = Query(None, pattern=PAGE_SIZE), format: Literal["json", "csv"] = "json"):
    years = submitted(request, framework_of(framework), year_of(year))
    if assessment is not None:
        years = years.filter(pk=int_param(assessment, low=1, high=10**9) or 0)
    items = (
        Score.objects.filter(assessment__in=years)
        .select_related("assessment__framework", "objective__section")
        .prefetch_related(Prefetch("evidence_items", queryset=Evidence.objects.order_by("pk")))
        .order_by("assessment__framework__year", "assessment__year", "objective__number")
    )
    site = settings.SITE_URL.rstrip("/")

    def link(item, score):
        return item.url or site + reverse("assessments:evidence_download", args=[score.assessment_id, item.pk])

    def row(s):
        shown = shown_level(level=s.level, working_towards=s.working_towards, out_of_scope=s.out_of_scope)
        return {
            "assessment_id": s.assessment_id, "framework": s.assessment.framework.code, "year": s.assessment.year,
            "key_area_number": s.objective.section.number, "key_area": s.objective.section.name, "objective_number": s.objective.number, "objective": s.objective.name,
            "level": shown["level"], "level_label": shown["words"], "written": shown["written"], "working_towards": shown["working_towards"],
            "out_of_scope": s.out_of_scope, "out_of_scope_reason": s.out_of_scope_reason, "comment": s.comment, "action": s.action, "evidence": s.evidence,
            "evidence_items": [{"title": item.title, "link": link(item, s)} for item in s.evidence_items.all()],
        }

    return respond(request, page_of(request, items, row, page=page, page_size=page_size), format)


# Published plans: the version shown for each year; never a draft.
def published_plans(request):
    return ActionPlan.objects.filter(council=council_of(request)).published().select_related("framework").order_by("framework__year", "published_at")


def plan_row(plan, years):
    return {
        "id": plan.pk, "title": plan.title, "framework": plan.framework.code, "start_year": plan.start_year, "end_year": plan.end_year, "version": plan.version,
        "status": plan.status, "status_label": "Current" if plan.status == PlanStatus.PUBLISHED else "Superseded", "published_at": plan.published_at, "shown_for_years": years,
    }


def shown_years(request):
    years = list(Assessment.objects.submitted().filter(council=council_of(request)))
    shown = plans_shown_for(assessments=years)
    by_plan = {}
    for a in sorted(years, key=lambda a: a.year):
        if shown.get(a.pk):
            by_plan.setdefault(shown[a.pk].pk, []).append(a.year)
    return by_plan


@api.get("/plans", response={200: schemas.PlanPage, **ERRORS}, summary="The council's published action plans", tags=["plans"])
def plans(request, page: str | None = Query(None, pattern=PAGE), page_size: str | None = Query(None, pattern=PAGE_SIZE)):
    years = shown_years(request)
    return page_of(request, published_plans(request), lambda plan: plan_row(plan, years.get(plan.pk, [])), page=page, page_size=page_size)


def kpi_rows(plan, kpi):
    return [
        {
            "plan_id": plan.pk, "kpi_id": kpi.pk, "kpi": kpi.name, "unit": kpi.get_unit_display(), "period": r["label"], "period_start": r["value"].period_start,
            "target": float(r["target_value"]) if r["target_value"] is not None else None, "target_text": r["target_text"],
            "actual": float(r["value"].actual) if r["value"].actual is not None else None, "actual_text": r["actual_text"], "status": r["status"], "status_label": r["status_label"],
        }
        for r in kpi.rows
    ]


@api.get("/plans/{plan_id}", response={200: schemas.PlanDetail, **ERRORS}, summary="One published plan: lines, targets, goals, considerations and KPIs", tags=["plans"])
def plan(request, plan_id: int):
    found = published_plans(request).filter(pk=plan_id).first() if 0 < plan_id < 2**31 else None
    if found is None:
        raise Http404
    display = plan_display(plan=found)
    lines = [
        {
            "id": line.pk, "key_area_number": line.section.number if line.section_id else None, "key_area": line.section.name if line.section_id else "",
            "objective_number": line.objective.number if line.objective_id else None, "objective": line.objective.name if line.objective_id else "",
            "title": line.label, "current_level": line.current_level, "current_level_label": level_label(line.current_level) if line.current_level else "",
            "current_text": line.current_text, "owner": line.owner, "due_date": line.due_date, "progress": line.state, "progress_label": line.state_label,
            "targets": [
                {"year": cell["year"], "level": cell["target"].level, "level_label": level_label(cell["target"].level) if cell["target"].level else "", "working_towards": cell["target"].working_towards, "narrative": cell["target"].narrative}
                for cell in line.cells if cell["target"] is not None
            ],
        }
        for line in display["lines"]
    ]
    kpis = [
        {
            "id": kpi.pk, "name": kpi.name, "kind": kpi.get_kind_display(), "unit": kpi.get_unit_display(), "frequency": kpi.get_frequency_display(), "direction": kpi.get_direction_display(),
            "baseline": kpi.baseline_text or (kpi.format_value(kpi.baseline_value) if kpi.baseline_value is not None else ""), "in_development": kpi.in_development, "periods": kpi_rows(found, kpi),
        }
        for kpi in display["kpis"]
    ]
    return {
        **plan_row(found, shown_years(request).get(found.pk, [])),
        "lines": lines,
        "goals": [{"text": g.text, "level_from": g.level_from, "level_to": g.level_to, "review_date": g.review_date} for g in display["goals"]],
        "considerations": [
            {"key_area": c.section.name if c.section_id else "", "description": c.description, "owner": c.owner, "status": c.status, "status_label": DeliveryConsideration.Status(c.status).label}
            for c in display["considerations"]
        ],
        "kpis": kpis,
    }


@api.get("/kpis", response={200: schemas.KpiPage, **ERRORS}, summary="Every KPI period of the published plans: target, actual, status", tags=["plans"], openapi_extra=CSV_TOO)
def kpis(request, plan: str | None = Query(None, pattern=ID), page: str | None = Query(None, pattern=PAGE), page_size: str | None = Query(None, pattern=PAGE_SIZE), format: Literal["json", "csv"] = "json"):
    from actionplans.selectors import plan_kpis

    plans = published_plans(request)
    if plan is not None:
        plans = plans.filter(pk=int_param(plan, low=1, high=10**9) or 0)
    rows = []
    for p in plans:
        for kpi in plan_kpis(p):
            kpi.rows = kpi.periods()
            rows.extend(kpi_rows(p, kpi))
    return respond(request, page_of(request, rows, lambda r: r, page=page, page_size=page_size), format)


# Benchmarks: exactly the benchmarking page's figures; other councils anonymous; groups under MIN_GROUP refused.
@api.get("/benchmarks", response={200: schemas.Benchmark, **ERRORS}, summary="Anonymised quartiles across councils", tags=["benchmarks"])
def benchmarks(request, framework: str = Query(..., pattern=FRAMEWORK), year: str = Query(..., pattern=YEAR), group: Literal["all", "kind", "region"] = "all"):
    found, chosen = framework_of(framework), year_of(year)
    own = council_of(request)
    group, councils, label = benchmark_group(group, own)
    result = benchmark(found, chosen, councils, own)

    def spread(row):
        s = row["spread"] or {}
        return {
            "number": row["number"], "name": row["name"], "own": row["own"], "own_label": level_label(row["own"]) if row["own"] else "Not scored",
            "councils": s.get("n"), "lowest": s.get("min"), "lower_quartile": s.get("q1"), "median": s.get("median"), "upper_quartile": s.get("q3"), "highest": s.get("max"),
        }

    refused = result["refused"]
    return {
        "framework": found.code, "year": chosen, "group": group, "group_label": label, "councils": result["count"], "refused": refused,
        "message": f"Fewer than {MIN_GROUP} councils have signed off {found.short_name} {chosen} in this group, so no figures are shown: they could be recognised." if refused else "",
        "key_areas": [] if refused else [spread(r) for r in result["sections"]],
        "objectives": [] if refused else [spread(r) for r in result["objectives"]],
    }

