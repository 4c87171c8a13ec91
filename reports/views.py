from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from actionplans.selectors import plan_display, plan_profile, plan_shown_for
from assessments.access import get_assessment_for_user, visible_assessments
from assessments.models import Assessment
from assessments.selectors import previous_submitted
from common import downloads
from common.numbers import year_param
from councils.access import require_member
from maturity.models import Framework

from . import charts, svg
from .access import get_benchmark_council_for_user, get_dashboard_council_for_user
from .chartdata import (
    GROUPS,
    LEVEL_KEY_LABELS,
    MIN_GROUP,
    benchmark,
    benchmark_group,
    history_rows,
    key_area_history,
    summary,
)
from .pdf import EDITIONS, report_filename
from .services import report_job_retry, report_job_watch, report_request


def _chosen_assessment(request, assessments):
    """The assessment asked for (?assessment=pk, among those this user may see), else the latest submitted one."""
    wanted = request.GET.get("assessment")
    if wanted:
        try:
            return next(a for a in assessments if str(a.pk) == wanted)
        except StopIteration:
            raise Http404("No such assessment.") from None
    submitted = [a for a in assessments if not a.is_draft]
    return (submitted or assessments or [None])[0]


@login_required
@require_member
@require_GET
def dashboard(request):
    council = get_dashboard_council_for_user(request)
    assessments = list(visible_assessments(request.user).for_council(council).select_related("framework", "submitted_by").order_by("-year", "framework__code"))
    assessment = _chosen_assessment(request, assessments)
    context = {"council": council, "assessments": assessments, "assessment": assessment, "level_keys": LEVEL_KEY_LABELS}
    if assessment is None:
        return render(request, "reports/dashboard.html", context)
    same_framework = [a for a in assessments if a.framework_id == assessment.framework_id]
    previous = previous_submitted(assessment=assessment, among=assessments)  # every reader of a dashboard sees every submitted year
    data = summary(assessment, previous)
    history = key_area_history([a for a in same_framework if (not a.is_draft and a.year <= assessment.year) or a.pk == assessment.pk])
    plan = plan_shown_for(assessment=assessment)
    display = plan_display(plan=plan, year=assessment.year, shown=assessment) if plan else None
    profile = plan_profile(display) if display else None
    trends = [{"kpi": kpi, "rows": kpi.rows} for kpi in display["kpis"]] if display else []
    context.update(
        {
            "previous": previous,
            "data": data,
            "history": history,
            "profile": profile,
            "plan_view": display,
            "trends": trends,
            "figures": {
                "overall": charts.as_json(charts.overall_distribution(data)),
                "sections": charts.as_json(charts.section_distributions(data)),
                "objectives": charts.as_json(charts.scores_by_objective(data)),
                "profile": charts.as_json(charts.key_area_profile(profile)) if profile and profile["areas"] else None,
            },
            # The summary charts drawn on the server as well (the PDF's pictures): shown at once, Plotly on demand.
            "pictures": {"overall": svg.overall_distribution(data), "sections": svg.section_distributions(data), "objectives": svg.scores_by_objective(data)},
            "kpi_figures": [(trend, f"chart-kpi-{trend['kpi'].pk}", charts.as_json(charts.kpi_trend(trend))) for trend in trends if trend["rows"]],
            "captions": charts.captions(data, history, profile),
            "history_rows": history_rows(history),
        }
    )
    for trend in trends:
        trend["caption"] = charts.kpi_caption(trend)
    return render(request, "reports/dashboard.html", context)




