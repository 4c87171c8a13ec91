from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from assessments.models import Assessment, Score
from assessments.services import NotEditable
from councils.models import Membership

from .models import Consolidation, Invitation, Rating, spread


@transaction.atomic
def invitation_create(assessment, data, invited_by):
    """A sign-in for the colleague, only as an invited rater, and their invitation to rate the chosen objectives."""
    user = get_user_model().objects.create_user(data["username"], data["email"], data["password"], first_name=data["first_name"], last_name=data["last_name"])
    Membership.objects.create(user=user, council=assessment.council, role=Membership.Role.RATER)
    invitation = Invitation.objects.create(assessment=assessment, rater=user, directorate=data.get("directorate"), role_label=data["role_label"], invited_by=invited_by)
    invitation.objectives.set(data["chosen"])
    return invitation


def _check_open(invitation):
    if invitation.is_submitted:
        raise NotEditable("You have submitted your ratings; they can no longer change.")
    if not Assessment.objects.filter(pk=invitation.assessment_id, status=Assessment.Status.DRAFT).exists():
        raise NotEditable("The assessment has been signed off; ratings are closed.")


@transaction.atomic
def ratings_save(invitation, values, user):
    """values: {objective: (level, comment)} for the invitation's objectives."""
    _check_open(Invitation.objects.select_for_update().get(pk=invitation.pk))
    for objective, (level, comment) in values.items():
        rating, _ = Rating.objects.get_or_create(invitation=invitation, objective=objective)
        if (rating.level, rating.comment) != (level, comment):
            rating.level, rating.comment = level, comment
            rating._history_user = user
            rating.save()


@transaction.atomic
def invitation_submit(invitation):
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    _check_open(locked)
    rated = set(locked.ratings.filter(level__isnull=False).values_list("objective_id", flat=True))
    missing = [o for o in locked.objectives.order_by("number") if o.pk not in rated]
    if missing:
        raise NotEditable("Rate every objective before submitting; not yet rated: " + ", ".join(f"{o.number}. {o.name}" for o in missing) + ".")
    locked.submitted_at = timezone.now()
    locked.save(update_fields=["submitted_at"])
    return locked


@transaction.atomic
def objective_consolidate(assessment, objective, level, reason, user):
    """Set the council's score from the submitted ratings: the weakest, or `level` with a recorded reason."""
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if not locked.is_draft:
        raise NotEditable("This assessment has been submitted and is read-only.")
    levels = Rating.objects.filter(invitation__assessment=assessment, invitation__submitted_at__isnull=False, objective=objective).values_list("level", flat=True)
    figures = spread(levels)
    if figures is None:
        raise NotEditable("No submitted ratings for this objective yet.")
    if level != figures["weakest"] and not reason.strip():
        raise NotEditable("An override of the weakest rating needs a reason.")
    score = Score.objects.select_for_update().prefetch_related("directorate_ratings__directorate").get(assessment=assessment, objective=objective)
    weakest_directorate = score.weakest_rating()
    if weakest_directorate is not None and weakest_directorate.level != level:
        raise NotEditable(f"The score also has directorate levels, whose weakest is {weakest_directorate.level} ({weakest_directorate.directorate}); change those on the scoring page first.")
    Consolidation.objects.update_or_create(
        assessment=assessment, objective=objective, defaults={"weakest": figures["weakest"], "level": level, "reason": reason.strip() if level != figures["weakest"] else "", "decided_by": user}
    )
    if level == 5 and not score.evidence.strip():
        raise NotEditable("A 5 (Innovator) needs evidence of a case study: add it on the scoring page first.")
    score.level = level
    score.working_towards = False
    score.carried_forward = False
    score.updated_by = user
    score.version = F("version") + 1
    score._history_user = user
    score.save()
    score.refresh_from_db(fields=["version"])
    return score


@transaction.atomic
def invitation_withdraw(invitation):
    """Withdraw an invitation and its ratings; the rater can no longer sign in unless invited elsewhere."""
    rater = invitation.rater
    invitation.delete()
    if not Invitation.objects.filter(rater=rater).exists():
        rater.is_active = False
        rater.save(update_fields=["is_active"])
