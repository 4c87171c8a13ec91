"""What is due today, read once for every council: each reminder as (key, person, kind, subject, text, link). The key
names who, what and which event (and the date it hangs on), so the same reminder is never recorded twice; a changed
deadline is a new event. Nothing here writes."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.urls import reverse
from django.utils.formats import date_format

from actionplans.models import KpiValue, PlanLine, PlanStatus, WorkStatus
from actionplans.periods import period_end
from assessments.models import Assessment
from assessments.selectors import key_area_levels
from councils.models import Membership
from ratings.invitations import invitation_link
from ratings.models import Invitation


@dataclass(frozen=True)
class Due:
    key: str
    user: object
    kind: str
    subject: str
    text: str
    link: str
    link_text: str


def in_words(day):
    return date_format(day, "j F Y")


def days_until(day, today):
    n = (day - today).days
    return "today" if n == 0 else "tomorrow" if n == 1 else f"in {n} days"


def site(path):
    return settings.SITE_URL.rstrip("/") + path


def members(council_ids, roles):
    """{council_id: [active users with one of `roles`]}: a removed member (no membership, or inactive) hears nothing."""
    found = {}
    rows = Membership.objects.filter(council_id__in=council_ids, role__in=roles, user__is_active=True).exclude(user__email="").select_related("user")
    for membership in rows:
        found.setdefault(membership.council_id, []).append(membership.user)
    return found


def what_is_left(assessment_ids):
    """{assessment_id: {"carried", "unscored", "not_started" (key areas), "ready"}} from the year's own figures
    (assessments.selectors.key_area_levels, one query): ready when every objective in scope is reviewed this year."""
    left = {}
    for assessment_id, figures in key_area_levels(assessment_ids=assessment_ids).items():
        overall = figures["overall"]
        left[assessment_id] = {
            "carried": overall["carried"],
            "unscored": overall["total"] - overall["scored"],
            "not_started": sum(1 for f in figures["sections"].values() if f["total"] and f["state"] == "not_started"),
            "ready": overall["state"] == "reviewed",
        }
    return left


def plural(n, word):
    return f"{n} {word}{'' if n == 1 else 's'}"


def describe_left(entry):
    parts = []
    if entry["carried"]:
        parts.append(f"{plural(entry['carried'], 'objective')} carried forward from last year and not yet reviewed this year")
    if entry["unscored"]:
        parts.append(f"{plural(entry['unscored'], 'objective')} not scored")
    if entry["not_started"]:
        parts.append(f"{plural(entry['not_started'], 'key area')} not started")
    return "; ".join(parts) if parts else "every objective is scored and reviewed: the head of procurement can sign it off"


def assessment_reminders(today):
    drafts = list(Assessment.objects.filter(status=Assessment.Status.DRAFT).select_related("council", "framework"))
    left = what_is_left([a.pk for a in drafts])
    people = members({a.council_id for a in drafts}, [Membership.Role.OFFICER, Membership.Role.HEAD])
    heads = members({a.council_id for a in drafts}, [Membership.Role.HEAD])
    for a in drafts:
        name = f"{a.framework.short_name} {a.year}"
        link = site(reverse("assessments:detail", args=[a.pk]))
        entry = left[a.pk]
        complete = entry["ready"]
        if a.deadline:
            d = a.deadline
            milestone = "14" if d - timedelta(days=14) <= today < d - timedelta(days=3) else "3" if d - timedelta(days=3) <= today <= d else None
            if milestone and not complete:
                for user in people.get(a.council_id, []):
                    yield Due(
                        f"deadline:{a.pk}:{d}:{milestone}:{user.pk}", user, "deadline",
                        f"{a.council}: {name} is due for sign-off on {in_words(d)} ({days_until(d, today)})",
                        f"{a.council}'s {name} self-assessment is due for sign-off on {in_words(d)}. Still to do: {describe_left(entry)}.",
                        link, f"Open {name} for {a.council}",
                    )
            if today > d:
                for user in heads.get(a.council_id, []):
                    yield Due(
                        f"deadline-passed:{a.pk}:{d}:{user.pk}", user, "deadline_passed",
                        f"{a.council}: the sign-off deadline for {name} has passed",
                        f"The deadline for signing off {a.council}'s {name} self-assessment was {in_words(d)}, and it is not signed off. Still to do: {describe_left(entry)}.",
                        link, f"Open {name} for {a.council}",
                    )
        if complete:
            for user in heads.get(a.council_id, []):
                yield Due(
                    f"ready:{a.pk}:{user.pk}", user, "ready_to_sign_off",
                    f"{a.council}: {name} is ready to sign off",
                    f"Every objective in scope of {a.council}'s {name} self-assessment is scored and reviewed this year. It is ready for you to sign off.",
                    site(reverse("assessments:submit", args=[a.pk])), f"Sign off {name}",
                )


def rating_reminders(today):
    invitations = list(Invitation.objects.filter(assessment__status=Assessment.Status.DRAFT, rater__is_active=True).exclude(rater__email="").select_related("assessment__council", "assessment__framework", "rater").prefetch_related("objectives"))
    heads = members({i.assessment.council_id for i in invitations}, [Membership.Role.HEAD])
    for invitation in invitations:
        a = invitation.assessment
        name = f"{a.framework.short_name} {a.year}"
        rater = invitation.rater
        if invitation.submitted_at:
            for user in heads.get(a.council_id, []):
                yield Due(
                    f"ratings:{invitation.pk}:{invitation.submitted_at:%Y%m%d%H%M%S}:{user.pk}", user, "ratings_waiting",
                    f"{a.council}: {rater.get_full_name() or rater.username} has submitted ratings for {name}",
                    f"{rater.get_full_name() or rater.username} ({invitation.role_label}) has submitted ratings for {plural(len(invitation.objectives.all()), 'objective')} of {name}. They wait for you to consolidate them.",
                    site(reverse("ratings:consolidation", args=[a.pk])), f"Consolidate the ratings for {name}",
                )
            continue
        accepted = rater.last_login is not None or rater.has_usable_password()
        expires = (invitation.created_at + timedelta(days=settings.INVITATION_DAYS)).date() if not accepted else None
        due = min([day for day in (a.raters_due, expires) if day is not None], default=None)
        if due is None or not (due - timedelta(days=3) <= today <= due):
            continue
        link = site(reverse("ratings:rate", args=[invitation.pk])) if accepted else invitation_link(rater, settings.SITE_URL)
        yield Due(
            f"rating-due:{invitation.pk}:{due}", rater, "rating_due",
            f"{a.council}: your ratings for {name} are due on {in_words(due)}",
            f"{a.council} asked you to rate {plural(len(invitation.objectives.all()), 'objective')} of its {name} self-assessment. Your ratings are due on {in_words(due)} ({days_until(due, today)})"
            + ("" if accepted else "; your invitation link stops working then") + ".",
            link, f"Rate the objectives for {a.council}",
        )


def owners_by_name(council_ids):
    """{council_id: {e-mail or full name, case-folded: user}}: a plan line's owner is written as text; it reaches a
    person only when it names one of the council's members."""
    found = {}
    for membership in Membership.objects.filter(council_id__in=council_ids, user__is_active=True).exclude(user__email="").exclude(role=Membership.Role.RATER).select_related("user"):
        user = membership.user
        names = found.setdefault(membership.council_id, {})
        names[user.email.casefold()] = user
        if user.get_full_name():
            names[user.get_full_name().casefold()] = user
    return found


