"""E-mail for real: invitations and password resets sent through Django's SMTP backend to a real SMTP server
(aiosmtpd, started here on loopback), read back, and their links followed."""

import re
import socket
from datetime import datetime, timedelta

import pytest
from django.test import override_settings
from django.urls import reverse

from ratings.invitations import InvitationTokenGenerator, invitation_tokens
from ratings.models import Invitation

from .conftest import PASSWORD, smtp_settings  # smtp, the SMTP server fixture, is in conftest
from .test_browser import axe_violations, sign_in

NEW_PASSWORD = "a-Fresh-passphrase-2026"


def subject_of(message):
    from email.header import decode_header, make_header

    return str(make_header(decode_header(message["Subject"]))).replace("\r\n", "").replace("\n", "")


def link_in(text):
    return re.search(r"https?://\S+", text).group(0)


@pytest.mark.browser
def test_an_invitee_gets_an_email_follows_its_link_chooses_a_password_and_rates(page, live_server, transactional_db, nps2018, smtp, settings):
    from assessments.services import assessment_start

    from .conftest import make_council, make_user

    settings.SITE_URL = live_server.url  # links in mails come from SITE_URL, never from the Host a request came by
    council = make_council("Alpha Borough Council", "alpha")
    head = make_user("head", council, "head")
    draft = assessment_start(council_id=council.pk, framework_id=nps2018.pk, year=2024, user=head, carry_forward=False)
    sign_in(page, live_server, "head")
    page.goto(f"{live_server.url}/assessments/{draft.pk}/raters/")
    page.fill("#id_first_name", "Amira")
    page.fill("#id_last_name", "Khan")
    page.fill("#id_email", "amira@example.org")
    page.fill("#id_username", "amira")
    page.fill("#id_role_label", "Commissioner")
    page.get_by_label("1. Engaging Councillors").check()
    page.get_by_role("button", name="Invite").click()
    page.get_by_text("an e-mail with a link to choose their password has gone to amira@example.org").wait_for()
    assert "Password" not in page.locator("main form:has(button:has-text(\"Invite\"))").inner_text()  # the head never makes one up

    assert len(smtp.messages) == 1 and smtp.messages[0]["To"] == "amira@example.org"
    assert "please rate 3 NPS objectives" in smtp.messages[0]["Subject"]
    link = link_in(smtp.body())
    assert link.startswith(live_server.url + "/invitations/")

    page.get_by_role("button", name="Sign out").click()
    page.goto(link)
    assert axe_violations(page) == []
    page.fill("#id_new_password1", NEW_PASSWORD)
    page.fill("#id_new_password2", NEW_PASSWORD)
    page.get_by_role("button", name="Set my password and start").click()
    page.get_by_text("Your password is set").wait_for()
    assert f"/ratings/{Invitation.objects.get().pk}/" in page.url
    page.get_by_role("button", name="Sign out").click()

    page.goto(link)  # single use
    page.get_by_text("has expired or has already been used").wait_for()
    sign_in_page = f"{live_server.url}/accounts/login/"
    page.goto(sign_in_page)
    page.fill("#id_username", "amira")
    page.fill("#id_password", NEW_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_text("Objectives you are asked to rate").is_visible()


def test_password_reset_goes_by_smtp_and_its_link_sets_a_new_password(client, head, smtp, settings):
    from .conftest import run_worker

    head.email = "head@alpha.example.org"
    head.save()
    response = client.post(reverse("password_reset"), {"email": "head@alpha.example.org"})
    assert response.status_code == 302
    assert smtp.messages == []  # the worker sends it: the request does the same work for any address
    run_worker()
    assert len(smtp.messages) == 1 and smtp.messages[0]["To"] == "head@alpha.example.org"
    link = link_in(smtp.body())
    assert link.startswith(settings.SITE_URL)  # never the request's Host
    path = link.removeprefix(settings.SITE_URL)
    form = client.get(path, follow=True)
    assert form.status_code == 200
    done = client.post(form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    head.refresh_from_db()
    assert head.check_password(NEW_PASSWORD) and not head.check_password(PASSWORD)


def test_an_invitation_link_expires_after_seven_days(rater, settings):
    rater.set_unusable_password()
    rater.save()
    token = invitation_tokens.make_token(rater)
    assert invitation_tokens.check_token(rater, token)

    class Later(InvitationTokenGenerator):
        def _now(self):
            return datetime.now() + timedelta(days=settings.INVITATION_DAYS, hours=1)

    assert not Later().check_token(rater, token)
    assert not invitation_tokens.check_token(rater, token[:-1] + ("0" if token[-1] != "0" else "1"))


# "Your report is ready" (issue #17) ----------------------------------------------------------------


def test_someone_who_asks_hears_by_email_when_the_report_is_ready_and_its_link_downloads_it(client, officer, last_year, smtp, settings):
    from .conftest import run_worker

    officer.email = "officer@alpha.example.org"
    officer.save()
    client.force_login(officer)
    url = reverse("reports:pdf", args=[last_year.pk]) + "?edition=councillor"
    preparing = client.get(url).content.decode()
    assert "E-mail me when it is ready" in preparing
    response = client.post(reverse("reports:pdf_notify", args=[last_year.pk]) + "?edition=councillor", follow=True)
    assert "We will e-mail officer@alpha.example.org when the report is ready" in response.content.decode()
    assert smtp.messages == []  # nothing until it is made
    run_worker()
    assert len(smtp.messages) == 1 and smtp.messages[0]["To"] == "officer@alpha.example.org"
    assert subject_of(smtp.messages[0]) == "Your report is ready – Alpha Borough Council: NPS 2018 2023 councillor edition"
    link = link_in(smtp.body())
    assert link.startswith(settings.SITE_URL + "/reports/") and link.endswith("?edition=councillor")  # never the request's Host
    pdf = client.get(link.removeprefix(settings.SITE_URL))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    run_worker()
    assert len(smtp.messages) == 1  # told once


def test_the_head_who_signs_off_hears_when_the_years_reports_are_ready(blank_draft, head, smtp, django_capture_on_commit_callbacks):
    from assessments.services import assessment_submit

    from .conftest import run_worker

    head.email = "head@alpha.example.org"
    head.save()
    with django_capture_on_commit_callbacks(execute=True):
        assessment_submit(assessment_id=blank_draft.pk, user=head)
    run_worker()
    assert [m["To"] for m in smtp.messages] == ["head@alpha.example.org"]
    body = smtp.body()
    assert "Full report: http" in body and "Councillor edition: http" in body and "signed off" in body


def test_a_report_that_fails_is_reported_by_email_too(client, officer, last_year, smtp, monkeypatch):
    import reports.pdf

    from .conftest import run_worker

    officer.email = "officer@alpha.example.org"
    officer.save()
    monkeypatch.setattr(reports.pdf, "render_pdf", lambda html: (_ for _ in ()).throw(RuntimeError("font cache broken")))
    client.force_login(officer)
    client.get(reverse("reports:pdf", args=[last_year.pk]))
    client.post(reverse("reports:pdf_notify", args=[last_year.pk]))
    run_worker()
    assert subject_of(smtp.messages[0]).startswith("Your report could not be made")
    assert "try again" in smtp.body()


def test_without_an_email_address_the_page_says_so(client, officer, last_year):
    officer.email = ""
    officer.save()
    client.force_login(officer)
    client.get(reverse("reports:pdf", args=[last_year.pk]))
    response = client.post(reverse("reports:pdf_notify", args=[last_year.pk]), follow=True)
    assert "Your account has no e-mail address" in response.content.decode()


def test_a_mail_server_that_is_down_leaves_the_invitation_made_and_its_mail_sent_on_retry(client, head, draft, council_a, smtp, django_capture_on_commit_callbacks):
    """Sending mail never leaves half a write, even for a council name stored with CR/LF before names were checked."""

    from councils.models import Council
    from outbox.models import Mail
    from outbox.services import mail_deliver
    from ratings.models import Invitation

    Council.objects.filter(pk=council_a.pk).update(name="Alpha\r\nBcc: everyone@example.org")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]  # nothing listens here once the probe closes
    client.force_login(head)
    form = {"first_name": "Amira", "last_name": "Khan", "email": "amira@example.org", "username": "amira", "role_label": "Commissioner", "key_areas": [draft.framework.sections.first().pk]}
    with override_settings(**smtp_settings(closed)), django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("ratings:raters", args=[draft.pk]), form, follow=True)
    page = response.content.decode()
    assert response.status_code == 200 and "could not be sent yet; we will retry it automatically" in page
    assert Invitation.objects.filter(rater__username="amira").exists()
    mail = Mail.objects.get()
    assert mail.status == Mail.Status.WAITING and mail.attempts == 1 and "\n" not in mail.subject and smtp.messages == []
    mail_deliver(mail_id=mail.pk)  # what the worker's retry does, with the server back
    mail.refresh_from_db()
    assert mail.status == Mail.Status.SENT and len(smtp.messages) == 1
    assert smtp.messages[0]["Bcc"] is None and subject_of(smtp.messages[0]).startswith("Alpha Bcc: everyone@example.org: please rate")
    mail_deliver(mail_id=mail.pk)  # a second worker, or a retry that raced it: sent once
    assert len(smtp.messages) == 1


