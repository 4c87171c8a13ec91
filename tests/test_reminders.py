"""The annual cycle with a controlled clock (time-machine) through a real SMTP server (aiosmtpd): each person gets
exactly the mails due to them, on the right day, once; preferences and one-click unsubscribe are respected."""

import threading
from collections import Counter
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.urls import reverse

from actionplans.models import Kpi, KpiValue
from assessments.services import assessment_deadline_set
from councils.models import Membership
from outbox.models import Mail
from reminders.models import Reminder
from reminders.services import preference_set, reminders_send

from .conftest import make_user
from .test_email import subject_of

DEADLINE = date(2027, 3, 15)
RATERS_DUE = date(2027, 3, 10)


def run_day(day, capture):
    with time_machine.travel(datetime(day.year, day.month, day.day, 7, 0), tick=False), capture(execute=True):
        return reminders_send(today=day)


@pytest.fixture
def cycle(draft, head, officer, councillor, plan, nps2018):
    from ratings.services import invitation_create

    with time_machine.travel(datetime(2027, 2, 20, 9, 0), tick=False):
        assessment_deadline_set(assessment_id=draft.pk, deadline=DEADLINE, raters_due=RATERS_DUE, user=head)
        invitation = invitation_create(assessment_id=draft.pk, invited_by=head, username="rita", email="rita@example.org", first_name="Rita", last_name="Rater", role_label="Commissioner", objective_ids=list(nps2018.objectives.filter(number__in=[1, 2]).values_list("pk", flat=True)))
    invitation.rater.set_password("an-accepted-invitation-1")  # the rater followed the invitation and chose a password
    invitation.rater.save()
    kpi = plan.kpis.get()
    Kpi.objects.filter(pk=kpi.pk).update(frequency="quarterly")
    KpiValue.objects.create(kpi=kpi, period_start=date(2026, 10, 1), target=Decimal("97"))  # ended 31 December 2026: actual due 30 January
    return {"draft": draft, "invitation": invitation, "kpi": kpi}


def sent(inbox):
    return Counter((message["To"], subject_of(message).strip()) for message in inbox.messages)


def test_a_whole_cycle_sends_each_person_what_is_due_on_the_day_once(cycle, smtp, head, officer, councillor, django_capture_on_commit_callbacks):
    days = {}
    day = date(2027, 2, 20)
    while day <= date(2027, 3, 20):
        before = len(smtp.messages)
        run_day(day, django_capture_on_commit_callbacks)
        if day == date(2027, 3, 8):  # the rater submits between two daily runs
            from assessments.models import Score
            from ratings.models import Rating
            from ratings.services import invitation_submit

            invitation = cycle["invitation"]
            for objective in invitation.objectives.all():
                Rating.objects.update_or_create(invitation=invitation, objective=objective, defaults={"level": 2})
            invitation_submit(invitation_id=invitation.pk)
            assert Score.objects.filter(assessment=cycle["draft"]).exists()
        days[day] = [(m["To"], subject_of(m).strip()) for m in smtp.messages[before:]]
        day += timedelta(days=1)
    on = {d: mails for d, mails in days.items() if mails}
    officer_mail, head_mail, rater_mail = "officer@example.org", "head@example.org", "rita@example.org"
    # the KPI's actual (due 30 January) on the first run; the deadline 14 days before (1 March) and 3 days before (12 March)
    assert [subject for to, subject in on[date(2027, 2, 20)] if to == head_mail] == ["Alpha Borough Council: the 2026/27 Q3 actual for “On-contract spend” is due"]
    assert sorted(to for to, _ in on[date(2027, 3, 1)]) == [head_mail, officer_mail]
    assert all("due for sign-off on 15 March 2027 (in 14 days)" in subject for _, subject in on[date(2027, 3, 1)])
    assert [to for to, _ in on[date(2027, 3, 7)]] == [rater_mail]  # three days before ratings are due
    assert any(to == head_mail and "has submitted ratings" in subject for to, subject in on[date(2027, 3, 9)])
    assert sorted(to for to, _ in on[date(2027, 3, 12)]) == [head_mail, officer_mail]
    assert on[date(2027, 3, 16)] == [(head_mail, "Alpha Borough Council: the sign-off deadline for NPS 2018 2024 has passed")]
    assert set(on) == {date(2027, 2, 20), date(2027, 3, 1), date(2027, 3, 7), date(2027, 3, 9), date(2027, 3, 12), date(2027, 3, 16)}
    assert not any(to == councillor.email for to, _ in sent(smtp))  # councillors never edit: nothing to do
    assert max(sent(smtp).values()) == 1  # nothing twice
    body = smtp.body(next(i for i, m in enumerate(smtp.messages) if m["To"] == officer_mail))
    assert "59 objectives carried forward from last year and not yet reviewed this year" in body
    assert "15 March 2027" in body and "Open NPS 2018 2024 for Alpha Borough Council" in body


