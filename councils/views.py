from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from actionplans.models import ActionPlan
from assessments.models import Assessment
from maturity.models import Framework


@login_required
@require_GET
def home(request):
    membership = getattr(request.user, "membership", None)
    assessments, plans = [], []
    if membership:
        plans = ActionPlan.objects.visible_to(request.user).for_council(membership.council).select_related("framework")
        assessments = (
            Assessment.objects.visible_to(request.user)
            .for_council(membership.council)
            .select_related("framework")
            .with_progress()
            .order_by("-year", "framework__code")
        )
    return render(
        request,
        "home.html",
        {"assessments": assessments, "plans": plans, "frameworks": Framework.objects.with_counts()},
    )
