"""The annual PDF report, laid out by WeasyPrint from a Django template with a lean print stylesheet."""

import functools
import gc
import hashlib
import ssl
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Sum
from django.db.models.functions import Length
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from actionplans.models import ActionPlan
from actionplans.selectors import plan_display, plan_shown_for
from assessments.models import Assessment, Evidence, Score
from assessments.selectors import previous_levels
from councils.models import Council, Directorate
from maturity.models import LevelDescriptor, Objective

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
    display = plan_display(plan=plan, year=assessment.year)
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
        if url.startswith("file:"):
            path = Path(unquote(urlsplit(url).path)).resolve()
            if not path.is_relative_to(STATIC_DIR.resolve()):
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


def _fingerprint(assessment):
    """Everything the report shows, as change stamps: the year and the previous one (its submission and every score's
    version), the plans, the framework's texts, the council's name and directorates. Any change renders it again."""
    scores = Score.objects.filter(assessment__council_id=assessment.council_id, assessment__framework_id=assessment.framework_id, assessment__year__lte=assessment.year)
    score_state = scores.aggregate(n=Count("id"), versions=Sum("version"), latest=Max("updated_at"))
    years = list(
        Assessment.objects.filter(council_id=assessment.council_id, framework_id=assessment.framework_id, year__lte=assessment.year)
        .order_by("year")
        .values_list("pk", "status", "submitted_at")
    )
    plans = list(ActionPlan.objects.filter(council_id=assessment.council_id, framework_id=assessment.framework_id).order_by("pk").values_list("pk", "updated_at", "status", "version", "published_at", "superseded_at"))
    council = Council.objects.filter(pk=assessment.council_id).values_list("name", "kind", "region").get()
    directorates = list(Directorate.objects.filter(council_id=assessment.council_id).order_by("pk").values_list("pk", "name", "order"))
    framework = Objective.objects.filter(framework_id=assessment.framework_id).aggregate(n=Count("descriptors"), objectives=Count("id", distinct=True), names=Max("name"))
    framework_texts = LevelDescriptor.objects.filter(objective__framework_id=assessment.framework_id).aggregate(length=Sum(Length("text")))
    evidence = Evidence.objects.filter(score__assessment_id=assessment.pk).aggregate(n=Count("id"), latest=Max("uploaded_at"))
    parts = [years, score_state, plans, council, directorates, framework, framework_texts, evidence, assessment.framework.name]
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def cached_pdf(assessment_id, edition, fingerprint):
    """The kept PDF of this report if it was made from exactly this state, else None."""
    pdf = CachedReport.objects.filter(assessment_id=assessment_id, edition=edition, fingerprint=fingerprint).values_list("pdf", flat=True).first()
    return bytes(pdf) if pdf is not None else None


def render_report(assessment, edition="full", *, fingerprint=None, stage=lambda name, percent: None):
    """Make the PDF and keep it under its fingerprint; `stage(name, percent)` hears how far it has got."""
    fingerprint = fingerprint or _fingerprint(assessment)
    stage("Gathering data", 10)
    html = report_html(assessment, edition, stage=stage)
    stage("Laying out pages", 50)
    pdf = render_pdf(html)
    stage("Keeping the finished report", 95)
    with transaction.atomic():
        CachedReport.objects.update_or_create(assessment=assessment, edition=edition, defaults={"fingerprint": fingerprint, "pdf": pdf})
    return pdf


def report_fingerprint(assessment):
    return _fingerprint(assessment)


def report_pdf(assessment, edition="full"):
    """The PDF, made now (for `manage.py render_report`, batch runs and tests); kept, and reused while nothing in it changes."""
    fingerprint = _fingerprint(assessment)
    return cached_pdf(assessment.pk, edition, fingerprint) or render_report(assessment, edition, fingerprint=fingerprint)
