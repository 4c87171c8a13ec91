"""Query counts per page are bounded and do not grow with objectives or years."""

import pytest
from django.urls import reverse

from .conftest import submitted_assessment


@pytest.fixture
def many_years(nps2018, council_a, head):
    return [submitted_assessment(council_a, nps2018, year, head) for year in range(2018, 2024)]


@pytest.mark.parametrize(
    "name, bound",
    [
        ("home", 13),  # with the headline: the signed-off years, the plan and its KPIs
        ("assessments:list", 10),
        ("assessments:detail", 10),
        ("assessments:year_on_year", 11),
        ("assessments:history", 10),
        ("maturity:detail", 10),
    ],
)
def test_page_queries_are_bounded_with_six_years_of_history(client, officer, many_years, name, bound, django_assert_max_num_queries):
    latest = many_years[-1]
    kwargs = {
        "assessments:detail": [latest.pk],
        "assessments:year_on_year": [latest.pk],
        "assessments:history": [latest.pk, 22],
        "maturity:detail": ["nps-2018"],
    }.get(name, [])
    url = reverse(name, args=kwargs)
    client.force_login(officer)
    client.get(url)
    with django_assert_max_num_queries(bound):
        assert client.get(url).status_code == 200


def test_whole_framework_scoring_page_is_bounded_light_and_editable(client, officer, draft, django_assert_max_num_queries):
    """The first key area comes with the page, each other one when the reader reaches it; "show every objective" draws all 59."""
    url = reverse("assessments:score_all", args=[draft.pk])
    client.force_login(officer)
    with django_assert_max_num_queries(16):
        page = client.get(url).content.decode()
    first = draft.framework.sections.get(number=1).objectives.count()
    assert page.count('class="objective-card') == first
    assert len(page.encode()) < 150_000
    for number in range(2, draft.framework.sections.count() + 1):
        assert f'hx-get="/assessments/{draft.pk}/all/{number}/"' in page
    with django_assert_max_num_queries(12):
        part = client.get(reverse("assessments:score_all_section", args=[draft.pk, 11])).content.decode()
    assert part.count('class="objective-card') == draft.framework.sections.get(number=11).objectives.count() > 0
    assert f"/assessments/{draft.pk}/objectives/59/autosave/" in part
    with django_assert_max_num_queries(16):
        everything = client.get(url + "?show=all").content.decode()
    assert everything.count('class="objective-card') == 59


def _grow_ratings(draft, head, count):
    """`count` more invited raters who submitted a rating for objectives 1 and 2."""
    from django.utils import timezone

    from councils.models import Membership
    from ratings.models import Invitation, Rating

    from .conftest import make_user

    start = Invitation.objects.count()
    for i in range(start, start + count):
        user = make_user(f"rater-{i}", draft.council, Membership.Role.RATER)
        invitation = Invitation.objects.create(assessment=draft, rater=user, role_label="Commissioner", invited_by=head, submitted_at=timezone.now())
        objectives = list(draft.framework.objectives.filter(number__in=[1, 2]))
        invitation.objectives.set(objectives)
        Rating.objects.bulk_create(Rating(invitation=invitation, objective=o, level=1 + i % 5) for o in objectives)


@pytest.mark.parametrize(
    "name, bound",
    [
        ("ratings:raters", 16),
        ("ratings:consolidation", 12),
        ("assessments:evidence", 10),
        ("assessments:import", 8),
        ("assessments:export", 13),
        ("actionplans:line_edit", 16),
        ("actionplans:kpi_edit", 14),
        ("actionplans:export", 14),
    ],
)
def test_other_pages_take_a_bounded_number_of_queries_that_does_not_grow(client, head, draft, plan, name, bound, django_assert_max_num_queries):
    args = {
        "actionplans:line_edit": [plan.pk, plan.lines.first().pk],
        "actionplans:kpi_edit": [plan.pk, plan.kpis.first().pk],
        "actionplans:export": [plan.pk],
        "assessments:evidence": [draft.pk, 1],
    }.get(name, [draft.pk])
    url = reverse(name, args=args)
    client.force_login(head)
    _grow_ratings(draft, head, 2)
    with django_assert_max_num_queries(bound) as few:
        assert client.get(url).status_code == 200
    _grow_ratings(draft, head, 10)
    with django_assert_max_num_queries(bound) as many:
        assert client.get(url).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)


