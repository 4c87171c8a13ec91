"""The door matrix: every rule a score keeps gets the same verdict, with the same message, whichever door the score comes in by.

A door is a way a score is written (assessments.services.Door), plus the rater's save and the admin. Each rule
is tried at every door it applies to; a refusal must show the rule's own message (maturity.rules) and store
nothing. A new Door without a column here fails `test_every_door_is_in_the_matrix`, as a new URL fails the
permission matrix.
"""

import csv
import html
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from assessments.models import Assessment, AssessmentEvent, DirectorateRating, Evidence, Score
from assessments.services import Door, NotValid, assessment_start, assessment_submit, score_write
from councils.models import Membership
from maturity import rules
from ratings.models import Invitation, Rating

from .conftest import make_user, score_post

NUMBER = 1  # objective 1, key area 1


def snapshot(assessment):
    return list(Score.objects.filter(assessment=assessment).order_by("objective__number").values_list("objective__number", "level", "working_towards", "comment", "evidence", "out_of_scope", "out_of_scope_reason", "version"))


def place_at_two(score):
    """Directorate levels stored on the score: Place at 2, the others at 3."""
    for directorate in score.assessment.council.directorates.all():
        DirectorateRating.objects.create(score=score, directorate=directorate, level=2 if directorate.name == "Place" else 3)


def attach_link(score):
    Evidence.objects.create(score=score, title="Cabinet report", url="https://example.org/report")


# The cases: what is attempted, what is stored beforehand, and the message every door must give (None: accepted).
CASES = {
    "weakest_directorate": {"values": {"level": 3}, "before": place_at_two, "message": rules.weakest_level_message("Place", 2)},
    "five_without_evidence": {"values": {"level": 5}, "message": rules.MESSAGES["innovator_needs_evidence"]},
    "five_with_attached_link": {"values": {"level": 5}, "before": attach_link, "message": None},
    "five_working_towards_six": {"values": {"level": 5, "working_towards": True}, "message": rules.MESSAGES["working_towards_needs_level"]},
    "working_towards_without_level": {"values": {"level": None, "working_towards": True}, "message": rules.MESSAGES["working_towards_needs_level"]},
    "out_of_scope_with_level": {"values": {"level": 3, "out_of_scope": True, "out_of_scope_reason": "District council"}, "message": rules.MESSAGES["out_of_scope_has_no_level"]},
    "out_of_scope_without_reason": {"values": {"level": None, "out_of_scope": True, "out_of_scope_reason": ""}, "message": rules.MESSAGES["out_of_scope_needs_reason"]},
    "comment_too_long": {"values": {"level": 3, "comment": "x" * (rules.MAX_TEXT_LENGTH + 1)}, "message": f"Comment can be at most {rules.MAX_TEXT_LENGTH:,} characters"},
    "reason_too_long": {"values": {"level": None, "out_of_scope": True, "out_of_scope_reason": "y" * 100_000}, "message": f"Why it is out of scope can be at most {rules.MAX_TEXT_LENGTH:,} characters"},
    "control_character": {"values": {"level": 3, "comment": "Bell \x07 here"}, "message": "Comment contains a control character"},
    "plain_three": {"values": {"level": 3, "comment": "Fine"}, "message": None},
}


def expected_level(case):
    values = CASES[case]["values"]
    return values["level"] if CASES[case]["message"] is None else None


# The doors -------------------------------------------------------------------------------------------------


def _form_values(values):
    return {
        "level": values.get("level"),
        "working_towards": values.get("working_towards", False),
        "comment": values.get("comment", ""),
        "evidence": values.get("evidence", ""),
        **({"out_of_scope": "on"} if values.get("out_of_scope") else {}),
        "out_of_scope_reason": values.get("out_of_scope_reason", ""),
    }


def _directorate_posts(score):
    return {r.directorate: r.level for r in score.directorate_ratings.select_related("directorate")}


def door_autosave(ctx, values):
    score = ctx["score"]
    data = score_post(NUMBER, version=score.version, directorates=_directorate_posts(score), **_form_values(values))
    response = ctx["client"].post(reverse("assessments:autosave", args=[score.assessment_id, NUMBER]), data)
    return response.content.decode()


def door_key_area_form(ctx, values):
    score = ctx["score"]
    data = {}
    for other in Score.objects.filter(assessment_id=score.assessment_id, objective__section=score.objective.section).select_related("objective"):
        if other.pk == score.pk:
            data.update(score_post(NUMBER, version=score.version, directorates=_directorate_posts(score), **_form_values(values)))
        else:
            data.update(score_post(other.objective.number, level=other.level, version=other.version, comment=other.comment, action=other.action))
    response = ctx["client"].post(reverse("assessments:section", args=[score.assessment_id, score.objective.section.number]), data, follow=True)
    return response.content.decode()


