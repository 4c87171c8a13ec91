"""Operations that span several models, each in one transaction."""

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from .models import Assessment, AssessmentEvent, DirectorateRating, Score


class StaleScore(Exception):
    """Somebody saved this objective since the form was loaded."""

    def __init__(self, current):
        self.current = current
        super().__init__(f"{current.objective} was changed by someone else (now version {current.version}).")


class NotEditable(Exception):
    pass


@transaction.atomic
def assessment_start(council, framework, year, user, *, carry_forward=True):
    """Create the year's assessment with a score row per scorable objective.

    With carry_forward, levels, comments, actions, evidence and directorate
    ratings are copied from the latest submitted earlier assessment and marked
    carried forward until someone touches them.
    """
    assessment = Assessment.objects.create(council=council, framework=framework, year=year, created_by=user)
    source = assessment.previous() if carry_forward else None
    previous = {}
    if source:
        assessment.carried_forward_from = source
        assessment.save(update_fields=["carried_forward_from"])
        previous = {s.objective_id: s for s in source.scores.prefetch_related("directorate_ratings")}

    scores = []
    for objective in framework.objectives.scorable().order_by("number"):
        old = previous.get(objective.pk)
        score = Score(assessment=assessment, objective=objective, updated_by=user)
        if old:
            score.level = old.level
            score.working_towards = old.working_towards
            score.comment, score.action, score.evidence = old.comment, old.action, old.evidence
            score.carried_forward = True
        scores.append(score)
    bulk_create_with_history(scores, Score, default_user=user)

    if previous:
        created = {s.objective_id: s for s in assessment.scores.all()}
        ratings = [
            DirectorateRating(score=created[objective_id], directorate_id=r.directorate_id, level=r.level)
            for objective_id, old in previous.items()
            if objective_id in created
            for r in old.directorate_ratings.all()
        ]
        bulk_create_with_history(ratings, DirectorateRating, default_user=user)

    note = f"Carried forward from {source.year}" if source else "Started blank"
    AssessmentEvent.objects.create(assessment=assessment, kind=AssessmentEvent.Kind.STARTED, by=user, reason=note)
    return assessment


@transaction.atomic
def score_save(score, form, user):
    """Apply a valid ScoreForm to `score` unless it went stale; returns the saved score.

    The version is bumped with a conditional UPDATE first, so of two saves made
    from the same version exactly one wins, on SQLite and PostgreSQL alike.
    """
    if not Assessment.objects.filter(pk=score.assessment_id, status=Assessment.Status.DRAFT).exists():
        raise NotEditable("This assessment has been submitted and is read-only.")
    data = form.cleaned_data
    bumped = Score.objects.filter(pk=score.pk, version=data["version"]).update(version=F("version") + 1)
    if not bumped:
        raise StaleScore(Score.objects.select_related("updated_by", "objective").get(pk=score.pk))

    score.refresh_from_db()
    score.level = data["level"]
    score.working_towards = data["working_towards"]
    score.comment, score.action, score.evidence = data["comment"], data["action"], data["evidence"]
    score.carried_forward = False
    score.updated_by = user
    score._history_user = user
    score.save()

    wanted = form.directorate_levels()
    existing = {r.directorate_id: r for r in score.directorate_ratings.all()}
    for directorate, level in wanted.items():
        rating = existing.pop(directorate.pk, None)
        if rating is None:
            rating = DirectorateRating(score=score, directorate=directorate, level=level)
        elif rating.level == level:
            continue
        rating.level = level
        rating._history_user = user
        rating.save()
    for rating in existing.values():
        rating._history_user = user
        rating.delete()
    return score


@transaction.atomic
def assessment_submit(assessment, user):
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if not locked.is_draft:
        raise NotEditable("This assessment is already submitted.")
    locked.status = Assessment.Status.SUBMITTED
    locked.submitted_at = timezone.now()
    locked.submitted_by = user
    locked._history_user = user
    locked.save()
    AssessmentEvent.objects.create(assessment=locked, kind=AssessmentEvent.Kind.SUBMITTED, by=user)
    return locked


@transaction.atomic
def assessment_reopen(assessment, user, reason):
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if locked.is_draft:
        raise NotEditable("This assessment is already a draft.")
    locked.status = Assessment.Status.DRAFT
    locked.submitted_at = None
    locked.submitted_by = None
    locked._history_user = user
    locked.save()
    AssessmentEvent.objects.create(assessment=locked, kind=AssessmentEvent.Kind.REOPENED, by=user, reason=reason)
    locked.cached_reports.all().delete()  # its PDF may change again
    return locked
