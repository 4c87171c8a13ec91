"""Who may see or change an action plan: the one predicate, used by the QuerySet and the per-object helper alike.

A council's people read its plans (councillors only once published: a draft is work in progress); officers and
heads change them; the head starts and publishes them. Imports the models at the top; the models never import
this module (tests/test_permissions.py checks it).
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from councils.access import can_edit_council, council_scope, is_head_of, membership_of

from .models import ActionPlan, PlanStatus


def _reach(user):
    """(which council's plans, whether drafts too): the one predicate behind visible_q and can_see_plan."""
    scope = council_scope(user)
    membership = membership_of(user)
    return scope, scope == "all" or (membership is not None and membership.can_edit)


def visible_q(user):
    scope, drafts = _reach(user)
    if scope is None:
        return Q(pk__in=[])
    q = Q() if scope == "all" else Q(council_id=scope)
    return q if drafts else q & ~Q(status=PlanStatus.DRAFT)


def visible_plans(user):
    """The plans this user may read, as a QuerySet to narrow further (`.for_council(…)`)."""
    return ActionPlan.objects.filter(visible_q(user))


def can_see_plan(user, plan):
    """visible_q for one plan already in hand, without a query."""
    scope, drafts = _reach(user)
    return scope is not None and scope in ("all", plan.council_id) and (drafts or plan.status != PlanStatus.DRAFT)


def get_plan_for_user(request, pk, *, edit=False, head=False):
    """The plan if this user may see it (404 otherwise); 403 if they may see but not do."""
    plan = get_object_or_404(ActionPlan.objects.select_related("council", "framework", "owner", "published_by"), pk=pk)
    if not can_see_plan(request.user, plan):
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
