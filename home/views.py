from collections import Counter

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from actionplans.access import visible_plans
from assessments.access import visible_assessments
from assessments.models import Assessment
from councils.access import membership_of, rater_membership
from maturity.levels import Level
from maturity.models import Framework
from ratings.models import Invitation
from reminders.selectors import what_is_left
from reports.chartdata import headline


@login_required
@require_GET
def home(request):
    membership = membership_of(request.user)
    assessments, plans = [], []
    if membership:
        plans = visible_plans(request.user).for_council(membership.council).select_related("framework")
        assessments = (
            visible_assessments(request.user)
            .for_council(membership.council)
            .select_related("framework")
            .with_progress()
            .order_by("-year", "framework__code")
        )
    summary = headline(membership.council) if membership else None
    todo = head_todo(membership) if membership and membership.is_head else []
    invitations = Invitation.objects.for_rater(request.user).select_related("assessment__council", "assessment__framework") if rater_membership(request.user) else []
    return render(
        request,
        "home/home.html",
        {"assessments": assessments, "plans": plans, "invitations": invitations, "frameworks": Framework.objects.with_counts(), "headline": summary, "todo": todo},
    )


def head_todo(membership):
    """What waits for the head: drafts ready to sign off (reminders.selectors' own count of what is left) and ratings
    submitted to consolidate. Two queries."""
    drafts = list(Assessment.objects.filter(council_id=membership.council_id, status=Assessment.Status.DRAFT).select_related("framework"))
    left = what_is_left([a.pk for a in drafts])
    waiting = Counter(Invitation.objects.filter(assessment__in=drafts, submitted_at__isnull=False).values_list("assessment_id", flat=True))
    items = []
    for a in drafts:
        if left[a.pk]["ready"]:
            items.append({"text": f"{a.framework.short_name} {a.year} is ready to sign off", "url": reverse("assessments:submit", args=[a.pk])})
        if waiting.get(a.pk):
            items.append({"text": f"{waiting[a.pk]} rater{'s have' if waiting[a.pk] != 1 else ' has'} submitted ratings for {a.framework.short_name} {a.year}: consolidate them", "url": reverse("ratings:consolidation", args=[a.pk])})
    return items


@login_required
@require_GET
def guidance(request):
    """How to assess: the LGA's own guidance (quoted, with its source) and how this tool applies it."""
    return render(request, "home/guidance.html", {"levels": [(level.value, level.label) for level in Level], "frameworks": Framework.objects.all()})
