"""Who may see an invitation: only the rater it was made for (404 for anyone else: even its existence is not theirs to know).

The head's pages (invite, consolidate, withdraw) go through assessments.access.get_assessment_for_user(head=True).
"""

from django.http import Http404
from django.shortcuts import get_object_or_404

from .models import Invitation


def get_invitation_for_user(request, pk):
    invitation = get_object_or_404(Invitation.objects.select_related("assessment__council", "assessment__framework", "directorate"), pk=pk)
    if invitation.rater_id != request.user.pk:
        raise Http404("No such invitation.")
    return invitation
