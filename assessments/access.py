"""Who may see or change an assessment: the one predicate, used by the visibility query and the per-object helper alike.

Imports the models at the top; the models never import this module (tests/test_permissions.py checks it)."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from councils.access import can_edit_council, council_scope, is_head_of, membership_of

from .models import Assessment, Score

SUBMITTED = Assessment.Status.SUBMITTED


def assessment_scope(user):
    """(council id or 'all', the statuses this user may read or None for every status), or None for nothing.

    Staff read everything; officers and heads their council's drafts and submitted years; councillors their
    council's submitted years only.
    """
    scope = council_scope(user)
    if scope is None:
        return None
    if scope == "all":
        return "all", None
    membership = membership_of(user)
    return scope, (None if membership.can_edit else {SUBMITTED})


def visible_q(user):
    """assessment_scope as a filter."""
    scope = assessment_scope(user)
    if scope is None:
        return Q(pk__in=[])
    council, statuses = scope
    q = Q() if council == "all" else Q(council_id=council)
    return q if statuses is None else q & Q(status__in=statuses)


def visible_assessments(user):
    """The assessments this user may read, as a QuerySet to narrow further (`.for_council(…)`)."""
    return Assessment.objects.filter(visible_q(user))


def get_assessment_for_user(request, pk, *, edit=False, head=False, response_sheet=False):
    """The assessment if this user may see it (404 otherwise); 403 if they may see but not do."""
    assessment = get_object_or_404(Assessment.objects.select_related("council", "framework", "submitted_by"), pk=pk)
    return _checked(request.user, assessment, edit=edit, head=head, response_sheet=response_sheet)


def get_score_for_user(request, pk, number, *, edit=False):
    """One objective's score of the assessment, with its assessment, objective and key area, found in one query, if
    this user may see that assessment (get_assessment_for_user's rule, 404 otherwise; 403 if they may see but not do)."""
    score = get_object_or_404(
        Score.objects.select_related("assessment__council", "assessment__framework", "objective__section"), assessment_id=pk, objective__number=number
    )
    _checked(request.user, score.assessment, edit=edit)
    return score


def _checked(user, assessment, *, edit=False, head=False, response_sheet=False):
    scope = assessment_scope(user)
    if scope is None or scope[0] not in ("all", assessment.council_id):
        raise Http404("No such assessment.")
    if scope[1] is not None and assessment.status not in scope[1]:
        raise PermissionDenied("Drafts are visible to the council's officers and heads only.")
    if edit and not can_edit_council(user, assessment.council):
        raise PermissionDenied("Only the council's officers and heads of procurement can change assessments.")
    if head and not is_head_of(user, assessment.council):
        raise PermissionDenied("Only the council's head of procurement can do this.")
    if response_sheet and not can_use_response_sheet(user, assessment):
        raise PermissionDenied("Response sheets are for officers and heads of procurement.")
    return assessment


def can_edit_assessment(user, assessment):
    """Officers and heads of its council, while it is a draft."""
    return assessment.is_draft and can_edit_council(user, assessment.council)


def is_head_for(user, assessment):
    return is_head_of(user, assessment.council)


def can_use_response_sheet(user, assessment):
    return user.is_staff or can_edit_council(user, assessment.council)