@login_required
@require_GET
def benchmarking(request):
    """Medians and quartiles across councils' submitted assessments; other councils stay anonymous."""
    own = get_benchmark_council_for_user(request)
    frameworks = list(Framework.objects.all())
    framework = next((f for f in frameworks if f.code == request.GET.get("framework")), None) or (frameworks[0] if frameworks else None)
    years = sorted(set(Assessment.objects.submitted().filter(framework=framework).values_list("year", flat=True)), reverse=True)
    year = year_param(request.GET.get("year")) or (years[0] if years else 0)
    group, councils, group_label = benchmark_group(request.GET.get("group", "all"), own)
    result = benchmark(framework, year, councils, own) if framework and year else {"count": 0, "refused": True}
    figure = None
    if not result["refused"]:
        figure = charts.as_json(charts.benchmark_spread(result["sections"]))
    return render(
        request,
        "reports/benchmark.html",
        {
            "frameworks": frameworks, "framework": framework, "years": years, "year": year, "groups": GROUPS, "group": group,
            "group_label": group_label, "result": result, "figure": figure, "own": own, "min_group": MIN_GROUP,
        },
    )


def _edition(request):
    edition = request.GET.get("edition", "full")
    if edition not in EDITIONS:
        raise Http404("No such edition.")
    return edition


def _report_urls(assessment, edition):
    query = f"?edition={edition}"
    return {
        "download": reverse("reports:pdf", args=[assessment.pk]) + query,
        "status": reverse("reports:pdf_status", args=[assessment.pk]) + query,
        "retry": reverse("reports:pdf_retry", args=[assessment.pk]) + query,
        "notify": reverse("reports:pdf_notify", args=[assessment.pk]) + query,
    }


def _progress_context(request, assessment, edition, pdf, job):
    """What the progress page and its polled partial show: the stage and an honest bar, or the report, and whether we will e-mail."""
    watching = job is not None and not getattr(job, "nobody_watching", False) and job.notify.filter(pk=request.user.pk).exists()
    percent, left = job.shown_progress() if job is not None else (100, None)
    expected = job.took_seconds if job is not None and pdf is None else None
    return {
        "assessment": assessment, "edition_label": EDITIONS[edition], "job": job, "ready": pdf is not None, "urls": _report_urls(assessment, edition),
        "watching": watching, "percent": percent, "seconds_left": left, "expected": round(expected) if expected else None,
    }


@login_required
@require_GET
def report_download(request, pk):
    """The annual PDF, at once if it is ready; otherwise a page that follows the background job making it.

    The council's people and staff; councillors only once submitted.
    """
    assessment = get_assessment_for_user(request, pk)
    edition = _edition(request)
    pdf, job = report_request(assessment_id=assessment.pk, edition=edition)
    if pdf is not None:
        # Opened in the browser's viewer (on a phone too), unless asked to save it: the report is ours, not uploaded.
        return downloads.pdf(pdf, report_filename(assessment, edition), inline=not request.GET.get("download"))
    return render(request, "reports/preparing.html", _progress_context(request, assessment, edition, pdf, job))


@login_required
@require_GET
def report_status(request, pk):
    """The progress of the job making this report (polled by htmx every second; the page refreshes itself without JavaScript)."""
    assessment = get_assessment_for_user(request, pk)
    edition = _edition(request)
    pdf, job = report_request(assessment_id=assessment.pk, edition=edition)
    return render(request, "reports/partials/report_progress.html", _progress_context(request, assessment, edition, pdf, job))


@login_required
@require_POST
def report_notify(request, pk):
    """'E-mail me when it is ready': for people who would rather not wait on the page."""
    assessment = get_assessment_for_user(request, pk)
    edition = _edition(request)
    pdf, job = report_request(assessment_id=assessment.pk, edition=edition)
    if pdf is not None:
        messages.info(request, "The report is ready now.")
    elif report_job_watch(job_id=job.pk, user_id=request.user.pk):
        messages.success(request, f"We will e-mail {request.user.email} when the report is ready. You can leave this page.")
    else:
        messages.error(request, "Your account has no e-mail address to write to. Ask your head of procurement or the site's administrators to add one.")
    return redirect(_report_urls(assessment, edition)["download"])


@login_required
@require_POST
def report_retry(request, pk):
    assessment = get_assessment_for_user(request, pk)
    edition = _edition(request)
    _, job = report_request(assessment_id=assessment.pk, edition=edition)
    if job is not None:
        report_job_retry(job_id=job.pk)
    return redirect(_report_urls(assessment, edition)["download"])
