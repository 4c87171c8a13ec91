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
        ("home", 8),
        ("assessments:list", 10),
        ("assessments:detail", 10),
        ("assessments:year_on_year", 10),
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


def test_whole_framework_scoring_page_is_bounded_and_editable(client, officer, draft, django_assert_max_num_queries):
    url = reverse("assessments:score_all", args=[draft.pk])
    client.force_login(officer)
    with django_assert_max_num_queries(16):
        page = client.get(url).content.decode()
    assert page.count('class="objective-card') == 59
    assert f"/assessments/{draft.pk}/objectives/59/autosave/" in page
