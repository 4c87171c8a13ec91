"""The annual PDF report, laid out by WeasyPrint from a Django template with a lean print stylesheet."""

import functools
import gc
import hashlib
import ssl
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.db import connections, router, transaction
from django.db.models import Count, Func, Max, OuterRef, StringAgg, Subquery, Sum, TextField, Value
from django.db.models.functions import Cast, Coalesce, Length
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from actionplans.models import ActionPlan
from actionplans.selectors import plan_display, plan_shown_for
from assessments.models import Assessment, Evidence, KeyAreaFlags, Score
from assessments.selectors import previous_levels
from councils.models import Directorate
from maturity.models import LevelDescriptor, LevelPrinciple, Objective, Section, Theme

from . import svg
from .chartdata import LEVEL_KEY_LABELS, history_rows, key_area_history, summary
from .models import CachedReport

EDITIONS = {"full": "Full report", "councillor": "Councillor edition"}
STATIC_DIR = settings.BASE_DIR / "static"


def report_filename(assessment, edition="full"):
    suffix = "" if edition == "full" else f"-{edition}"
    return f"{assessment.council.slug}-{assessment.framework.code}-{assessment.year}{suffix}.pdf"


def report_context(assessment, edition="full"):
    """Everything the report shows, in a fixed number of queries."""
    previous, previous_rows = previous_levels(assessment=assessment)
    data = summary(assessment, previous)
    submitted = list(Assessment.objects.submitted().filter(council_id=assessment.council_id, framework_id=assessment.framework_id, year__lte=assessment.year))
    if assessment.is_draft:
        submitted.append(assessment)
    history = key_area_history(submitted)
    plan = plan_shown_for(assessment=assessment)
    context = {
        "assessment": assessment,
        "council": assessment.council,
        "framework": assessment.framework,
        "edition": edition,
        "edition_label": EDITIONS[edition],
        "previous": previous,
        "data": data,
        "history": history,
        "history_rows": history_rows(history),
        "charts": {
            "overall": svg.overall_distribution(data),
            "sections": svg.section_distributions(data),
            "objectives": svg.scores_by_objective(data),
        },
        "level_keys": LEVEL_KEY_LABELS,
        "generated_at": timezone.now(),
        "value_codes": _value_codes(assessment),
    }
    if plan:
        context.update(_plan_context(assessment, plan))
    if edition == "full":
        context["sections"] = _sections(assessment, previous_rows)
    return context


def _value_codes(assessment):
    """The key areas the council marked as mattering most, and those where it needs support."""
    flags = list(assessment.key_area_flags.select_related("section").order_by("section__number"))
    return {
        "matters_most": [f.section for f in flags if f.matters_most],
        "support_needed": [f.section for f in flags if f.support_needed],
    }


def _plan_context(assessment, plan):
    display = plan_display(plan=plan, year=assessment.year, shown=assessment)
    return {
        "plan": plan,
        "plan_view": display,
        "plan_lines": display["lines"],
        "plan_progress": display["progress"],
        "considerations": display["considerations"],
        "goals": display["goals"],
        "reviews": display["reviews"],
        "kpis": display["kpis"],
    }


def _sections(assessment, previous_rows):
    scores = {s.objective_id: s for s in Score.objects.filter(assessment=assessment).prefetch_related("evidence_items")}
    sections = list(assessment.framework.sections_with_objectives())
    for section in sections:
        section.rows = []
        for objective in section.objectives.all():
            score = scores.get(objective.pk)
            section.rows.append({"objective": objective, "score": score, "levels": objective.levels_with_descriptors(), "previous": previous_rows.get(objective.pk)})
    return sections


def report_html(assessment, edition="full", *, stage=lambda name, percent: None):
    """The report as HTML, before layout: what render_report lays out, and what tests and benchmarks read."""
    context = report_context(assessment, edition)
    stage("Drawing charts", 35)
    return render_to_string("reports/pdf/report.html", context)


class StaticOnlyFetcher(URLFetcher):
    """WeasyPrint may read data: URLs and files under static/ (our fonts and stylesheet); nothing else, no network.

    It is given a bare TLS context it never uses: without one, WeasyPrint's fetcher builds the default context and loads
    the machine's certificate store, 40 ms of every report, for HTTPS this fetcher refuses anyway."""

    def __init__(self):
        super().__init__(allowed_protocols=["file", "data"], ssl_context=_unused_tls_context())

    def fetch(self, url, headers=None):
        parts = urlsplit(url.strip())
        scheme = parts.scheme.lower()  # URL schemes are case-insensitive: FILE: and File: are file: too
        if scheme not in ("file", "data"):
            raise ValueError(f"The report may only use the app's own static files, not {url!r}.")
        if scheme == "file":
            path = Path(unquote(parts.path)).resolve()
            if parts.netloc not in ("", "localhost") or not path.is_relative_to(STATIC_DIR.resolve()):
                raise ValueError(f"The report may only use the app's own static files, not {url!r}.")
        return super().fetch(url, headers)