def door_import(ctx, values):
    score = ctx["score"]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Number", "Level", "Working towards", "Comment", "Evidence", "Out of scope", "Why out of scope"])
    level = values.get("level")
    writer.writerow([NUMBER, "" if level is None else level, "yes" if values.get("working_towards") else "", values.get("comment", ""), values.get("evidence", ""), "yes" if values.get("out_of_scope") else "", values.get("out_of_scope_reason", "")])
    client = ctx["client"]
    preview = client.post(reverse("assessments:import", args=[score.assessment_id]), {"file": SimpleUploadedFile("scores.csv", out.getvalue().encode())})
    page = preview.content.decode()
    confirmed = client.post(reverse("assessments:import_confirm", args=[score.assessment_id]), follow=True)
    return page + confirmed.content.decode()


def door_consolidation(ctx, values):
    """The head consolidates submitted ratings at the attempted level (ratings can only carry a level)."""
    score = ctx["score"]
    if values.get("out_of_scope"):
        Score.objects.filter(pk=score.pk).update(out_of_scope=True, out_of_scope_reason=values.get("out_of_scope_reason") or "District council", level=None)
    rater = make_user(f"rater{score.pk}", score.assessment.council, Membership.Role.RATER)
    invitation = Invitation.objects.create(assessment_id=score.assessment_id, rater=rater, role_label="Commissioner", submitted_at=timezone.now())
    invitation.objectives.set([score.objective])
    level = values["level"] if values.get("level") is not None else 3
    Rating.objects.create(invitation=invitation, objective=score.objective, level=level)
    ctx["client"].force_login(ctx["head"])
    response = ctx["client"].post(reverse("ratings:consolidate", args=[score.assessment_id, NUMBER]), {f"c{NUMBER}-level": level, f"c{NUMBER}-reason": ""}, follow=True)
    return response.content.decode()


def door_carry_forward(ctx, values):
    """Last year's submitted score holds the attempted state (written before a rule existed); this year's draft is started from it."""
    score = ctx["score"]
    fields = {key: value for key, value in values.items()}
    Score.objects.filter(pk=score.pk).update(**fields)
    assessment_submit(assessment_id=score.assessment_id, user=ctx["head"])
    new = assessment_start(council_id=score.assessment.council_id, framework_id=score.assessment.framework_id, year=score.assessment.year + 1, user=ctx["head"])
    ctx["result_assessment"] = new
    return new.events.get(kind=AssessmentEvent.Kind.STARTED).reason


def door_demo(ctx, values):
    """seed_demo writes Medway's scores through score_write with its own door."""
    score = ctx["score"]
    try:
        score_write(score_id=score.pk, user=ctx["head"], door=Door.DEMO, version=score.version, **values)
    except NotValid as error:
        return " ".join(error.problems.values())
    return ""


DOORS = {
    Door.AUTOSAVE: door_autosave,
    Door.DEMO: door_demo,
    Door.KEY_AREA_FORM: door_key_area_form,
    Door.IMPORT: door_import,
    Door.CONSOLIDATION: door_consolidation,
    Door.CARRY_FORWARD: door_carry_forward,
}
# Consolidation sets only a level (the ratings' weakest or an override), never text or "working towards".
# No earlier year can hold an out-of-scope score with a level: the database refuses it (CheckConstraint).
NOT_AT = {Door.CARRY_FORWARD: {"out_of_scope_with_level"}, Door.CONSOLIDATION: {"five_working_towards_six", "working_towards_without_level", "out_of_scope_without_reason", "comment_too_long", "reason_too_long", "control_character"}}
MATRIX = [(door, case) for door in DOORS for case in CASES if case not in NOT_AT.get(door, set())]


def test_every_door_is_in_the_matrix():
    assert set(DOORS) == set(Door), "a new way of writing a score needs its column in the door matrix"


@pytest.fixture
def ctx(client, officer, head, blank_draft):
    client.force_login(officer)
    score = Score.objects.select_related("assessment__council", "objective__section").get(assessment=blank_draft, objective__number=NUMBER)
    return {"client": client, "officer": officer, "head": head, "score": score, "assessment": blank_draft}


@pytest.mark.parametrize(("door", "case"), MATRIX, ids=[f"{d.value}-{c}" for d, c in MATRIX])
def test_every_door_gives_the_same_verdict_and_message(ctx, door, case):
    spec = CASES[case]
    if spec.get("before"):
        spec["before"](ctx["score"])
    ctx["score"].refresh_from_db()
    result = DOORS[door](ctx, spec["values"])
    if door == Door.CARRY_FORWARD:
        carried = Score.objects.get(assessment=ctx["result_assessment"], objective__number=NUMBER)
        if spec["message"] is None:
            assert carried.level == spec["values"]["level"] and "break a scoring rule" not in result
        else:
            assert spec["message"] in result, result
            assert carried.level is None and not carried.working_towards and not carried.out_of_scope
        return
    score = Score.objects.get(pk=ctx["score"].pk)
    if spec["message"] is None:
        assert score.level == spec["values"]["level"], result[-3000:]
    else:
        assert spec["message"] in html.unescape(result), result[-3000:]
        assert score.level is None and score.version == ctx["score"].version  # nothing stored


