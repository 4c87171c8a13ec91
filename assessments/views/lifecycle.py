"""The year's lifecycle: list, start, overview, sign-off, reopen, year on year."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from common.numbers import int_param, paginate
from councils.access import get_membership_for_user, require_member
from maturity import rules
from maturity.models import Framework

from ..access import can_edit_assessment, get_assessment_for_user, is_head_for, visible_assessments
from ..filters import AssessmentFilter
from ..forms import DeadlineForm, ReopenForm, StartAssessmentForm, SubmitForm
from ..selectors import previous_levels, sign_off_summary, year_levels
from ..services import (
    NotEditable,
    NotValid,
    assessment_deadline_set,
    assessment_reopen,
    assessment_start,
    assessment_submit,
)
from ..tables import AssessmentTable
from .scoring import EMPTY


@login_required
@require_member
@require_GET
def assessment_list(request):
    membership = get_membership_for_user(request)
    qs = visible_assessments(request.user).for_council(membership.council).select_related("framework", "submitted_by").with_progress()
    filterset = AssessmentFilter(request.GET, queryset=qs)
    table = AssessmentTable(filterset.qs if filterset.is_valid() else qs.none())
    paginate(request, table, per_page=25)
    return render(
        request,
        "assessments/list.html",
        {"council": membership.council, "table": table, "filter": filterset, "can_start": membership.can_edit, "frameworks": Framework.objects.all()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def assessment_new(request):
    membership = get_membership_for_user(request, edit=True)
    form = StartAssessmentForm(request.POST or None, council=membership.council)
    if request.method == "POST" and form.is_valid():
        try:
            assessment = assessment_start(
                council_id=membership.council_id,
                framework_id=form.cleaned_data["framework"].pk,
                year=form.cleaned_data["year"],
                user=request.user,
                carry_forward=form.cleaned_data["carry_forward"],
            )
        except IntegrityError:
            form.add_error(None, "That assessment was just started by someone else.")
        else:
            source = assessment.carried_forward_from
            note = f", carried forward from {source.year}" if source else ""
            messages.success(request, f"Started {assessment.framework} {assessment.year}{note}.")
            return redirect("assessments:detail", pk=assessment.pk)
    return render(request, "assessments/new.html", {"form": form, "council": membership.council})


@login_required
@require_GET
def assessment_detail(request, pk):
    assessment = get_assessment_for_user(request, pk)
    found = None
    query = request.GET.get("find", "").strip()[:100]
    if query:
        found = assessment.scores.find(query)
        if len(found) == 1:
            objective = found[0].objective
            return redirect(reverse("assessments:section", args=[pk, objective.section.number]) + f"#objective-{objective.number}")
    sections = list(assessment.framework.sections.select_related("theme"))
    levels = year_levels(assessment=assessment)
    progress, overall = levels["sections"], levels["overall"]
    for section in sections:
        section.progress = progress.get(section.pk, EMPTY)
    return render(
        request,
        "assessments/detail.html",
        {
            "assessment": assessment,
            "sections": sections,
            "overall": overall,
            "can_edit": can_edit_assessment(request.user, assessment),
            "is_head": is_head_for(request.user, assessment),
            "events": assessment.events.select_related("by"),
            "next": assessment.next_to_do() if assessment.is_draft else {},
            "query": query,
            "found": found,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def assessment_submit_view(request, pk):
    assessment = get_assessment_for_user(request, pk, head=True)
    if not assessment.is_draft:
        messages.info(request, "This assessment is already submitted.")
        return redirect("assessments:detail", pk=pk)
    form = SubmitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            assessment_submit(assessment_id=assessment.pk, user=request.user)
        except NotEditable as error:
            messages.info(request, str(error))
        else:
            messages.success(request, f"{assessment.framework} {assessment.year} is signed off and read-only. Councillors can read it now on the dashboard; its two PDF reports are being made and will be ready to download from this page in a minute or two.")
        return redirect("assessments:detail", pk=pk)
    return render(request, "assessments/submit.html", {"assessment": assessment, "form": form, "summary": sign_off_summary(assessment=assessment)})


@login_required
@require_http_methods(["GET", "POST"])
def assessment_deadline(request, pk):
    """The head sets the year's sign-off deadline and when ratings are due: reminders go out from them."""
    assessment = get_assessment_for_user(request, pk, head=True)
    form = DeadlineForm(request.POST if request.method == "POST" else None, initial={"deadline": assessment.deadline, "raters_due": assessment.raters_due})
    if request.method == "POST" and form.is_valid():
        try:
            assessment_deadline_set(assessment_id=assessment.pk, deadline=form.cleaned_data["deadline"], raters_due=form.cleaned_data["raters_due"], user=request.user)
        except NotValid as error:
            for field, message in error.problems.items():
                form.add_error(field, message)
        except NotEditable as error:
            messages.info(request, str(error))
            return redirect("assessments:detail", pk=pk)
        else:
            messages.success(request, "Deadline saved. Reminders will follow it.")
            return redirect("assessments:detail", pk=pk)
    return render(request, "assessments/deadline.html", {"assessment": assessment, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def assessment_reopen_view(request, pk):
    assessment = get_assessment_for_user(request, pk, head=True)
    if assessment.is_draft:
        messages.info(request, "This assessment is already a draft.")
        return redirect("assessments:detail", pk=pk)
    form = ReopenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            assessment_reopen(assessment_id=assessment.pk, user=request.user, reason=form.cleaned_data["reason"])
        except NotValid as error:
            for field, message in error.problems.items():
                form.add_error(field, message)
        except NotEditable as error:
            messages.info(request, str(error))
            return redirect("assessments:detail", pk=pk)
        else:
            messages.success(request, "Reopened as a draft. The reason is recorded.")
            return redirect("assessments:detail", pk=pk)
    return render(request, "assessments/reopen.html", {"assessment": assessment, "form": form})


@login_required
@require_GET
def year_on_year(request, pk):
    assessment = get_assessment_for_user(request, pk)
    previous, before = previous_levels(assessment=assessment)
    unscored = rules.shown_level(level=None)
    sections = list(assessment.framework.sections.all())
    section_number = int_param(request.GET.get("section"), low=1, high=max((s.number for s in sections), default=1))
    change = request.GET.get("change", "")
    rows = []
    scores = assessment.scores.select_related("objective__section").order_by("objective__number")
    if section_number is not None:
        scores = scores.filter(objective__section__number=section_number)
    for score in scores:
        shown_before = before.get(score.objective_id, unscored)
        kind = rules.change(shown_before["level"], score.level)
        if change in rules.CHANGES and kind != change:
            continue
        rows.append({"score": score, "before": shown_before["written"], "change": kind})
    return render(
        request,
        "assessments/year_on_year.html",
        {
            "assessment": assessment,
            "previous": previous,
            "rows": rows,
            "sections": sections,
            "section_number": str(section_number or ""),
            "change": change,
            "change_filters": rules.CHANGES,
        },
    )
