"""Every write to an assessment, each in one transaction.

**One door for every score.** `score_write` is the only code that changes a Score: autosave, the key-area
form, the spreadsheet import, consolidation of ratings all call it (carry forward checks the same rules when it
creates the year's rows). It takes plain values, checks every rule of `maturity.rules.score_problems`, and
writes under a row lock on the assessment (`lock_draft`), which sign-off takes too: a write either lands
before the sign-off or is refused, never after.

Two errors, each with the message users see:
* `NotEditable` — the assessment is submitted, or (`StaleScore`) someone saved since the change was made;
* `NotValid` — the change breaks a rule; `.problems` maps field names to messages.
"""

import logging
import uuid

from django.db import models, transaction
from django.db.models import Exists, OuterRef, Prefetch, prefetch_related_objects
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from common.storage import STORAGE_ERRORS
from councils.models import Directorate
from maturity import rules
from maturity.levels import Level

from .models import Assessment, AssessmentEvent, DirectorateRating, Evidence, KeyAreaFlags, Score
from .selectors import previous_submitted, score_has_evidence
from .signals import assessment_submitted

logger = logging.getLogger(__name__)


class NotEditable(Exception):
    """The assessment (or this score) cannot change now; the message says why."""


class StaleScore(NotEditable):
    """Somebody saved this objective since the form was loaded."""

    def __init__(self, current=None, numbers=()):
        self.current, self.numbers = current, list(numbers)
        if current is not None:
            super().__init__(f"{current.objective} was changed by someone else (now version {current.version}).")
        else:
            super().__init__(f"Objectives {', '.join(map(str, self.numbers))} were changed by someone else since the preview.")


class NotValid(Exception):
    """The change breaks a rule: problems is {field: message}."""

    def __init__(self, problems, prefix=""):
        self.problems = dict(problems)
        super().__init__(prefix + " ".join(self.problems.values()))


class Door(models.TextChoices):
    """Every way a score can be written; recorded on each history row. tests/test_score_doors.py has a row per door."""

    AUTOSAVE = "autosave", "Autosave"
    KEY_AREA_FORM = "key_area_form", "Key-area form"
    IMPORT = "import", "Spreadsheet import"
    CONSOLIDATION = "consolidation", "Consolidation of ratings"
    CARRY_FORWARD = "carry_forward", "Carried forward"
    DEMO = "demo", "Demo data"


KEEP = object()  # a score_write argument left as it is
SUBMITTED_MESSAGE = "This assessment has been submitted and is read-only."


def lock_draft(assessment_id, message=SUBMITTED_MESSAGE):
    """The assessment, locked for the rest of the transaction (SELECT … FOR UPDATE); NotEditable unless a draft.

    Sign-off takes the same lock, so every write to a draft is serialised with it.
    """
    assessment = Assessment.objects.select_for_update(of=("self",)).select_related("council").get(pk=assessment_id)
    if not assessment.is_draft:
        raise NotEditable(message)
    return assessment


def lock_draft_of_score(score_id, message=SUBMITTED_MESSAGE):
    """lock_draft of the assessment this score belongs to, found and locked in one query."""
    assessment = Assessment.objects.select_for_update(of=("self",)).filter(scores__pk=score_id).first()
    if assessment is None:
        raise Score.DoesNotExist(f"No score {score_id}.")
    if not assessment.is_draft:
        raise NotEditable(message)
    return assessment


def _kept(value, current):
    return current if value is KEEP else value