# The other doors: the rater's save and the admin -------------------------------------------------------------


def test_the_raters_save_refuses_control_characters_and_long_text_with_the_same_messages(client, rater, invitation):
    client.force_login(rater)
    objectives = list(invitation.objectives.order_by("number"))
    for comment, message in (("Bell \x07", "Comment contains a control character"), ("z" * (rules.MAX_TEXT_LENGTH + 1), "at most 10,000 characters")):
        data = {f"r{o.number}-level": "3" for o in objectives} | {f"r{objectives[0].number}-comment": comment}
        page = client.post(reverse("ratings:rate", args=[invitation.pk]), data, follow=True).content.decode()
        assert message in page
        assert not Rating.objects.filter(invitation=invitation).exists()


def test_the_raters_save_is_refused_once_the_assessment_is_signed_off(client, rater, invitation, head):
    assessment_submit(assessment_id=invitation.assessment_id, user=head)
    client.force_login(rater)
    data = {f"r{o.number}-level": "3" for o in invitation.objectives.all()}
    page = client.post(reverse("ratings:rate", args=[invitation.pk]), data, follow=True).content.decode()
    assert "ratings are closed" in page
    assert not Rating.objects.filter(invitation=invitation).exists()


def test_the_admin_cannot_set_a_submitted_assessment_back_to_draft(client, staff, last_year):
    staff.is_superuser = True
    staff.save()
    client.force_login(staff)
    url = reverse("admin:assessments_assessment_change", args=[last_year.pk])
    page = client.get(url)
    assert page.status_code == 200 and 'name="status"' not in page.content.decode()
    client.post(url, {"status": "draft", "submitted_at_0": "", "submitted_at_1": ""})
    last_year.refresh_from_db()
    assert last_year.status == Assessment.Status.SUBMITTED and last_year.submitted_at is not None
    assert not last_year.events.filter(kind=AssessmentEvent.Kind.REOPENED).exists()


def test_a_reopen_needs_a_reason_and_leaves_an_event(client, head, last_year):
    client.force_login(head)
    page = client.post(reverse("assessments:reopen", args=[last_year.pk]), {"reason": "   "})
    last_year.refresh_from_db()
    assert page.status_code == 200 and last_year.status == Assessment.Status.SUBMITTED
    client.post(reverse("assessments:reopen", args=[last_year.pk]), {"reason": "Committee asked us to revisit social value"})
    last_year.refresh_from_db()
    assert last_year.status == Assessment.Status.DRAFT and last_year.submitted_at is None
    assert last_year.events.get(kind=AssessmentEvent.Kind.REOPENED).reason == "Committee asked us to revisit social value"


def test_evidence_cannot_be_added_or_removed_after_sign_off(client, officer, head, blank_draft):
    client.force_login(officer)
    score = Score.objects.get(assessment=blank_draft, objective__number=NUMBER)
    item = Evidence.objects.create(score=score, title="Report", url="https://example.org/a")
    assessment_submit(assessment_id=blank_draft.pk, user=head)
    page = client.post(reverse("assessments:evidence", args=[blank_draft.pk, NUMBER]), {"title": "Late", "url": "https://example.org/b"}, follow=True).content.decode()
    assert "can no longer change" in page
    client.post(reverse("assessments:evidence_delete", args=[blank_draft.pk, item.pk]))
    assert list(score.evidence_items.values_list("title", flat=True)) == ["Report"]


def test_carry_forward_copies_evidence_links_and_files_references(head, last_year, nps2018, council_a):
    score = last_year.scores.get(objective__number=NUMBER)
    Evidence.objects.create(score=score, title="Cabinet report", url="https://example.org/report")
    Score.objects.filter(pk=score.pk).update(level=5, evidence="")
    new = assessment_start(council_id=council_a.pk, framework_id=nps2018.pk, year=2024, user=head)
    carried = new.scores.get(objective__number=NUMBER)
    assert carried.level == 5 and [e.url for e in carried.evidence_items.all()] == ["https://example.org/report"]


def test_history_records_the_door_each_change_came_by(client, officer, blank_draft):
    client.force_login(officer)
    client.post(reverse("assessments:autosave", args=[blank_draft.pk, NUMBER]), score_post(NUMBER, level=2, version=1))
    score = Score.objects.get(assessment=blank_draft, objective__number=NUMBER)
    assert score.history.latest().history_change_reason == Door.AUTOSAVE.label


def test_stale_versions_are_refused_at_every_door_that_carries_one(client, officer, blank_draft):
    client.force_login(officer)
    first = client.post(reverse("assessments:autosave", args=[blank_draft.pk, NUMBER]), score_post(NUMBER, level=2, version=1))
    assert first.status_code == 200
    stale = client.post(reverse("assessments:autosave", args=[blank_draft.pk, NUMBER]), score_post(NUMBER, level=4, version=1))
    assert stale.status_code == 409
    assert Score.objects.get(assessment=blank_draft, objective__number=NUMBER).level == 2