def test_the_same_event_is_recorded_and_sent_once(smtp, db, django_capture_on_commit_callbacks):
    from outbox.models import Mail
    from outbox.services import mail_queue

    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            mail_queue(to="head@example.org", subject="Ratings wait", body="Two raters have submitted.", key="ratings-waiting:1:2026-12-03")
    assert Mail.objects.count() == 1 and len(smtp.messages) == 1


def test_password_reset_is_throttled_per_address_and_per_client(client, head, smtp, settings):
    from .conftest import run_worker

    head.email = "head@alpha.example.org"
    head.save()
    for _ in range(20):
        assert client.post(reverse("password_reset"), {"email": "head@alpha.example.org"}).status_code == 302
    run_worker()
    assert len(smtp.messages) <= settings.PASSWORD_RESET_ADDRESS_LIMIT and smtp.messages
    for i in range(20):  # one client trying many addresses
        client.post(reverse("password_reset"), {"email": f"someone{i}@example.org"})
    from django_tasks_db.models import DBTaskResult

    assert DBTaskResult.objects.filter(task_path="config.accounts.password_reset_send").count() <= settings.PASSWORD_RESET_CLIENT_LIMIT


def test_a_known_and_an_unknown_address_cost_the_request_the_same_work(client, head, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    head.email = "head@alpha.example.org"
    head.save()
    counts = []
    for address in ("head@alpha.example.org", "nobody@alpha.example.org"):
        with CaptureQueriesContext(connection) as captured:
            page = client.post(reverse("password_reset"), {"email": address}, follow=True)
        counts.append(len(captured.captured_queries))
        assert "check your" in page.content.decode().lower() or page.status_code == 200
    assert counts[0] == counts[1], counts
