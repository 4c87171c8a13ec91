"""Invitation links: single use, valid for INVITATION_DAYS, where an invited rater chooses their own password.

The token is Django's password-reset token under its own salt: it is bound to the account's password and last
sign-in, so it stops working once used; and to its own lifetime, not the password-reset one.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode

from outbox.services import mail_queue


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "ratings.invitations.InvitationTokenGenerator"

    def check_token(self, user, token):
        """Django's check, with this generator's lifetime (INVITATION_DAYS) instead of PASSWORD_RESET_TIMEOUT."""
        if not (user and token) or "-" not in token:
            return False
        ts_b36, _ = token.split("-", 1)
        try:
            ts = base36_to_int(ts_b36)
        except ValueError:
            return False
        secrets = [self.secret, *self.secret_fallbacks]
        if not any(constant_time_compare(self._make_token_with_timestamp(user, ts, secret), token) for secret in secrets):
            return False
        return (self._num_seconds(self._now()) - ts) <= timedelta(days=settings.INVITATION_DAYS).total_seconds()


invitation_tokens = InvitationTokenGenerator()


def invitation_link(user, site_url):
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return site_url.rstrip("/") + reverse("ratings:invitation_accept", args=[uid, invitation_tokens.make_token(user)])


def invitation_send(invitation, site_url):
    """The invitation e-mail (who asks, what to rate, and the link), recorded and sent through the outbox: a mail
    server that is down leaves the invitation made and the e-mail waiting, retried by the worker. Returns the Mail."""
    link = invitation_link(invitation.rater, site_url)
    context = {"invitation": invitation, "link": link, "days": settings.INVITATION_DAYS, "count": invitation.objectives.count()}
    subject = f"{invitation.assessment.council}: please rate {context['count']} NPS objective{'s' if context['count'] != 1 else ''}"
    mail = mail_queue(to=invitation.rater.email, subject=subject, body=render_to_string("ratings/invitation_email.txt", context))
    mail.refresh_from_db()
    return mail