@transaction.atomic
def score_write(
    *,
    score_id,
    user,
    door,
    version=None,
    level=KEEP,
    working_towards=KEEP,
    comment=KEEP,
    action=KEEP,
    evidence=KEEP,
    directorate_levels=KEEP,
    out_of_scope=KEEP,
    out_of_scope_reason=KEEP,
    source_text=KEEP,
):
    """Change one score, checking every rule; returns the saved Score.

    `version` is the version the change was made from (None: the current one, for decisions made on other
    grounds, such as consolidation). `directorate_levels` is {directorate_id: level} for the directorates
    given a level. Arguments left out keep their stored values.
    """
    door = Door(door)
    lock_draft_of_score(score_id)
    # Its directorate levels are read only if it has any (most scores have none): one query fewer for them.
    score = Score.objects.select_related("objective").annotate(has_ratings=Exists(DirectorateRating.objects.filter(score_id=OuterRef("pk")))).get(pk=score_id)
    if score.has_ratings:
        prefetch_related_objects([score], Prefetch("directorate_ratings", queryset=DirectorateRating.objects.select_related("directorate")))
    else:
        score._prefetched_objects_cache = {"directorate_ratings": DirectorateRating.objects.none()}

    if directorate_levels is KEEP:
        wanted = {r.directorate_id: r.level for r in score.directorate_ratings.all()}
        directorates = {r.directorate_id: r.directorate for r in score.directorate_ratings.all()}
    else:
        wanted = {int(pk): value for pk, value in directorate_levels.items() if value is not None}
        directorates = {d.pk: d for d in Directorate.objects.filter(council__assessments__scores__pk=score_id)} if wanted else {}
        unknown = [pk for pk in wanted if pk not in directorates]
        if unknown:
            raise NotValid({"level": "A level was given for a directorate this council does not have; reload the page."})

    new = {
        "level": _kept(level, score.level),
        "working_towards": bool(_kept(working_towards, score.working_towards)),
        "comment": _kept(comment, score.comment),
        "action": _kept(action, score.action),
        "evidence": _kept(evidence, score.evidence),
        "out_of_scope": bool(_kept(out_of_scope, score.out_of_scope)),
        "out_of_scope_reason": _kept(out_of_scope_reason, score.out_of_scope_reason),
    }
    problems = rules.score_problems(
        level=new["level"],
        working_towards=new["working_towards"],
        out_of_scope=new["out_of_scope"],
        out_of_scope_reason=new["out_of_scope_reason"],
        has_evidence=new["level"] == Level.INNOVATOR and score_has_evidence(score=score, evidence_text=new["evidence"]),  # counted only for a 5
        directorate_levels=[(directorates[pk], value) for pk, value in wanted.items()],
        texts={key: new[key] for key in ("comment", "action", "evidence", "out_of_scope_reason")},
    )
    if source_text is not KEEP and source_text:
        try:
            written = rules.parse_level(source_text)
        except rules.LevelError as error:
            problems["level"] = str(error)
        else:
            if written[0] != new["level"]:
                problems["level"] = f"“{source_text}” does not say level {rules.format_level(new['level'], new['working_towards'])}."
    if problems:
        raise NotValid(problems)

    # The version, one way: read after the assessment's row lock, which every write to its scores takes, so of two
    # writes made from the same version exactly one wins; the save below stores the next version with the change.
    if version is not None and score.version != version:
        raise StaleScore(Score.objects.select_related("updated_by", "objective").get(pk=score.pk))
    score.version += 1

    level_changed = (new["level"], new["working_towards"]) != (score.level, score.working_towards)
    for key, value in new.items():
        setattr(score, key, value)
    if source_text is not KEEP:
        score.source_text = rules.written_form(source_text, score.level)
    elif level_changed:
        score.source_text = ""  # what a sheet once said no longer describes the level
    score.carried_forward = False
    score.updated_by = user
    score._history_user = user
    score._change_reason = door.label
    score.save()

    existing = {r.directorate_id: r for r in score.directorate_ratings.all()}
    for directorate_id, value in wanted.items():
        rating = existing.pop(directorate_id, None)
        if rating is None:
            rating = DirectorateRating(score=score, directorate=directorates[directorate_id], level=value)
        elif rating.level == value:
            continue
        rating.level = value
        rating._history_user = user
        rating.save()
    for rating in existing.values():
        rating._history_user = user
        rating.delete()
    score._prefetched_objects_cache.pop("directorate_ratings", None)  # read as they now stand, if asked
    return score


# The year's lifecycle ----------------------------------------------------------------------------


