"""Ratings writes. Each checks the assessment is a draft under the same lock sign-off takes (assessments.services.lock_draft)."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from assessments.models import Score
from assessments.services import Door, NotEditable, NotValid, lock_draft, score_write
from councils.models import Membership
from maturity import rules
from maturity.levels import Level
from maturity.models import Objective

from .models import Consolidation, Invitation, Rating

RATINGS_CLOSED = "The assessment has been signed off; ratings are closed."


@transaction.atomic
def invitation_create(*, assessment_id, invited_by, username, email, first_name, last_name, role_label, directorate_id=None, objective_ids=()):
    """A sign-in for the colleague, only as an invited rater, and their invitation to rate the chosen objectives.

    The account has no usable password: the invitation e-mail's single-use link is where they choose one
    (ratings.invitations); the head never makes one up.
    """
    assessment = lock_draft(assessment_id, "This assessment has been submitted; reopen it to collect more ratings.")
    user = get_user_model().objects.create_user(username, email, None, first_name=first_name, last_name=last_name)
    Membership.objects.create(user=user, council=assessment.council, role=Membership.Role.RATER)
    invitation = Invitation.objects.create(assessment=assessment, rater=user, directorate_id=directorate_id, role_label=role_label, invited_by=invited_by)
    invitation.objectives.set(objective_ids)
    return invitation


def _check_open(invitation):
    if invitation.is_submitted:
        raise NotEditable("You have submitted your ratings; they can no longer change.")


@transaction.atomic
def ratings_save(*, invitation_id, values, user):
    """values: {objective_id: (level, comment)} for the invitation's objectives."""
    invitation = Invitation.objects.get(pk=invitation_id)
    lock_draft(invitation.assessment_id, RATINGS_CLOSED)
    invitation = Invitation.objects.select_for_update().get(pk=invitation_id)
    _check_open(invitation)
    allowed = set(invitation.objectives.values_list("pk", flat=True))
    problems = {}
    for objective_id, (level, comment) in values.items():
        if objective_id not in allowed:
            raise NotValid({"level": "That objective is not one you were invited to rate."})
        if level is not None and level not in Level.values:
            problems[f"r{objective_id}-level"] = rules.MESSAGES["level_range"]
        message = rules.text_problem("Comment", comment)
        if message:
            problems[f"r{objective_id}-comment"] = message
    if problems:
        raise NotValid(problems)
    for objective_id, (level, comment) in values.items():
        rating, _ = Rating.objects.get_or_create(invitation=invitation, objective_id=objective_id)
        if (rating.level, rating.comment) != (level, comment):
            rating.level, rating.comment = level, comment
            rating._history_user = user
            rating.save()


@transaction.atomic
def invitation_submit(*, invitation_id):
    invitation = Invitation.objects.get(pk=invitation_id)
    lock_draft(invitation.assessment_id, RATINGS_CLOSED)
    locked = Invitation.objects.select_for_update().get(pk=invitation_id)
    _check_open(locked)
    rated = set(locked.ratings.filter(level__isnull=False).values_list("objective_id", flat=True))
    missing = [o for o in locked.objectives.order_by("number") if o.pk not in rated]
    if missing:
        raise NotValid({"level": "Rate every objective before submitting; not yet rated: " + ", ".join(f"{o.number}. {o.name}" for o in missing) + "."})
    locked.submitted_at = timezone.now()
    locked.save(update_fields=["submitted_at"])
    return locked


def submitted_levels(assessment_id, objective_id):
    return list(Rating.objects.filter(invitation__assessment_id=assessment_id, invitation__submitted_at__isnull=False, objective_id=objective_id).values_list("level", flat=True))


@transaction.atomic
def objective_consolidate(*, assessment_id, objective_id, level, reason, user):
    """Set the council's score from the submitted ratings: the weakest, or `level` with a recorded reason.

    The score is written through score_write, so every scoring rule applies (out of scope, 5 needs evidence,
    directorate levels) with the same messages.
    """
    lock_draft(assessment_id)
    figures = rules.spread(submitted_levels(assessment_id, objective_id))
    if figures is None:
        raise NotValid({"level": "No submitted ratings for this objective yet."})
    reason = (reason or "").strip()
    if level != figures["weakest"] and not reason:
        raise NotValid({"reason": f"The weakest rating is {Level.label_of(figures['weakest'])}; give the reason for scoring {Level.label_of(level)} instead. It is recorded."})
    message = rules.text_problem("The reason", reason, limit=2000)
    if message:
        raise NotValid({"reason": message})
    score = Score.objects.get(assessment_id=assessment_id, objective_id=objective_id)
    score = score_write(score_id=score.pk, user=user, door=Door.CONSOLIDATION, level=level, working_towards=False)
    Consolidation.objects.update_or_create(
        assessment_id=assessment_id, objective_id=objective_id, defaults={"weakest": figures["weakest"], "level": level, "reason": reason if level != figures["weakest"] else "", "decided_by": user}
    )
    return score


@transaction.atomic
def assessment_consolidate_weakest(*, assessment_id, user):
    """Every objective with submitted ratings set to its weakest rating, the LGA's rule, in one go.

    A decision recorded with a reason (an override) is kept: it was argued for. Each objective goes through
    objective_consolidate, so every scoring rule holds; one refused (a 5 without evidence, a directorate entered
    lower on the scoring page) is reported with its message and the others are still set.
    Returns {"set": [objective], "kept": [objective], "refused": [(objective, message)]}.
    """
    lock_draft(assessment_id)
    argued = set(Consolidation.objects.filter(assessment_id=assessment_id).exclude(reason="").values_list("objective_id", flat=True))
    rated = Rating.objects.filter(invitation__assessment_id=assessment_id, invitation__submitted_at__isnull=False, level__isnull=False).values_list("objective_id", flat=True)
    outcome = {"set": [], "kept": [], "refused": []}
    for objective in Objective.objects.filter(pk__in=rated).order_by("number"):
        if objective.pk in argued:
            outcome["kept"].append(objective)
            continue
        weakest = rules.spread(submitted_levels(assessment_id, objective.pk))["weakest"]
        try:
            with transaction.atomic():
                objective_consolidate(assessment_id=assessment_id, objective_id=objective.pk, level=weakest, reason="", user=user)
        except NotValid as error:
            outcome["refused"].append((objective, str(error)))
        else:
            outcome["set"].append(objective)
    return outcome


@transaction.atomic
def invitation_withdraw(*, invitation_id):
    """Withdraw an invitation and its ratings; the rater can no longer sign in unless invited elsewhere."""
    invitation = Invitation.objects.select_related("rater").get(pk=invitation_id)
    lock_draft(invitation.assessment_id, "This assessment has been submitted; its raters can no longer change.")
    rater = invitation.rater
    invitation.delete()
    if not Invitation.objects.filter(rater=rater).exists():
        rater.is_active = False
        rater.save(update_fields=["is_active"])
    return invitation