@functools.cache
def _unused_tls_context():
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


@contextmanager
def collector_paused():
    """Python's cycle collector off for the length of one layout, back as it was afterwards (even on an error).

    WeasyPrint builds a box tree of a few hundred thousand objects that all live until the PDF is written. The
    collector's full passes rescan that growing tree again and again (each time it grows by a quarter) without finding
    anything to free: profiled, 15 % of a report's time. One report is bounded work, and peak memory measured the same
    with and without the pause (docs/benchmarks.md); whatever cycles it leaves are collected on the next pass after."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def render_pdf(html):
    """Lay out HTML with WeasyPrint, fetching only our own static files (no network)."""
    # A tagged PDF (PDF/UA-1): councils publish these reports, and the accessibility regulations cover documents too.
    with collector_paused():
        return HTML(string=html, base_url=STATIC_DIR.as_uri() + "/", url_fetcher=StaticOnlyFetcher()).write_pdf(pdf_variant="pdf/ua-1")


def _each(rows, group, value):
    """One scalar per outer row: `value` aggregated over `rows` (filtered by OuterRef), grouped by the constant `group`."""
    return Subquery(rows.order_by().values(group).annotate(value=value).values("value")[:1], output_field=TextField())


class _Joined(Func):
    """Texts joined by '|' with the SQL standard's flat `||` (Concat nests one level per part, which SQLite's parser
    cannot take for a dozen fields)."""

    arg_joiner = " || '|' || "
    template = "(%(expressions)s)"
    output_field = TextField()


def _joined(*fields):
    """Fields as one text, '|' between them (NULL as empty), for a StringAgg of rows."""
    return _Joined(*[Coalesce(Cast(field, TextField()), Value("", output_field=TextField())) for field in fields])


def _rows(ordered, *fields):
    """The rows as one text. In id order where the database can order an aggregate (PostgreSQL; SQLite from 3.44);
    elsewhere in the order SQLite reads them, the same each time for the same rows."""
    return StringAgg(_joined(*fields), Value(";", output_field=TextField()), order_by="pk" if ordered else None)


def _lengths(*fields):
    return _joined(Count("pk"), *[Sum(Length(field)) for field in fields])


FINGERPRINT_TABLES = {
    # what the report reads -> where its state enters the fingerprint below (tests/test_hostile_input.py checks
    # every table the report's queries read is named here)
    "assessments_assessment": "years", "auth_user": "years, plans (who signed off, who published)",
    "assessments_score": "scores", "assessments_evidence": "evidence", "assessments_keyareaflags": "value codes",
    "actionplans_actionplan": "plans", "actionplans_planline": "plans (a change touches its plan)",
    "actionplans_linetarget": "plans", "actionplans_kpi": "plans", "actionplans_kpivalue": "plans",
    "actionplans_plangoal": "plans", "actionplans_planreview": "plans", "actionplans_deliveryconsideration": "plans",
    "councils_council": "council", "councils_directorate": "directorates",
    "maturity_framework": "framework", "maturity_theme": "framework", "maturity_section": "framework",
    "maturity_objective": "framework", "maturity_leveldescriptor": "framework", "maturity_levelprinciple": "framework",
}


def report_fingerprint(assessment_id):
    """Everything the report prints, as change stamps, read in one query: the council's years of this framework up to
    this one (status, sign-off and who, every score's version), this year's evidence and value-code answers, the
    plans (a plan's every change touches it), the council's name and directorates, the framework's texts. Any change
    makes a new fingerprint, so the kept PDF is made again.

    The query is built by the ORM once per process and database (building it costs more than running it) and run
    with this assessment's id."""
    alias = router.db_for_read(Assessment)
    sql, params = _stamps_sql(alias)
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, [assessment_id if param == _ANY_ASSESSMENT else param for param in params])
        stamps = cursor.fetchone()
    return hashlib.sha256(repr((LAYOUT_VERSION, stamps)).encode()).hexdigest()


# Raised whenever the report's template or stylesheet changes what a kept PDF looks like, so PDFs kept from before are
# made again. 2: one KPI table per KPI, no cell spanning rows (PDF/UA-1 7.5).
LAYOUT_VERSION = 2

_ANY_ASSESSMENT = -2_000_000_007  # the stand-in id the query is built with: no row has it, no other parameter is it


@functools.cache
def _stamps_sql(alias):
    ordered = connections[alias].features.supports_aggregate_order_by_clause
    years = Assessment.objects.filter(council_id=OuterRef("council_id"), framework_id=OuterRef("framework_id"), year__lte=OuterRef("year"))
    scores = Score.objects.filter(assessment__council_id=OuterRef("council_id"), assessment__framework_id=OuterRef("framework_id"), assessment__year__lte=OuterRef("year"))
    plans = ActionPlan.objects.filter(council_id=OuterRef("council_id"), framework_id=OuterRef("framework_id"))
    framework = OuterRef("framework_id")
    stamps = (
        Assessment.objects.filter(pk=_ANY_ASSESSMENT)
        .annotate(
            f_years=_each(years, "council_id", _rows(ordered, "pk", "year", "status", "submitted_at", "submitted_by__username", "submitted_by__first_name", "submitted_by__last_name")),
            f_scores=_each(scores, "assessment__council_id", _joined(Count("pk"), Sum("version"), Max("updated_at"))),
            f_evidence=_each(Evidence.objects.filter(score__assessment_id=OuterRef("pk")), "score__assessment_id", _joined(Count("pk"), Max("uploaded_at"), Sum(Length("title")))),
            f_flags=_each(KeyAreaFlags.objects.filter(assessment_id=OuterRef("pk")), "assessment_id", _rows(ordered, "section_id", "matters_most", "support_needed", "updated_at")),
            f_plans=_each(plans, "council_id", _rows(ordered, "pk", "title", "updated_at", "status", "version", "published_at", "superseded_at", "published_by__username", "published_by__first_name", "published_by__last_name")),
            f_directorates=_each(Directorate.objects.filter(council_id=OuterRef("council_id")), "council_id", _rows(ordered, "pk", "name", "order")),
            f_descriptors=_each(LevelDescriptor.objects.filter(objective__framework_id=framework), "objective__framework_id", _lengths("text")),
            f_principles=_each(LevelPrinciple.objects.filter(section__framework_id=framework), "section__framework_id", _lengths("text")),
            f_objectives=_each(Objective.objects.filter(framework_id=framework), "framework_id", _lengths("name", "description", "what_it_is", "why_it_is_important", "source")),
            f_sections=_each(Section.objects.filter(framework_id=framework), "framework_id", _lengths("name", "description", "what_it_is", "why_it_is_important", "source")),
            f_themes=_each(Theme.objects.filter(framework_id=framework), "framework_id", _rows(ordered, "pk", "name", "order")),
        )
        .values_list("council__name", "council__kind", "council__region", "framework__name", "f_years", "f_scores", "f_evidence", "f_flags", "f_plans", "f_directorates", "f_descriptors", "f_principles", "f_objectives", "f_sections", "f_themes")
    )
    sql, params = stamps.query.get_compiler(using=alias).as_sql()
    if list(params).count(_ANY_ASSESSMENT) != 1:
        raise RuntimeError("The report fingerprint's query must take the assessment's id exactly once.")
    return sql, list(params)


def cached_pdf(assessment_id, edition, fingerprint):
    """The kept PDF of this report if it was made from exactly this state, else None."""
    pdf = CachedReport.objects.filter(assessment_id=assessment_id, edition=edition, fingerprint=fingerprint).values_list("pdf", flat=True).first()
    return bytes(pdf) if pdf is not None else None


def render_report(assessment, edition="full", *, fingerprint=None, stage=lambda name, percent: None):
    """Make the PDF and keep it under its fingerprint; `stage(name, percent)` hears how far it has got."""
    fingerprint = fingerprint or report_fingerprint(assessment.pk)
    stage("Gathering data", 10)
    html = report_html(assessment, edition, stage=stage)
    stage("Laying out pages", 50)
    pdf = render_pdf(html)
    stage("Keeping the finished report", 95)
    with transaction.atomic():
        CachedReport.objects.update_or_create(assessment=assessment, edition=edition, defaults={"fingerprint": fingerprint, "pdf": pdf})
    return pdf


def report_pdf(assessment, edition="full"):
    """The PDF, made now (for `manage.py render_report`, batch runs and tests); kept, and reused while nothing in it changes."""
    fingerprint = report_fingerprint(assessment.pk)
    return cached_pdf(assessment.pk, edition, fingerprint) or render_report(assessment, edition, fingerprint=fingerprint)
