"""Sign-off and every write are serialised by one row lock on the assessment (assessments.services.lock_draft).

On PostgreSQL, with real concurrent transactions: a write held up while the head signs off is refused; a
sign-off held up while a write is in flight waits for it, so the write lands before the sign-off — never after.
"""

import threading
import time

import pytest
from django.db import connection, connections, transaction

from assessments.models import Assessment, Evidence, Score
from assessments.services import Door, NotEditable, assessment_start, assessment_submit, evidence_add, score_write
from councils.models import Membership

from .conftest import load_frameworks, make_council, make_user

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's; SQLite serialises every write transaction"),
]

HOLD = 1.5  # seconds the first transaction keeps its lock; the second must wait that long, however busy the machine


@pytest.fixture
def setting():
    from maturity.models import Framework

    if not Framework.objects.filter(code="nps-2018").exists():
        load_frameworks()
    council = make_council("Locking Borough Council", "locking")
    head = make_user("lock-head", council, Membership.Role.HEAD)
    framework = Framework.objects.get(code="nps-2018")
    draft = assessment_start(council_id=council.pk, framework_id=framework.pk, year=2024, user=head, carry_forward=False)
    return {"head": head, "draft": draft, "score": draft.scores.get(objective__number=1)}


def in_thread(target):
    outcome = {}

    def run():
        try:
            outcome["value"] = target()
        except Exception as error:  # noqa: BLE001 - the test inspects it
            outcome["error"] = error
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def signing_off_slowly(setting):
    """The head's sign-off, holding its lock for HOLD seconds before it commits; returns the thread once the lock is held."""
    holding = threading.Event()

    def sign_off():
        with transaction.atomic():
            assessment_submit(assessment_id=setting["draft"].pk, user=setting["head"])
            holding.set()
            time.sleep(HOLD)

    signer, _ = in_thread(sign_off)
    assert holding.wait(60)
    return signer


def test_a_write_held_up_by_sign_off_is_refused(setting):
    signer = signing_off_slowly(setting)
    started = time.monotonic()
    writer, outcome = in_thread(lambda: score_write(score_id=setting["score"].pk, version=1, user=setting["head"], door=Door.AUTOSAVE, level=3))
    writer.join(120)
    signer.join(120)
    assert isinstance(outcome.get("error"), NotEditable), outcome
    assert time.monotonic() - started > HOLD / 2  # it waited for the lock rather than reading a stale "draft"
    assert Score.objects.get(pk=setting["score"].pk).level is None


def test_a_sign_off_held_up_by_a_write_comes_after_it(setting):
    holding = threading.Event()

    def write_slowly():
        with transaction.atomic():
            score_write(score_id=setting["score"].pk, version=1, user=setting["head"], door=Door.AUTOSAVE, level=4)
            holding.set()
            time.sleep(HOLD)

    writer, outcome = in_thread(write_slowly)
    assert holding.wait(60)
    signer, signed = in_thread(lambda: assessment_submit(assessment_id=setting["draft"].pk, user=setting["head"]))
    signer.join(120)
    writer.join(120)
    assert "error" not in outcome and "error" not in signed, (outcome, signed)
    score = Score.objects.get(pk=setting["score"].pk)
    assessment = Assessment.objects.get(pk=setting["draft"].pk)
    assert score.level == 4 and assessment.status == Assessment.Status.SUBMITTED
    assert score.updated_at <= assessment.submitted_at


def test_evidence_held_up_by_sign_off_is_refused(setting):
    signer = signing_off_slowly(setting)
    adder, outcome = in_thread(lambda: evidence_add(score_id=setting["score"].pk, user=setting["head"], title="Late", url="https://example.org/late"))
    adder.join(120)
    signer.join(120)
    assert isinstance(outcome.get("error"), NotEditable), outcome
    assert not Evidence.objects.filter(score=setting["score"]).exists()
