"""E-mail that never leaves half a write: recorded in the same transaction as the change it tells of, sent once that
commits, and retried by the worker (django-tasks-db) with growing delays if the mail server does not take it."""

import email.policy
import logging
import re
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Mail, Throttle

logger = logging.getLogger(__name__)
HEADER_UNSAFE = re.compile(r"[\r\n\x00-\x1f\x7f]+")


class OutboxMessage(EmailMultiAlternatives):
    """Lines up to RFC 5322's 998 characters: a List-Unsubscribe address is one long word, and folding it at 78
    would turn it into encoded words that mail clients do not follow."""

    def message(self, *, policy=email.policy.default):
        return super().message(policy=policy.clone(max_line_length=998))


def mail_queue(*, to, subject, body, key=None, html="", headers=None):
    """Record one e-mail (unless `key` was recorded before: then that one, untouched) and send it after the current
    transaction commits. Returns the Mail. `html`: the same message as HTML; `headers`: extra headers (values made
    single-line)."""
    subject = HEADER_UNSAFE.sub(" ", subject).strip()[:300]  # names reach subjects: never a header of their own
    headers = {name: HEADER_UNSAFE.sub(" ", str(value)).strip() for name, value in (headers or {}).items()}
    if key is not None and (existing := Mail.objects.filter(key=key).first()) is not None:
        return existing
    try:
        with transaction.atomic():
            mail = Mail.objects.create(key=key, to=to, subject=subject, body=body, html=html, headers=headers)
    except IntegrityError:  # the same event recorded at the same moment by another process
        return Mail.objects.get(key=key)
    transaction.on_commit(lambda: mail_deliver(mail_id=mail.pk))
    return mail


def mail_deliver(*, mail_id):
    """One attempt to send a recorded e-mail; on failure, the worker tries again later (MAIL_RETRIES times)."""
    with transaction.atomic():
        mail = Mail.objects.select_for_update().filter(pk=mail_id).first()
        if mail is None or mail.status != Mail.Status.WAITING:
            return mail
        try:
            message = OutboxMessage(mail.subject, mail.body, None, [mail.to], headers=mail.headers or None)
            if mail.html:
                message.attach_alternative(mail.html, "text/html")
            message.send()
        except Exception as error:  # any failure of the mail server or its connection
            mail.attempts += 1
            mail.error = f"{type(error).__name__}: {error}"[:2000]
            if mail.attempts > settings.MAIL_RETRIES:
                mail.status = Mail.Status.FAILED
                logger.error("Gave up e-mailing %s (%s) after %s attempts: %s", mail.to, mail.subject, mail.attempts, mail.error)
            else:
                logger.warning("Could not e-mail %s (%s), attempt %s: %s; will retry", mail.to, mail.subject, mail.attempts, mail.error)
            mail.save(update_fields=["attempts", "error", "status"])
            if mail.status == Mail.Status.WAITING:
                from .tasks import deliver_mail

                delay = timedelta(seconds=settings.MAIL_RETRY_SECONDS * 2 ** (mail.attempts - 1))
                transaction.on_commit(lambda: deliver_mail.using(run_after=timezone.now() + delay).enqueue(mail.pk))
            return mail
        mail.attempts += 1
        mail.status, mail.sent_at, mail.error = Mail.Status.SENT, timezone.now(), ""
        mail.save(update_fields=["attempts", "status", "sent_at", "error"])
        return mail


def throttle_hit(*, kind, key, limit, window):
    """Count one request of `kind` for `key`; True when it is past `limit` within `window` (a timedelta), in which
    case it is not counted (a flood does not keep itself locked out for ever)."""
    since = timezone.now() - window
    Throttle.objects.filter(kind=kind, key=key, at__lt=since).delete()
    if Throttle.objects.filter(kind=kind, key=key).count() >= limit:
        return True
    Throttle.objects.create(kind=kind, key=key)
    return False
