import email
import os
import shutil
import socket
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlparse

import django
import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings

from actionplans.models import Kpi
from actionplans.services import kpi_write, plan_create, plan_item_write, plan_publish
from assessments.models import Score
from assessments.services import assessment_start, assessment_submit
from councils.models import Council, Directorate, Membership
from maturity.loading import framework_load_file
from maturity.models import Framework

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
SEEDS = Path(os.environ.get("SEEDS_DIR", ROOT.parent / "shared" / "seeds"))
PASSWORD = "correct-horse-battery-1"

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop


def load_frameworks():
    for name in ("nps-2018.yaml", "nps-2022.yaml"):
        framework_load_file(FIXTURES / name)


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: primary keys are reused after a rollback on SQLite."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_frameworks()


@pytest.fixture
def nps2018(db):
    framework = Framework.objects.filter(code="nps-2018").first()
    if framework is None:  # flushed by a transactional test
        load_frameworks()
        framework = Framework.objects.get(code="nps-2018")
    return framework


def make_council(name, slug, directorates=("Adults & Health", "Place", "Corporate Services")):
    council = Council.objects.create(name=name, slug=slug, kind=Council.Kind.UNITARY, region=Council.Region.SOUTH_EAST)
    for order, directorate in enumerate(directorates):
        Directorate.objects.create(council=council, name=directorate, order=order)
    return council


def make_user(username, council=None, role=None, staff=False):
    user = get_user_model().objects.create_user(username, f"{username}@example.org", PASSWORD, is_staff=staff, first_name=username.title())
    if council:
        Membership.objects.create(user=user, council=council, role=role)
    return user


@pytest.fixture
def council_a(db):
    return make_council("Alpha Borough Council", "alpha")


@pytest.fixture
def council_b(db):
    return make_council("Beta District Council", "beta")


@pytest.fixture
def officer(council_a):
    return make_user("officer", council_a, Membership.Role.OFFICER)


@pytest.fixture
def head(council_a):
    return make_user("head", council_a, Membership.Role.HEAD)


@pytest.fixture
def councillor(council_a):
    return make_user("councillor", council_a, Membership.Role.COUNCILLOR)


@pytest.fixture
def other_officer(council_b):
    return make_user("other", council_b, Membership.Role.OFFICER)


@pytest.fixture
def staff(db):
    return make_user("staff", staff=True)


def submitted_assessment(council, framework, year, user, level_of=lambda number: 3):
    assessment = assessment_start(council_id=council.pk, framework_id=framework.pk, year=year, user=user, carry_forward=False)
    scores = list(assessment.scores.select_related("objective"))
    for score in scores:
        score.level = level_of(score.objective.number)
        score.comment = f"{year} comment for {score.objective.name}"
        score.action = f"{year} action"
    Score.objects.bulk_update(scores, ["level", "comment", "action"])
    return assessment_submit(assessment_id=assessment.pk, user=user)


@pytest.fixture
def last_year(nps2018, council_a, head):
    return submitted_assessment(council_a, nps2018, 2023, head)


@pytest.fixture
def draft(nps2018, council_a, head, last_year):
    """This year's draft, carried forward from last year's submitted assessment."""
    return assessment_start(council_id=council_a.pk, framework_id=nps2018.pk, year=2024, user=head, carry_forward=True)


@pytest.fixture
def blank_draft(nps2018, council_a, head):
    return assessment_start(council_id=council_a.pk, framework_id=nps2018.pk, year=2024, user=head, carry_forward=False)


def score_post(number, *, level="", version, comment="", action="", evidence="", working_towards=False, directorates=None, **extra):
    """POST data for one objective as the scoring page sends it."""
    prefix = f"o{number}-"
    data = {
        prefix + "level": "" if level is None else str(level),
        prefix + "comment": comment,
        prefix + "action": action,
        prefix + "evidence": evidence,
        prefix + "version": str(version),
    }
    if working_towards:
        data[prefix + "working_towards"] = "on"
    for directorate, value in (directorates or {}).items():
        data[f"{prefix}dir_{directorate.pk}"] = str(value)
    data.update({prefix + key: value for key, value in extra.items()})
    return data