@transaction.atomic
def assessment_start(*, council_id, framework_id, year, user, carry_forward=True):
    """Create the year's assessment with a score row per scorable objective.

    With carry_forward, levels, comments, actions, evidence notes and links, attached files, out-of-scope marks
    and directorate ratings are copied from the latest submitted earlier assessment and marked carried
    forward until someone touches them. A carried score is checked by the same rules as any write; one that
    breaks a rule (scores written before the rule existed) comes across unscored, its text kept, and the
    start event says which and why.
    """
    from maturity.models import Framework

    framework = Framework.objects.get(pk=framework_id)
    assessment = Assessment.objects.create(council_id=council_id, framework=framework, year=year, created_by=user)
    source = previous_submitted(assessment=assessment) if carry_forward else None
    previous = {}
    if source:
        assessment.carried_forward_from = source
        assessment.save(update_fields=["carried_forward_from"])
        previous = {s.objective_id: s for s in source.scores.prefetch_related("directorate_ratings__directorate", "evidence_items")}

    scores, refused = [], []
    for objective in framework.objectives.scorable().order_by("number"):
        old = previous.get(objective.pk)
        score = Score(assessment=assessment, objective=objective, updated_by=user)
        if old:
            score.comment, score.action, score.evidence = old.comment, old.action, old.evidence
            score.out_of_scope, score.out_of_scope_reason = old.out_of_scope, old.out_of_scope_reason
            score.level, score.working_towards, score.source_text = old.level, old.working_towards, old.source_text
            problems = rules.score_problems(
                level=old.level,
                working_towards=old.working_towards,
                out_of_scope=old.out_of_scope,
                out_of_scope_reason=old.out_of_scope_reason,
                has_evidence=score_has_evidence(score=old),
                directorate_levels=[(r.directorate, r.level) for r in old.directorate_ratings.all()],
                texts={"comment": old.comment, "action": old.action, "evidence": old.evidence, "out_of_scope_reason": old.out_of_scope_reason},
            )
            if problems:
                refused.append(f"{objective.number}: {' '.join(problems.values())}")
                score.level, score.working_towards, score.source_text, score.out_of_scope = None, False, "", False
                score.comment = rules.CONTROL_CHARACTERS.sub("", score.comment)[: rules.MAX_TEXT_LENGTH]
                score.action = rules.CONTROL_CHARACTERS.sub("", score.action)[: rules.MAX_TEXT_LENGTH]
                score.evidence = rules.CONTROL_CHARACTERS.sub("", score.evidence)[: rules.MAX_TEXT_LENGTH]
                score.out_of_scope_reason = rules.CONTROL_CHARACTERS.sub("", score.out_of_scope_reason)[: rules.MAX_TEXT_LENGTH]
            score.carried_forward = True
        score._change_reason = Door.CARRY_FORWARD.label if old else "Started"
        scores.append(score)
    bulk_create_with_history(scores, Score, default_user=user, default_change_reason="Carried forward" if source else "Started")

    if previous:
        created = {s.objective_id: s for s in assessment.scores.all()}
        refused_numbers = {int(note.split(":", 1)[0]) for note in refused}
        ratings, evidence = [], []
        for objective_id, old in previous.items():
            new = created.get(objective_id)
            if new is None:
                continue
            if old.objective.number not in refused_numbers:
                ratings += [DirectorateRating(score=new, directorate_id=r.directorate_id, level=r.level) for r in old.directorate_ratings.all()]
            # The same stored file, referred to again: evidence_remove deletes a file only when no row refers to it.
            evidence += [
                Evidence(score=new, file=e.file.name, original_name=e.original_name, kind=e.kind, size=e.size, url=e.url, title=e.title, uploaded_by=e.uploaded_by)
                for e in old.evidence_items.all()
            ]
        bulk_create_with_history(ratings, DirectorateRating, default_user=user)
        Evidence.objects.bulk_create(evidence)

    note = f"Carried forward from {source.year}" if source else "Started blank"
    if refused:
        note += ". Carried forward unscored, because they break a scoring rule: " + "; ".join(refused)
    AssessmentEvent.objects.create(assessment=assessment, kind=AssessmentEvent.Kind.STARTED, by=user, reason=note)
    return assessment


@transaction.atomic
def assessment_submit(*, assessment_id, user):
    """Sign the year off. Takes the lock every write takes, so no write lands after it."""
    locked = lock_draft(assessment_id, "This assessment is already submitted.")
    locked.status = Assessment.Status.SUBMITTED
    locked.submitted_at = timezone.now()
    locked.submitted_by = user
    locked._history_user = user
    locked.save()
    AssessmentEvent.objects.create(assessment=locked, kind=AssessmentEvent.Kind.SUBMITTED, by=user)
    transaction.on_commit(lambda: assessment_submitted.send(sender=Assessment, assessment_id=locked.pk, user_id=user.pk))
    return locked


@transaction.atomic
def assessment_reopen(*, assessment_id, user, reason):
    """Back to draft, with the reason recorded; its kept PDFs go (they may change again)."""
    reason = (reason or "").strip()
    problem = rules.text_problem("The reason", reason, limit=2000) if reason else "Say why the assessment is being reopened; the reason is recorded."
    if problem:
        raise NotValid({"reason": problem})
    locked = Assessment.objects.select_for_update().get(pk=assessment_id)
    if locked.is_draft:
        raise NotEditable("This assessment is already a draft.")
    locked.status = Assessment.Status.DRAFT
    locked.submitted_at = None
    locked.submitted_by = None
    locked._history_user = user
    locked.save()
    AssessmentEvent.objects.create(assessment=locked, kind=AssessmentEvent.Kind.REOPENED, by=user, reason=reason)
    locked.cached_reports.all().delete()
    return locked


@transaction.atomic
def assessment_deadline_set(*, assessment_id, deadline, raters_due, user):
    """The head sets (or clears) the year's deadline and the date ratings are due; reminders follow them."""
    problem = rules.deadline_problem(deadline=deadline, raters_due=raters_due, today=timezone.localdate())
    if problem:
        raise NotValid({"deadline": problem})
    locked = lock_draft(assessment_id, "This year is signed off: it has no deadline left to set.")
    locked.deadline, locked.raters_due = deadline, raters_due
    locked._history_user = user
    locked.save(update_fields=["deadline", "raters_due"])
    return locked