def test_a_rater_who_has_not_accepted_hears_before_the_invitation_link_expires(draft, head, nps2018, smtp, django_capture_on_commit_callbacks):
    from ratings.services import invitation_create

    with time_machine.travel(datetime(2027, 2, 20, 9, 0), tick=False):
        invitation_create(assessment_id=draft.pk, invited_by=head, username="sam", email="sam@example.org", first_name="Sam", last_name="Rater", role_label="Contract manager", objective_ids=list(nps2018.objectives.filter(number=3).values_list("pk", flat=True)))
    run_day(date(2027, 2, 23), django_capture_on_commit_callbacks)
    assert smtp.messages == []
    run_day(date(2027, 2, 24), django_capture_on_commit_callbacks)  # the link works for 7 days: until 27 February
    assert [m["To"] for m in smtp.messages] == ["sam@example.org"]
    body = smtp.body(0)
    assert "due on 27 February 2027 (in 3 days); your invitation link stops working then" in body and "/invitations/" in body


def test_running_twice_a_day_sends_nothing_more(cycle, smtp, django_capture_on_commit_callbacks):
    run_day(date(2027, 3, 1), django_capture_on_commit_callbacks)
    first = len(smtp.messages)
    assert first > 0
    assert run_day(date(2027, 3, 1), django_capture_on_commit_callbacks) == (0, 0)
    assert len(smtp.messages) == first


def test_mails_are_text_and_html_with_one_click_unsubscribe_headers(cycle, smtp, officer, django_capture_on_commit_callbacks):
    run_day(date(2027, 3, 1), django_capture_on_commit_callbacks)
    message = next(m for m in smtp.messages if m["To"] == officer.email)
    assert message["List-Unsubscribe"].startswith("<http") and message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    kinds = [part.get_content_type() for part in message.walk()]
    assert "text/plain" in kinds and "text/html" in kinds
    html = next(part for part in message.walk() if part.get_content_type() == "text/html").get_payload(decode=True).decode()
    assert '<html lang="en-GB">' in html and "<h1" in html and "Open NPS 2018 2024 for Alpha Borough Council</a>" in html
    assert subject_of(message).startswith("Alpha Borough Council: NPS 2018 2024 is due for sign-off")  # the council's name first, no internal code


def test_one_click_unsubscribe_works_signed_out_and_stops_only_that_kind(cycle, smtp, officer, head, django_capture_on_commit_callbacks):
    run_day(date(2027, 3, 1), django_capture_on_commit_callbacks)
    message = next(m for m in smtp.messages if m["To"] == head.email)
    link = message["List-Unsubscribe"].strip("<>")
    anonymous = Client(enforce_csrf_checks=True)
    assert "Stop these reminders?" in anonymous.get(link).content.decode()  # a link scanner's GET changes nothing
    assert Reminder.objects.filter(user=head).exists()
    response = anonymous.post(link, {"List-Unsubscribe": "One-Click"})  # RFC 8058, no session, no CSRF token
    assert response.status_code == 200 and "Stopped" in response.content.decode()
    assert head.reminder_preference.muted == ["deadline"]
    before = sent(smtp)
    run_day(date(2027, 3, 12), django_capture_on_commit_callbacks)
    new = sent(smtp) - before
    assert not any(to == head.email and "due for sign-off" in subject for to, subject in new)  # stopped
    assert any(to == officer.email for to, _ in new)  # others still hear
    run_day(date(2027, 3, 16), django_capture_on_commit_callbacks)
    assert any(to == head.email and "has passed" in subject for to, subject in sent(smtp))  # other kinds unchanged
    assert Client().post(link.replace("/stop/", "/stop/x")).status_code == 404


