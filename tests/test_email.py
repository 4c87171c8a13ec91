"""E-mail for real: invitations and password resets sent through Django's SMTP backend to a real SMTP server
(aiosmtpd, started here on loopback), read back, and their links followed."""

import email
import re
import socket
from datetime import datetime, timedelta

import django
import pytest
from django.test import override_settings
from django.urls import reverse

from ratings.invitations import InvitationTokenGenerator, invitation_tokens
from ratings.models import Invitation

from .conftest import PASSWORD
from .test_browser import axe_violations, sign_in

NEW_PASSWORD = "a-Fresh-passphrase-2026"


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


def link_in(text):
    return re.search(r"https?://\S+", text).group(0)


@pytest.mark.browser
def test_an_invitee_gets_an_email_follows_its_link_chooses_a_password_and_rates(page, live_server, transactional_db, nps2018, smtp):
    from assessments.services import assessment_start

    from .conftest import make_council, make_user

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
    assert "Password" not in page.locator("form[novalidate]").inner_text()  # the head never makes one up

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


def test_password_reset_goes_by_smtp_and_its_link_sets_a_new_password(client, head, smtp):
    head.email = "head@alpha.example.org"
    head.save()
    response = client.post(reverse("password_reset"), {"email": "head@alpha.example.org"})
    assert response.status_code == 302
    assert len(smtp.messages) == 1 and smtp.messages[0]["To"] == "head@alpha.example.org"
    link = link_in(smtp.body())
    path = link.split("testserver", 1)[1]
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