def plan_reminders(today):
    lines = list(PlanLine.objects.filter(plan__status=PlanStatus.PUBLISHED, due_date__isnull=False).exclude(status=WorkStatus.DONE).exclude(owner="").select_related("plan__council", "section", "objective"))
    owners = owners_by_name({line.plan.council_id for line in lines})
    for line in lines:
        user = owners.get(line.plan.council_id, {}).get(line.owner.strip().casefold())
        if user is None:
            continue
        d, plan = line.due_date, line.plan
        link = site(reverse("actionplans:detail", args=[plan.pk]))
        if d - timedelta(days=14) <= today <= d:
            yield Due(
                f"line:{line.pk}:{d}:soon:{user.pk}", user, "plan_line_due",
                f"{plan.council}: “{line.label}” in the plan is due on {in_words(d)}",
                f"The line “{line.label}” of {plan.council}'s plan “{plan.title}”, which you own, is due on {in_words(d)} ({days_until(d, today)}).",
                link, f"Open the plan “{plan.title}”",
            )
        elif today > d:
            yield Due(
                f"line:{line.pk}:{d}:overdue:{user.pk}", user, "plan_line_due",
                f"{plan.council}: “{line.label}” in the plan is overdue",
                f"The line “{line.label}” of {plan.council}'s plan “{plan.title}”, which you own, was due on {in_words(d)} and is not marked done.",
                link, f"Open the plan “{plan.title}”",
            )


def kpi_reminders(today):
    values = list(KpiValue.objects.filter(kpi__plan__status=PlanStatus.PUBLISHED, kpi__in_development=False, actual__isnull=True).select_related("kpi__plan__council"))
    heads = members({v.kpi.plan.council_id for v in values}, [Membership.Role.HEAD])
    for value in values:
        kpi, plan = value.kpi, value.kpi.plan
        due = period_end(kpi.frequency, value.period_start) + timedelta(days=settings.KPI_ACTUAL_DUE_DAYS)
        if today < due:
            continue
        for user in heads.get(plan.council_id, []):
            yield Due(
                f"kpi:{value.pk}:{user.pk}", user, "kpi_actual_due",
                f"{plan.council}: the {value.period_label} actual for “{kpi.name}” is due",
                f"The period {value.period_label} of the KPI “{kpi.name}” in {plan.council}'s plan “{plan.title}” ended on {in_words(period_end(kpi.frequency, value.period_start))}; its actual was due by {in_words(due)} and has not been entered.",
                site(reverse("actionplans:kpi_edit", args=[plan.pk, kpi.pk])), f"Enter the actual for “{kpi.name}”",
            )


def due_reminders(*, today: date):
    """Every reminder due on `today`, for every council."""
    yield from assessment_reminders(today)
    yield from rating_reminders(today)
    yield from plan_reminders(today)
    yield from kpi_reminders(today)