@pytest.fixture
def plan(nps2018, council_a, head, last_year):
    """A 2024–2026 plan started from last year's levels, with a KPI and a delivery consideration, published the day
    before last year was signed off (it went to the same committee), so last year's reports show it."""
    plan = plan_create(council_id=council_a.pk, framework_id=nps2018.pk, title="Improvement plan", start_year=2024, end_year=2026, user=head, line_per_key_area=True)
    kpi_write(plan_id=plan.pk, user=head, name="On-contract spend", kind=Kpi.Kind.QUANTITY, unit=Kpi.Unit.PERCENT, baseline_value=Decimal("96.6"))
    plan_item_write(plan_id=plan.pk, user=head, kind="consideration", values={"description": "Approval to recruit a contract manager"})
    return plan_publish(plan_id=plan.pk, user=head, at=last_year.submitted_at - timedelta(days=1))


@pytest.fixture
def rater(council_a):
    return make_user("rater", council_a, Membership.Role.RATER)


@pytest.fixture
def invitation(draft, rater, head):
    """The rater invited to rate objectives 1 and 2 of this year's draft."""
    from ratings.models import Invitation

    invitation = Invitation.objects.create(assessment=draft, rater=rater, role_label="Commissioner", invited_by=head)
    invitation.objectives.set(draft.framework.objectives.filter(number__in=[1, 2]))
    return invitation


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        yield browser
        browser.close()


def run_worker():
    """Run the real django-tasks-db worker over every queued task, in this process, then return.

    The worker closes "old" connections between tasks, as a long-running process should; inside a test's transaction
    that would close the test's own connection, so here (only) it is told not to.
    """
    from unittest import mock

    from django.core.management import call_command
    from django.test import TestCase

    # What a task leaves for after its commit (an e-mail from the outbox) runs as it would outside a test's transaction.
    with TestCase.captureOnCommitCallbacks(execute=True), mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None):
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.console_errors = []
    page.outside_requests = []
    page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
    page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))
    host = urlparse(live_server.url).hostname

    def check_request(request):
        # Chromium's own PDF viewer (a built-in extension) opens the report: inside the browser, not the network.
        if request.url.startswith(("chrome-extension://mhjfbmdgcfjbbpaeojofohoefgiehjai/", "chrome://resources/")):
            return
        if urlparse(request.url).hostname not in (host, "localhost", "127.0.0.1"):
            page.outside_requests.append(request.url)

    page.on("request", check_request)
    page.error_responses = []
    page.on("response", lambda response: response.status >= 400 and page.error_responses.append(f"{response.status} {response.url}"))
    yield page
    context.close()
    assert page.console_errors == [], (page.console_errors, page.error_responses)
    assert page.outside_requests == [], page.outside_requests


def publish(plan, *, before=None):
    """Publish a plan as its head does; with `before` (a submitted assessment), published the day before that year was
    signed off, so that year's dashboard and reports show it (ActionPlan.objects.shown_for)."""
    return plan_publish(plan_id=plan.pk, user=plan.owner, at=before.submitted_at - timedelta(days=1) if before is not None else None)


def a_pdf():
    """A real one-page PDF (evidence must parse as what it claims to be)."""
    import io

    from pypdf import PdfWriter

    writer, out = PdfWriter(), io.BytesIO()
    writer.add_blank_page(width=200, height=200)
    writer.write(out)
    return out.getvalue()


def a_png():
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), (0, 90, 160)).save(out, "PNG")
    return out.getvalue()


# A real SMTP server (aiosmtpd) on loopback, for every test that reads mail back.

class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"

    def body(self, index=-1):
        message = self.messages[index]
        part = message.get_payload(decode=True) if not message.is_multipart() else message.get_payload(0).get_payload(decode=True)
        return part.decode()


def smtp_settings(port):
    options = {"host": "127.0.0.1", "port": port, "timeout": 30}
    if django.VERSION >= (6, 1):
        return {"MAILERS": {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": options}}}
    return {"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": port}


@pytest.fixture
def smtp():
    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, ready_timeout=60)
    controller.start()
    try:
        with override_settings(**smtp_settings(port)):
            yield inbox
    finally:
        controller.stop()