def test_a_weekly_digest_gathers_the_weeks_reminders_into_one_mail(cycle, smtp, officer, django_capture_on_commit_callbacks):
    preference_set(user_id=officer.pk, digest=True, muted=[])
    run_day(date(2027, 3, 1), django_capture_on_commit_callbacks)  # a Monday: 1 March 2027
    assert date(2027, 3, 1).weekday() == 0
    mine = [m for m in smtp.messages if m["To"] == officer.email]
    assert len(mine) == 1 and subject_of(mine[0]).startswith("Your week: 1 reminder")
    run_day(date(2027, 3, 12), django_capture_on_commit_callbacks)  # a Friday: recorded, held for Monday
    assert len([m for m in smtp.messages if m["To"] == officer.email]) == 1
    run_day(date(2027, 3, 15), django_capture_on_commit_callbacks)  # Monday
    mine = [m for m in smtp.messages if m["To"] == officer.email]
    assert len(mine) == 2 and "in 3 days" in smtp.body(smtp.messages.index(mine[1]))


def test_a_removed_member_hears_nothing_more(cycle, smtp, officer, head, django_capture_on_commit_callbacks):
    from signin.services import member_remove

    member_remove(membership_id=officer.membership.pk, removed_by_id=head.pk)
    run_day(date(2027, 3, 1), django_capture_on_commit_callbacks)
    assert not any(m["To"] == officer.email for m in smtp.messages)


def test_a_changed_deadline_is_a_new_event(cycle, smtp, head, django_capture_on_commit_callbacks):
    run_day(date(2027, 3, 1), django_capture_on_commit_callbacks)
    with time_machine.travel(datetime(2027, 3, 2, 9, 0), tick=False):
        assessment_deadline_set(assessment_id=cycle["draft"].pk, deadline=date(2027, 3, 22), raters_due=None, user=head)
    run_day(date(2027, 3, 8), django_capture_on_commit_callbacks)
    assert sum(1 for m in smtp.messages if m["To"] == head.email and "22 March 2027" in subject_of(m)) == 1


def test_a_bad_deadline_is_refused_with_a_message(client, head, draft):
    client.force_login(head)
    page = client.post(reverse("assessments:deadline", args=[draft.pk]), {"deadline": "2001-01-01", "raters_due": ""}).content.decode()
    assert "must be from today to two years ahead" in page
    page = client.post(reverse("assessments:deadline", args=[draft.pk]), {"deadline": "2099-99-99"}).content.decode()
    assert "Enter a valid date" in page
    draft.refresh_from_db()
    assert draft.deadline is None


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_nothing_twice(nps2018, settings):
    """Two daily runs at the same moment, each on its own database connection (row-level on PostgreSQL)."""
    from assessments.services import assessment_start

    from .conftest import make_council

    council = make_council("Alpha Borough Council", "alpha")
    head = make_user("head", council, Membership.Role.HEAD)
    for n in range(5):
        make_user(f"officer{n}", council, Membership.Role.OFFICER)
    draft = assessment_start(council_id=council.pk, framework_id=nps2018.pk, year=2024, user=head, carry_forward=False)
    with time_machine.travel(datetime(2027, 2, 20, 9, 0), tick=False):
        assessment_deadline_set(assessment_id=draft.pk, deadline=DEADLINE, raters_due=None, user=head)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    errors, barrier = [], threading.Barrier(2)

    def worker():
        try:
            barrier.wait()
            reminders_send(today=date(2027, 3, 1))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    assert Reminder.objects.count() == 6 and Mail.objects.filter(key__startswith="reminder:").count() == 6


@pytest.mark.browser
@pytest.mark.slow
def test_a_reminders_link_followed_in_the_browser_lands_on_the_work(page, live_server, transactional_db, nps2018, smtp, settings, django_capture_on_commit_callbacks):
    from assessments.services import assessment_start

    from .conftest import PASSWORD, make_council
    from .test_email import link_in

    settings.SITE_URL = live_server.url
    council = make_council("Alpha Borough Council", "alpha")
    head = make_user("head", council, Membership.Role.HEAD)
    make_user("officer", council, Membership.Role.OFFICER)
    draft = assessment_start(council_id=council.pk, framework_id=nps2018.pk, year=2024, user=head, carry_forward=False)
    with time_machine.travel(datetime(2027, 2, 20, 9, 0), tick=False):
        assessment_deadline_set(assessment_id=draft.pk, deadline=DEADLINE, raters_due=None, user=head)
    run_day(date(2027, 3, 12), django_capture_on_commit_callbacks)
    index = next(i for i, m in enumerate(smtp.messages) if m["To"] == "officer@example.org")
    link = link_in(smtp.body(index))
    assert link.endswith(f"/assessments/{draft.pk}/")
    page.goto(link)
    page.fill("#id_username", "officer")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(link)
    assert "Sign-off deadline: 15 March 2027" in page.content()
