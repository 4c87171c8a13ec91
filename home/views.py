from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from actionplans.access import visible_plans
from assessments.access import visible_assessments
from councils.access import membership_of, rater_membership
from maturity.levels import Level
from maturity.models import Framework
from ratings.models import Invitation
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
    invitations = Invitation.objects.for_rater(request.user).select_related("assessment__council", "assessment__framework") if rater_membership(request.user) else []
    return render(
        request,
        "home/home.html",
        {"assessments": assessments, "plans": plans, "invitations": invitations, "frameworks": Framework.objects.with_counts(), "headline": summary},
    )


@login_required
@require_GET
def guidance(request):
    """How to assess: the LGA's own guidance (quoted, with its source) and how this tool applies it."""
    return render(request, "home/guidance.html", {"levels": [(level.value, level.label) for level in Level], "frameworks": Framework.objects.all()})