def test_an_invitees_rating_page_is_bounded(client, invitation, django_assert_max_num_queries):
    client.force_login(invitation.rater)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("ratings:rate", args=[invitation.pk])).status_code == 200


def test_autosave_is_bounded_with_directorate_levels(client, officer, draft, django_assert_max_num_queries):
    """Issue 26: the write path stays short; the stored directorate levels are read once, under the lock."""
    from .conftest import score_post

    client.force_login(officer)
    directorates = list(draft.council.directorates.all())
    url = reverse("assessments:autosave", args=[draft.pk, 3])
    score = draft.scores.get(objective__number=3)
    client.post(url, score_post(3, level=2, version=score.version, directorates={d: 2 for d in directorates}), HTTP_HX_REQUEST="true")
    score.refresh_from_db()
    with django_assert_max_num_queries(13 + 2 * len(directorates)):  # each directorate's level changed: its row and its history row
        response = client.post(url, score_post(3, level=3, version=score.version, comment="Quarterly", directorates={d: 3 for d in directorates}), HTTP_HX_REQUEST="true")
    assert response["X-Autosave-State"] == "saved"
    assert sorted(score.directorate_ratings.values_list("level", flat=True)) == [3] * len(directorates)


def test_autosave_without_directorates_reads_none(client, officer, draft, django_assert_max_num_queries):
    """Issue 26: a council without directorates (most) pays nothing for them: neither the council's directorates nor
    the score's directorate levels are read."""
    from councils.models import Directorate

    from .conftest import score_post

    Directorate.objects.filter(council=draft.council).delete()
    client.force_login(officer)
    url = reverse("assessments:autosave", args=[draft.pk, 3])
    score = draft.scores.get(objective__number=3)
    client.post(url, score_post(3, level=2, version=score.version), HTTP_HX_REQUEST="true")
    score.refresh_from_db()
    with django_assert_max_num_queries(10) as captured:
        response = client.post(url, score_post(3, level=3, version=score.version, comment="Quarterly"), HTTP_HX_REQUEST="true")
    assert response["X-Autosave-State"] == "saved"
    read = [query["sql"] for query in captured.captured_queries if query["sql"].startswith(('SELECT "councils_directorate".', 'SELECT "assessments_directoraterating".'))]
    assert read == []


def test_no_model_orders_by_a_relation():
    """Issue 26: ordering by a relation (`"plan"`) orders by that model's own ordering, which joins its tables (the
    council's name, the framework's year) into every query of the model that has no order of its own: order by the
    column (`"plan_id"`) or by a field of the relation, named."""
    from django.apps import apps

    ours = {"maturity", "councils", "assessments", "actionplans", "ratings", "reports", "reminders", "api", "signin", "outbox"}
    offending = []
    for model in apps.get_models():
        if model._meta.app_label not in ours or model.__name__.startswith("Historical"):
            continue
        for item in model._meta.ordering:
            name = item.lstrip("-") if isinstance(item, str) else None
            if name and "__" not in name and name != "pk":
                field = model._meta.get_field(name)
                if field.is_relation and name == field.name:
                    offending.append(f"{model.__name__}: {item}")
    assert offending == []


def test_the_sign_in_page_reads_the_councils_single_sign_on_settings_once(client, council_a, django_assert_max_num_queries):
    """Whether to offer the council-account form and where its redirect may go (the page's form-action) are one read."""
    from signin.models import SignInPolicy

    SignInPolicy.objects.create(council=council_a, sso_enabled=True, tenant_id="0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d", client_id="app", email_domains="alpha.gov.uk")
    with django_assert_max_num_queries(3) as captured:
        response = client.get(reverse("login"))
    assert response.status_code == 200 and "login.microsoftonline.com" in response["Content-Security-Policy"]
    assert "Sign in with your council account" in response.content.decode()
    assert sum('"signin_signinpolicy"' in query["sql"] for query in captured.captured_queries) == 1
