"""Who may see or change an action plan: the one predicate, used by the QuerySet and the per-object helper alike.

A council's people read its plans (councillors included); officers and heads change them; the head starts them.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from councils.access import can_edit_council, council_scope, is_head_of


def visible_q(user):
    scope = council_scope(user)
    if scope is None:
        return Q(pk__in=[])
    return Q() if scope == "all" else Q(council_id=scope)


def get_plan_for_user(request, pk, *, edit=False, head=False):
    """The plan if this user may see it (404 otherwise); 403 if they may see but not do."""
    from .models import ActionPlan

    plan = get_object_or_404(ActionPlan.objects.select_related("council", "framework", "owner"), pk=pk)
    scope = council_scope(request.user)
    if scope is None or scope not in ("all", plan.council_id):
        raise Http404("No such action plan.")
    if edit and not can_edit_council(request.user, plan.council):
        raise PermissionDenied("Only the council's officers and heads of procurement can change action plans.")
    if head and not is_head_of(request.user, plan.council):
        raise PermissionDenied("Only the council's head of procurement can do this.")
    return plan


def can_edit_plan(user, plan):
    return can_edit_council(user, plan.council)


def is_head_for(user, plan):
    return is_head_of(user, plan.council)
