"""Every URL pattern × every kind of user × GET and POST has an expected outcome.

Patterns come from the URLconf, so a new URL without an expectation fails here.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

ROLES = ["anon", "officer_a", "head_a", "councillor_a", "officer_b", "staff"]
LOGIN = "login"  # a redirect to the sign-in page
ADMIN_LOGIN = "admin-login"


def row(*codes):
    return dict(zip(ROLES, codes, strict=True))


# name: {"GET": row(...), "POST": row(...)}
EXPECTED = {
    "health": {"GET": row(200, 200, 200, 200, 200, 200), "POST": row(405, 405, 405, 405, 405, 405)},
    "home": {"GET": row(LOGIN, 200, 200, 200, 200, 200), "POST": row(LOGIN, 405, 405, 405, 405, 405)},
    "guidance": {"GET": row(LOGIN, 200, 200, 200, 200, 200), "POST": row(LOGIN, 405, 405, 405, 405, 405)},
    "assessments:list": {"GET": row(LOGIN, 200, 200, 200, 200, 403), "POST": row(LOGIN, 405, 405, 405, 405, 403)},
    "assessments:new": {"GET": row(LOGIN, 200, 200, 403, 200, 403), "POST": row(LOGIN, 200, 200, 403, 200, 403)},
    "assessments:detail": {"GET": row(LOGIN, 200, 200, 403, 404, 200), "POST": row(LOGIN, 405, 405, 405, 405, 405)},
    "assessments:section": {"GET": row(LOGIN, 200, 200, 403, 404, 200), "POST": row(LOGIN, 200, 200, 403, 404, 403)},
    "assessments:key_area_flags": {"GET": row(LOGIN, 405, 405, 405, 405, 405), "POST": row(LOGIN, 302, 302, 403, 404, 403)},
    "assessments:score_all": {"GET": row(LOGIN, 200, 200, 403, 404, 200), "POST": row(LOGIN, 405, 405, 405, 405, 405)},
    "assessments:autosave": {"GET": row(LOGIN, 405, 405, 405, 405, 405), "POST": row(LOGIN, 422, 422, 403, 404, 403)},
    "assessments:evidence": {"GET": row(LOGIN, 200, 200, 403, 404, 200), "POST": row(LOGIN, 200, 200, 403, 404, 403)},
    "assessments:evidence_download": {"GET": row(LOGIN, 200, 200, 403, 404, 200), "POST": row(LOGIN, 405, 405, 405, 405, 405)},
    "assessments:evidence_delete": {"GET": row(LOGIN, 405, 405, 405, 405, 405), "POST": row(LOGIN, 302, 302, 403, 404, 403)},
    "assessments:history": {"GET": row(LOGIN, 200, 200, 403, 404, 200), "POST": row(LOGIN, 405, 405, 405, 405, 405)},
    "assessments:submit": {"GET": row(LOGIN, 403, 200, 403, 404, 403), "POST": row(LOGIN, 403, 200, 403, 404, 403)},
    "assessments:reopen": {"GET": row(LOGIN, 403, 200, 403, 404, 403), "POST": row(LOGIN, 403, 200, 403, 404, 403)},
    "assessments:year_on_year": {"GET": row(LOGIN, 200, 200, 403, 404, 200), "POST": row(LOGIN, 405, 405, 405, 405, 405)},
    "assessments:export": {"GET": row(LOGIN, 200, 200, 403, 404, 200), "POST": row(LOGIN, 405, 405, 405, 405, 405)},
    "assessments:history_export": {"GET": row(LOGIN, 200, 200, 200, 200, 403), "POST": row(LOGIN, 405, 405, 405, 405, 403)},
    "assessments:import": {"GET": row(LOGIN, 200, 200, 403, 404, 403), "POST": row(LOGIN, 200, 200, 403, 404, 403)},
    "assessments:import_confirm": {"GET": row(LOGIN, 405, 405, 405, 405, 405), "POST": row(LOGIN, 302, 302, 403, 404, 403)},
    "actionplans:list": {"GET": row(LOGIN, 200, 200, 200, 200, 403), "POST": row(LOGIN, 405, 405, 405, 405, 403)},
    "actionplans:new": {"GET": row(LOGIN, 403, 200, 403, 403, 403), "POST": row(LOGIN, 403, 200, 403, 403, 403)},
    "actionplans:detail": {"GET": row(LOGIN, 200, 200, 200, 404, 200), "POST": row(LOGIN, 405, 405, 405, 405, 405)},
    "actionplans:export": {"GET": row(LOGIN, 200, 200, 200, 404, 200), "POST": row(LOGIN, 405, 405, 405, 405, 405)},
    "actionplans:gap": {"GET": row(LOGIN, 200, 200, 200, 404, 200), "POST": row(LOGIN, 405, 405, 405, 405, 405)},
    "actionplans:edit": {"GET": row(LOGIN, 403, 200, 403, 404, 403), "POST": row(LOGIN, 403, 200, 403, 404, 403)},
    "actionplans:add_key_areas": {"GET": row(LOGIN, 405, 405, 405, 405, 405), "POST": row(LOGIN, 302, 302, 403, 404, 403)},
    "actionplans:publish": {"GET": row(LOGIN, 405, 405, 405, 405, 405), "POST": row(LOGIN, 403, 302, 403, 404, 403)},
    "actionplans:line_new": {"GET": row(LOGIN, 200, 200, 403, 404, 403), "POST": row(LOGIN, 200, 200, 403, 404, 403)},
    "actionplans:line_edit": {"GET": row(LOGIN, 200, 200, 403, 404, 403), "POST": row(LOGIN, 200, 200, 403, 404, 403)},
    "actionplans:goal_new": {"GET": row(LOGIN, 200, 200, 403, 404, 403), "POST": row(LOGIN, 200, 200, 403, 404, 403)},
    "actionplans:goal_edit": {"GET": row(LOGIN, 200, 200, 403, 404, 403), "POST": row(LOGIN, 200, 200, 403, 404, 403)},
    "actionplans:review_new": {"GET": row(LOGIN, 200, 200, 403, 404, 403), "POST": row(LOGIN, 200, 200, 403, 404, 403)},
    "actionplans:review_edit": {"GET": row(LOGIN, 200, 200, 403, 404, 403), "POST": row(LOGIN, 200, 200, 403, 404, 403)},
    "actionplans:consideration_new": {"GET": row(LOGIN, 200, 200, 403, 404, 403), "POST": row(LOGIN, 200, 200, 403, 404, 403)},
    "actionplans:consideration_edit": {"GET": row(LOGIN, 200, 200, 403, 404, 403), "POST": row(LOGIN, 200, 200, 403, 404, 403)},
    "actionplans:kpi_new": {"GET": row(LOGIN, 200, 200, 403, 404, 403), "POST": row(LOGIN, 200, 200, 403, 404, 403)},
    "actionplans:kpi_edit": {"GET": row(LOGIN, 200, 200, 403, 404, 403), "POST": row(LOGIN, 200, 200, 403, 404, 403)},
    "actionplans:delete": {"GET": row(LOGIN, 200, 200, 403, 404, 403), "POST": row(LOGIN, 302, 302, 403, 404, 403)},
    "reports:dashboard": {"GET": row(LOGIN, 200, 200, 200, 200, 403), "POST": row(LOGIN, 405, 405, 405, 405, 403)},
    "reports:pdf": {"GET": row(LOGIN, 200, 200, 403, 404, 200), "POST": row(LOGIN, 405, 405, 405, 405, 405)},
    "reports:pdf_status": {"GET": row(LOGIN, 200, 200, 403, 404, 200), "POST": row(LOGIN, 405, 405, 405, 405, 405)},
    "reports:pdf_retry": {"GET": row(LOGIN, 405, 405, 405, 405, 405), "POST": row(LOGIN, 302, 302, 403, 404, 302)},
    "reports:pdf_notify": {"GET": row(LOGIN, 405, 405, 405, 405, 405), "POST": row(LOGIN, 302, 302, 403, 404, 302)},
    "reports:benchmark": {"GET": row(LOGIN, 200, 200, 200, 200, 200), "POST": row(LOGIN, 405, 405, 405, 405, 405)},
    "ratings:raters": {"GET": row(LOGIN, 403, 200, 403, 404, 403), "POST": row(LOGIN, 403, 200, 403, 404, 403)},
    "ratings:withdraw": {"GET": row(LOGIN, 405, 405, 405, 405, 405), "POST": row(LOGIN, 403, 302, 403, 404, 403)},
    "ratings:consolidation": {"GET": row(LOGIN, 403, 200, 403, 404, 403), "POST": row(LOGIN, 405, 405, 405, 405, 405)},
    "ratings:consolidate": {"GET": row(LOGIN, 405, 405, 405, 405, 405), "POST": row(LOGIN, 403, 404, 403, 404, 403)},
    "ratings:response_sheet": {"GET": row(LOGIN, 200, 200, 403, 404, 200), "POST": row(LOGIN, 405, 405, 405, 405, 405)},
    # Only the invited rater may open an invitation; everyone else is told nothing.
    "ratings:rate": {"GET": row(LOGIN, 404, 404, 404, 404, 404), "POST": row(LOGIN, 404, 404, 404, 404, 404)},
    # The invitation e-mail's link: public by design, the token is the credential; a wrong one changes nothing.
    "ratings:invitation_accept": {"GET": row(200, 200, 200, 200, 200, 200), "POST": row(200, 200, 200, 200, 200, 200)},
    "maturity:list": {"GET": row(LOGIN, 200, 200, 200, 200, 200), "POST": row(LOGIN, 405, 405, 405, 405, 405)},
    "maturity:detail": {"GET": row(LOGIN, 200, 200, 200, 200, 200), "POST": row(LOGIN, 405, 405, 405, 405, 405)},
    "maturity:upload": {"GET": row(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200), "POST": row(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200)},
    # Django's auth views: public by design.
    "login": {"GET": row(200, 302, 302, 302, 302, 302), "POST": row(200, 302, 302, 302, 302, 302)},
    "logout": {"GET": row(405, 405, 405, 405, 405, 405), "POST": row(LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN)},
    "password_change": {"GET": row(LOGIN, 200, 200, 200, 200, 200), "POST": row(LOGIN, 200, 200, 200, 200, 200)},
    "password_change_done": {"GET": row(LOGIN, 200, 200, 200, 200, 200), "POST": row(LOGIN, 405, 405, 405, 405, 405)},
    "password_reset": {"GET": row(200, 200, 200, 200, 200, 200), "POST": row(200, 200, 200, 200, 200, 200)},
    "password_reset_done": {"GET": row(200, 200, 200, 200, 200, 200), "POST": row(405, 405, 405, 405, 405, 405)},
    "password_reset_confirm": {"GET": row(200, 200, 200, 200, 200, 200), "POST": row(200, 200, 200, 200, 200, 200)},
    "password_reset_complete": {"GET": row(200, 200, 200, 200, 200, 200), "POST": row(405, 405, 405, 405, 405, 405)},
    "admin:index": {"GET": row(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200), "POST": row(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200)},
}


def all_url_names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from all_url_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", pattern


def project_url_names():
    # Django admin's own pages (model changelists etc.) all sit behind admin login; admin:index stands for them.
    return sorted({name for name, _ in all_url_names() if not (name.startswith("admin:") and name != "admin:index")})


def test_every_url_pattern_has_an_expectation():
    missing = [name for name in project_url_names() if name not in EXPECTED]
    assert not missing, f"add these URLs to EXPECTED: {missing}"


@pytest.fixture
def people(officer, head, councillor, other_officer, staff):
    return {"anon": None, "officer_a": officer, "head_a": head, "councillor_a": councillor, "officer_b": other_officer, "staff": staff}


def draft_evidence(draft):
    """A file on objective 1 of the draft; a fresh one each time, so one role's delete leaves one for the next."""
    from django.core.files.base import ContentFile

    from assessments.models import Evidence

    evidence = Evidence(score=draft.scores.get(objective__number=1), title="Cabinet report", kind="pdf", size=9, original_name="report.pdf")
    evidence.file.save("report.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
    return evidence


def fresh_invitation(draft):
    """A new invitation each time, so that one role's withdrawal leaves one for the next."""
    from django.contrib.auth import get_user_model

    from councils.models import Membership
    from ratings.models import Invitation

    user = get_user_model().objects.create_user(f"invitee-{Invitation.objects.count()}-{get_user_model().objects.count()}")
    Membership.objects.create(user=user, council=draft.council, role=Membership.Role.RATER)
    return Invitation.objects.create(assessment=draft, rater=user, role_label="Commissioner")


def url_for(name, draft, submitted, plan, invitation=None):
    pattern = dict(all_url_names())[name]
    kwargs = {}
    if name == "ratings:rate":
        return reverse(name, args=[invitation.pk])
    if name == "ratings:withdraw":
        return reverse(name, args=[draft.pk, fresh_invitation(draft).pk])
    if name.startswith("actionplans:"):
        # A fresh item each time, so that one role's successful delete leaves something for the next.
        item = plan.considerations.create(description="Funding") if name == "actionplans:delete" else plan.considerations.first()
        values = {"pk": plan.pk, "line": plan.lines.first().pk, "kpi": plan.kpis.first().pk, "item": item.pk, "kind": "consideration"}
        if name == "actionplans:review_edit":
            values["item"] = (plan.reviews.first() or plan.reviews.create(year=2024, progress="Category plans agreed")).pk
        if name == "actionplans:goal_edit":
            values["item"] = (plan.goals.first() or plan.goals.create(text="Increase maturity to between Developing and Mature (2–3)", level_from=2, level_to=3)).pk
    else:
        values = {"pk": (submitted if name == "assessments:reopen" else draft).pk, "number": 1, "code": "nps-2018"}
        if name.startswith("assessments:evidence_"):
            values["item"] = draft_evidence(draft).pk
    for key in pattern.pattern.converters:
        kwargs[key] = values.get(key)
    if name in ("password_reset_confirm", "ratings:invitation_accept"):
        kwargs = {"uidb64": "MQ", "token": "set-password"}
    return reverse(name, kwargs=kwargs)


def outcome(response):
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith(reverse("admin:login")):
            return ADMIN_LOGIN
        if location.startswith(reverse("login")):
            return LOGIN
    return response.status_code


@pytest.mark.parametrize("name", [n for n in EXPECTED if n in project_url_names()])
def test_permission_matrix(client, people, draft, last_year, plan, invitation, name):
    got, want = {}, {}
    for role, user in people.items():
        for method in ("GET", "POST"):
            url = url_for(name, draft, last_year, plan, invitation)
            client.logout()
            if user:
                client.force_login(user)
            response = client.get(url) if method == "GET" else client.post(url, {})
            got[(role, method)] = outcome(response)
            want[(role, method)] = EXPECTED[name][method][role]
    mismatches = {key: (got[key], want[key]) for key in want if got[key] != want[key]}
    assert not mismatches, f"{name} {url}: (got, expected) {mismatches}"


def test_councillor_sees_submitted_assessments_but_not_drafts(client, councillor, draft, last_year):
    client.force_login(councillor)
    assert client.get(reverse("assessments:detail", args=[last_year.pk])).status_code == 200
    listing = client.get(reverse("assessments:list")).content.decode()
    assert "2023" in listing and "2024" not in listing
    page = client.get(reverse("assessments:section", args=[last_year.pk, 1])).content.decode()
    assert "<textarea" not in page and "Save this key area" not in page


def test_other_council_sees_none_of_our_assessments(client, other_officer, draft, last_year):
    client.force_login(other_officer)
    listing = client.get(reverse("assessments:list")).content.decode()
    assert "Alpha" not in listing and "2023" not in listing
    assert "Alpha" not in client.get(reverse("home")).content.decode()


# An invited rater sees their own invitation and nothing else of the council's.
RATER_ALLOWED = {"home", "health", "login", "logout", "password_change", "password_change_done", "password_reset", "password_reset_done", "password_reset_confirm", "password_reset_complete", "maturity:list", "maturity:detail", "ratings:rate", "guidance", "ratings:invitation_accept"}


@pytest.mark.parametrize("name", [n for n in EXPECTED if n in project_url_names()])
def test_an_invited_rater_is_refused_everything_but_their_invitation(client, rater, draft, last_year, plan, invitation, name):
    client.force_login(rater)
    for method in ("GET", "POST"):
        url = url_for(name, draft, last_year, plan, invitation)
        response = client.get(url) if method == "GET" else client.post(url, {})
        if name in RATER_ALLOWED:
            assert outcome(response) != 500
        else:
            assert outcome(response) in (403, 404, 405, ADMIN_LOGIN), (name, method, outcome(response))


@pytest.mark.parametrize("who", ["officer_a", "head_a", "councillor_a", "officer_b", "staff", "rater"])
def test_no_navigation_item_leads_to_a_refusal(client, people, rater, draft, last_year, plan, who):
    """Every link in the main navigation answers 200 for the person it is shown to."""
    import re

    client.force_login(rater if who == "rater" else people[who])
    page = client.get(reverse("home")).content.decode()
    nav = page[page.index('id="main-nav"') : page.index("</nav>")]
    links = [link for link in re.findall(r'href="([^"]+)"', nav) if not link.startswith("/admin/")]
    assert links
    for link in links:
        assert client.get(link).status_code == 200, (who, link)
