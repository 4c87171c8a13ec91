"""Who may see or change an assessment: one helper, so every view checks the same way."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from councils.access import can_edit_council, can_read_council, is_head_of, membership_of

from .models import Assessment


def get_assessment_for_user(request, pk, *, edit=False, head=False):
    """The assessment if this user may see it (404 otherwise); 403 if they may see but not do."""
    assessment = get_object_or_404(Assessment.objects.select_related("council", "framework", "submitted_by"), pk=pk)
    user = request.user
    if not can_read_council(user, assessment.council):
        raise Http404("No such assessment.")
    membership = membership_of(user)
    if assessment.is_draft and not user.is_staff and not (membership and membership.can_edit):
        raise PermissionDenied("Drafts are visible to the council's officers and heads only.")
    if edit and not can_edit_council(user, assessment.council):
        raise PermissionDenied("Only the council's officers and heads of procurement can change assessments.")
    if head and not is_head_of(user, assessment.council):
        raise PermissionDenied("Only the council's head of procurement can do this.")
    return assessment
