"""Operations that span several models, each in one transaction."""

import uuid

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from maturity.levels import Level

from . import spreadsheets
from .models import Assessment, AssessmentEvent, DirectorateRating, Evidence, Score


class StaleScore(Exception):
    """Somebody saved this objective since the form was loaded."""

    def __init__(self, current, numbers=()):
        self.current, self.numbers = current, list(numbers)
        if current is not None:
            super().__init__(f"{current.objective} was changed by someone else (now version {current.version}).")
        else:
            super().__init__(f"Objectives {', '.join(map(str, self.numbers))} were changed by someone else since the preview.")


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
            score.not_applicable, score.not_applicable_reason = old.not_applicable, old.not_applicable_reason
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

    score.version = data["version"] + 1  # what the conditional UPDATE just wrote; no need to read it back
    score.level = data["level"]
    score.working_towards = data["working_towards"]
    score.comment, score.action, score.evidence = data["comment"], data["action"], data["evidence"]
    score.not_applicable, score.not_applicable_reason = data.get("not_applicable", False), data.get("not_applicable_reason", "")
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


# Spreadsheets ----------------------------------------------------------------------------


def assessment_export_rows(assessment):
    """One row per objective in our export layout (spreadsheets.OUR_COLUMNS)."""
    previous = assessment.previous()
    before = dict(previous.scores.values_list("objective_id", "level")) if previous else {}
    rows = []
    for score in assessment.scores.select_related("objective__section").prefetch_related("evidence_items").order_by("objective__number"):
        rows.append([
            assessment.framework.short_name, score.objective.number, score.objective.section.name, score.objective.name,
            score.level, Level(score.level).label if score.level else "Unscored", "yes" if score.working_towards else "",
            score.comment, score.action, score.evidence, before.get(score.objective_id), score.source_text,
            "yes" if score.not_applicable else "", score.not_applicable_reason,
            "; ".join(f"{e.title} ({e.url or e.original_name})" for e in score.evidence_items.all()),
        ])
    return rows


def assessment_import_plan(assessment, items):
    """Match parsed rows to this assessment's scores: (changes, problems by line, versions seen).

    A change is {number, name, old, new, comment_changed, values}; nothing is written here.
    """
    scores = {s.objective.number: s for s in assessment.scores.select_related("objective").prefetch_related("directorate_ratings__directorate")}
    changes, problems = [], {}
    for item in items:
        row_problems = list(item.problems)
        score = scores.get(item.number) if item.number is not None else None
        if item.number is not None and score is None:
            row_problems.append(f"There is no objective {item.number} in {assessment.framework}.")
        if score is not None:
            name = item.values.get("name", "")
            if name and not spreadsheets.names_match(name, score.objective.name):
                row_problems.append(f"“{name}” does not match objective {item.number}, “{score.objective.name}”.")
            level = item.values.get("level", score.level)
            weakest = score.weakest_rating()
            if weakest is not None and level != weakest.level:
                row_problems.append(f"Objective {item.number} has directorate ratings whose weakest is {weakest.level} ({weakest.directorate}); the council score must equal it.")
            if item.values.get("not_applicable") and level is not None:
                row_problems.append(f"Objective {item.number} is marked out of scope but has a level.")
            if item.values.get("not_applicable") and not item.values.get("not_applicable_reason", score.not_applicable_reason).strip():
                row_problems.append(f"Objective {item.number} is marked out of scope without a reason.")
            evidence = item.values.get("evidence", score.evidence)
            if level == 5 and not evidence.strip():
                row_problems.append(f"Objective {item.number}: a 5 needs evidence (a case study).")
        if row_problems:
            problems[item.line] = row_problems
            continue
        values = {key: value for key, value in item.values.items() if key != "name"}
        # Keep what the sheet said when it was more than a plain level, e.g. the legacy split score "2/3".
        plain = "" if values.get("level") is None else str(values["level"])
        values["source_text"] = item.original if item.original.strip() not in (plain, "") else ""
        fields = ("level", "working_towards", "comment", "action", "evidence", "not_applicable", "not_applicable_reason")
        if any(key in values and getattr(score, key) != values[key] for key in fields):
            changes.append({
                "number": score.objective.number, "name": score.objective.name, "score_id": score.pk, "version": score.version,
                "old": score.display_level, "new": spreadsheets.split_score(values.get("level", score.level), values.get("working_towards", score.working_towards)),
                "comment_changed": "comment" in values and values["comment"] != score.comment,
                "values": values,
            })
    return changes, problems


@transaction.atomic
def assessment_import(assessment, changes, user):
    """Apply previewed changes all together, or none: refused if the assessment was submitted or any score changed since the preview."""
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if not locked.is_draft:
        raise NotEditable("This assessment has been submitted; it no longer accepts imports.")
    scores = Score.objects.select_for_update().in_bulk([c["score_id"] for c in changes])
    stale = [c["number"] for c in changes if c["score_id"] not in scores or scores[c["score_id"]].version != c["version"]]
    if stale:
        raise StaleScore(None, numbers=stale)
    for change in changes:
        score = scores[change["score_id"]]
        for key, value in change["values"].items():
            setattr(score, key, value)
        score.version += 1
        score.carried_forward = False
        score.updated_by = user
        score._history_user = user
        score.save()
    return len(changes)


# Evidence -------------------------------------------------------------------------------


@transaction.atomic
def evidence_add(score, form, user):
    data = form.cleaned_data
    upload = data.get("file")
    evidence = Evidence(score=score, title=data["title"], url=data.get("url", ""), uploaded_by=user)
    if upload:
        evidence.kind, evidence.size, evidence.original_name = form.kind, upload.size, upload.name[:255]
        # Stored under a random name: the user's file name never reaches the file system.
        evidence.file.save(f"{uuid.uuid4().hex}.{form.kind}", upload, save=False)
    evidence.save()
    return evidence


def evidence_remove(evidence):
    stored = evidence.file.name if evidence.file else None
    storage = evidence.file.storage if stored else None
    evidence.delete()
    if stored:
        transaction.on_commit(lambda: storage.delete(stored))
