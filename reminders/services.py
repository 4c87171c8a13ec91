"""Sending what is due, once: every reminder is recorded under its key before its mail is queued (in one
transaction), so a retry, a second worker or a second run the same day finds it recorded and sends nothing. The
outbox sends after commit and retries a mail server that fails."""

import logging

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from outbox.services import mail_queue

from .models import KINDS, Preference, Reminder
from .selectors import due_reminders, in_words

log = logging.getLogger(__name__)
UNSUBSCRIBE_SALT = "reminders.unsubscribe"


def unsubscribe_token(*, user_id, kind):
    return signing.dumps({"u": user_id, "k": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_link(*, user_id, kind):
    return settings.SITE_URL.rstrip("/") + reverse("reminders:unsubscribe", args=[unsubscribe_token(user_id=user_id, kind=kind)])


def preference_of(user):
    return Preference.objects.filter(user=user).first() or Preference(user=user)


@transaction.atomic
def preference_set(*, user_id, digest, muted):
    """What a person hears: the kinds they switched off and digest or each as it happens."""
    unknown = set(muted) - set(KINDS)
    if unknown:
        raise ValueError(f"Unknown reminder kinds: {sorted(unknown)}")
    preference, _ = Preference.objects.select_for_update().get_or_create(user_id=user_id)
    preference.digest, preference.muted = bool(digest), sorted(set(muted))
    preference.save()
    return preference


def unsubscribe_reader(token):
    """(user_id, kind) a one-click link names, or None for anything we did not sign."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        user_id, kind = int(data["u"]), str(data["k"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    return (user_id, kind) if kind in KINDS else None


@transaction.atomic
def reminder_unsubscribe(*, token):
    """The one-click link in a mail: that kind off for that person, signed in or not. Returns (user_id, kind)."""
    read = unsubscribe_reader(token)
    if read is None:
        raise signing.BadSignature("not one of our unsubscribe links")
    user_id, kind = read
    preference, _ = Preference.objects.select_for_update().get_or_create(user_id=user_id)
    if kind not in preference.muted:
        preference.muted = sorted({*preference.muted, kind})
        preference.save(update_fields=["muted"])
    return user_id, kind


def compose(user, reminders, *, subject):
    """(plain text, HTML, headers) of one mail holding `reminders` for `user`, each with its unsubscribe link."""
    kinds = sorted({r.kind for r in reminders})
    context = {
        "user": user, "reminders": reminders, "subject": subject, "today": in_words(timezone.localdate()),
        "unsubscribe": [{"kind": KINDS[kind], "link": unsubscribe_link(user_id=user.pk, kind=kind)} for kind in kinds],
        "preferences": settings.SITE_URL.rstrip("/") + reverse("reminders:preferences"),
    }
    first = context["unsubscribe"][0]["link"]
    headers = {"List-Unsubscribe": f"<{first}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    return render_to_string("reminders/mail.txt", context), render_to_string("reminders/mail.html", context), headers


def _record(due):
    try:
        with transaction.atomic():
            return Reminder.objects.create(key=due.key, user=due.user, kind=due.kind, subject=due.subject[:300], text=due.text, link=due.link, link_text=due.link_text[:200])
    except IntegrityError:  # recorded before (an earlier run, or another worker at the same moment)
        return None


def reminders_send(*, today=None):
    """Record and send every reminder due today that its person wants; on the digest day, each digest person's
    week in one mail. Returns (recorded, mails queued). Safe to run any number of times a day, on any number of
    machines at once."""
    today = today or timezone.localdate()
    preferences = {}
    recorded = queued = 0
    for due in due_reminders(today=today):
        preference = preferences.setdefault(due.user.pk, preference_of(due.user))
        if not preference.hears(due.kind):
            continue
        with transaction.atomic():
            reminder = _record(due)
            if reminder is None:
                continue
            recorded += 1
            if not preference.digest:
                text, html, headers = compose(due.user, [reminder], subject=reminder.subject)
                reminder.mail = mail_queue(to=due.user.email, subject=reminder.subject, body=text, html=html, headers=headers, key=f"reminder:{reminder.key}"[:200])
                reminder.save(update_fields=["mail"])
                queued += 1
    if today.weekday() == settings.REMINDER_DIGEST_WEEKDAY:
        queued += digests_send(today=today)
    log.info("Reminders for %s: %s recorded, %s mails queued", today, recorded, queued)
    return recorded, queued


def digests_send(*, today):
    """One mail per digest person with every reminder recorded for them and not yet sent (key: person and week)."""
    queued = 0
    waiting = Reminder.objects.filter(mail__isnull=True, user__reminder_preference__digest=True, user__is_active=True).select_related("user").order_by("created_at")
    by_user = {}
    for reminder in waiting:
        by_user.setdefault(reminder.user, []).append(reminder)
    year, week, _ = today.isocalendar()
    for user, reminders in by_user.items():
        reminders = [r for r in reminders if preference_of(user).hears(r.kind)]
        if not reminders:
            continue
        with transaction.atomic():
            subject = f"Your week: {len(reminders)} reminder{'s' if len(reminders) != 1 else ''} from NPS maturity"
            text, html, headers = compose(user, reminders, subject=subject)
            mail = mail_queue(to=user.email, subject=subject, body=text, html=html, headers=headers, key=f"digest:{user.pk}:{year}-W{week:02d}")
            Reminder.objects.filter(pk__in=[r.pk for r in reminders], mail__isnull=True).update(mail=mail)
            queued += 1
    return queued