# The value-code questions ------------------------------------------------------------------------


@transaction.atomic
def key_area_flags_set(*, assessment_id, section_id, matters_most, support_needed, user):
    """Record, for one key area of a draft, whether it matters most to the council and whether it needs support."""
    assessment = lock_draft(assessment_id)
    if not assessment.framework.sections.filter(pk=section_id).exists():
        raise NotValid({"section": "That key area is not in this framework."})
    flags, _ = KeyAreaFlags.objects.update_or_create(
        assessment_id=assessment_id, section_id=section_id, defaults={"matters_most": bool(matters_most), "support_needed": bool(support_needed), "updated_by": user}
    )
    return flags


# Spreadsheet import ------------------------------------------------------------------------------

IMPORT_FIELDS = ("level", "working_towards", "comment", "action", "evidence", "out_of_scope", "out_of_scope_reason")


@transaction.atomic
def assessment_import(*, assessment_id, changes, user, flags=()):
    """Apply previewed changes all together, or none: evidence links first (a 5 may rest on them), then each score
    through score_write, then the key areas' value-code answers.

    Refused if the assessment was submitted, any score changed since the preview (StaleScore), or a change
    breaks a rule (NotValid, naming the objective).
    """
    lock_draft(assessment_id, "This assessment has been submitted; it no longer accepts imports.")
    current = dict(Score.objects.filter(assessment_id=assessment_id, pk__in=[c["score_id"] for c in changes]).values_list("pk", "version"))
    stale = [c["number"] for c in changes if current.get(c["score_id"]) != c["version"]]
    if stale:
        raise StaleScore(numbers=stale)
    for change in changes:
        values = {key: value for key, value in change["values"].items() if key in (*IMPORT_FIELDS, "source_text")}
        try:
            for link in change.get("links", []):
                evidence_add(score_id=change["score_id"], user=user, title=link["title"], url=link["url"])
            if values:
                score_write(score_id=change["score_id"], version=change["version"], user=user, door=Door.IMPORT, **values)
        except NotValid as error:
            raise NotValid(error.problems, prefix=f"Objective {change['number']}: ") from error
    for flag in flags:
        key_area_flags_set(assessment_id=assessment_id, section_id=flag["section_id"], matters_most=flag["matters_most"], support_needed=flag["support_needed"], user=user)
    return len(changes) + len(flags)


# Evidence ----------------------------------------------------------------------------------------

EVIDENCE_LOCKED = "This assessment has been submitted; its evidence can no longer change."
STORAGE_DOWN = "The evidence store cannot be reached just now, so the file was not saved and nothing changed. Try again in a few minutes; if it goes on, tell your council's IT."


@transaction.atomic
def evidence_add(*, score_id, user, title, url="", upload=None, kind=""):
    """A file (already checked: `kind` read from its content) or a link behind a score, while the assessment is a draft."""
    score = Score.objects.get(pk=score_id)
    lock_draft(score.assessment_id, EVIDENCE_LOCKED)
    problem = rules.text_problem("The title", title, limit=200)
    if problem:
        raise NotValid({"title": problem})
    evidence = Evidence(score=score, title=title, url=url or "", uploaded_by=user)
    if upload is not None:
        evidence.kind, evidence.size, evidence.original_name = kind, upload.size, rules.CONTROL_CHARACTERS.sub("", upload.name)[:255]
        # Stored under a random name: the user's file name never reaches the file system.
        try:
            evidence.file.save(f"{uuid.uuid4().hex}.{kind}", upload, save=False)
        except STORAGE_ERRORS as error:
            logger.exception("Could not store evidence for score %s", score_id)
            raise NotValid({"file": STORAGE_DOWN}) from error
    evidence.save()
    return evidence


@transaction.atomic
def evidence_remove(*, evidence_id, user):
    evidence = Evidence.objects.select_related("score").get(pk=evidence_id)
    lock_draft(evidence.score.assessment_id, EVIDENCE_LOCKED)
    stored = evidence.file.name if evidence.file else None
    storage = evidence.file.storage if stored else None
    evidence.delete()
    if stored and not Evidence.objects.filter(file=stored).exists():  # a carried-forward year may still refer to it
        transaction.on_commit(lambda: _delete_stored(storage, stored))
    return evidence


def _delete_stored(storage, name):
    """The file of removed evidence, deleted after the removal commits. An unreachable store leaves it there, logged
    for the operator (nobody can reach it: no row refers to it any more)."""
    try:
        storage.delete(name)
    except STORAGE_ERRORS:
        logger.exception("Could not delete the stored evidence file %s; it is no longer referred to and can be removed by hand.", name)
