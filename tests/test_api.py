"""The read API: council-scoped keys, submitted years and published plans only, the pages' own figures, pages
Power BI can follow, CSV equal to JSON, clear refusals, and query counts that stay flat."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from api.models import ApiKey
from api.services import apikey_create, apikey_revoke
from assessments.selectors import key_area_levels
from councils.models import Membership

from .conftest import make_user, submitted_assessment

ENDPOINTS = ["/api/v1/frameworks", "/api/v1/frameworks/nps-2018/objectives", "/api/v1/assessments", "/api/v1/key-areas", "/api/v1/scores", "/api/v1/plans", "/api/v1/kpis", "/api/v1/benchmarks?framework=nps-2018&year=2023"]


@pytest.fixture
def key(head):
    return apikey_create(council_id=head.membership.council_id, created_by_id=head.pk, name="Power BI")[1]


@pytest.fixture
def other_key(council_b):
    head_b = make_user("head-b", council_b, Membership.Role.HEAD)
    return apikey_create(council_id=council_b.pk, created_by_id=head_b.pk, name="Beta's Power BI")[1]


def get(client, url, key=None, header="bearer", **extra):
    headers = {}
    if key is not None:
        headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if header == "bearer" else {"HTTP_X_API_KEY": key}
    return client.get(url, **headers, **extra)


def walk(client, url, key):
    """Follow `next` to the end, as Power BI's Web connector does with a key in the header."""
    rows = []
    while url:
        page = get(client, url, key).json()
        rows += page["results"]
        url = page["next"]
    return rows


def test_the_key_is_stored_only_as_a_hash_and_shown_once(head):
    key, whole = apikey_create(council_id=head.membership.council_id, created_by_id=head.pk, name="Excel")
    stored = ApiKey.objects.get(pk=key.pk)
    assert whole not in (stored.digest, stored.prefix, stored.name) and whole.startswith(f"nps_{stored.prefix}_")
    assert len(stored.digest) == 64


@pytest.mark.parametrize("url", ENDPOINTS)
def test_key_scope(client, url, key, other_key, head, last_year, plan):
    assert get(client, url, key).status_code == 200
    assert get(client, url, key, header="x-api-key").status_code == 200
    assert get(client, url).status_code == 401
    assert get(client, url, "nps_aaaaaaaa_" + "x" * 43).status_code == 401  # well-formed, unknown
    assert get(client, url, "not a key").status_code == 401
    assert get(client, url, key[:-1] + ("A" if key[-1] != "A" else "B")).status_code == 401  # right prefix, wrong secret
    client.force_login(head)
    assert get(client, url).status_code == 401  # a session never reads the API
    client.logout()
    for method in ("post", "put", "patch", "delete"):
        assert getattr(client, method)(url, HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 405


def test_a_revoked_or_expired_key_stops_at_once(client, key, head, last_year):
    record = ApiKey.objects.get(prefix=key.split("_")[1])
    assert get(client, "/api/v1/assessments", key).status_code == 200
    ApiKey.objects.filter(pk=record.pk).update(expires_on=timezone.localdate() - timedelta(days=1))
    assert get(client, "/api/v1/assessments", key).status_code == 401
    ApiKey.objects.filter(pk=record.pk).update(expires_on=None)
    apikey_revoke(key_id=record.pk, revoked_by_id=head.pk)
    assert get(client, "/api/v1/assessments", key).status_code == 401


def test_another_councils_key_sees_none_of_ours(client, other_key, last_year, draft, plan):
    assert get(client, "/api/v1/assessments", other_key).json()["count"] == 0
    assert get(client, "/api/v1/scores", other_key).json()["count"] == 0
    assert get(client, "/api/v1/plans", other_key).json()["count"] == 0
    assert get(client, f"/api/v1/plans/{plan.pk}", other_key).status_code == 404


def test_drafts_and_unpublished_plans_never_leave(client, key, head, last_year, draft, plan, nps2018, council_a):
    from actionplans.services import plan_create

    unpublished = plan_create(council_id=council_a.pk, framework_id=nps2018.pk, title="Next plan", start_year=2027, end_year=2029, user=head)
    years = [a["year"] for a in walk(client, "/api/v1/assessments", key)]
    assert years == [2023] and draft.year == 2024
    assert {s["assessment_id"] for s in walk(client, "/api/v1/scores", key)} == {last_year.pk}
    plan_ids = [p["id"] for p in walk(client, "/api/v1/plans", key)]
    assert plan_ids == [plan.pk] and unpublished.pk not in plan_ids
    assert get(client, f"/api/v1/plans/{unpublished.pk}", key).status_code == 404


def test_figures_are_the_pages_figures(client, key, last_year, plan):
    """Each key area's weakest and mean as assessments.selectors gives them; the plan shown for the year is the one
    its dashboard shows."""
    from actionplans.selectors import plan_shown_for

    figures = key_area_levels(assessment_ids=[last_year.pk])[last_year.pk]
    assessment = walk(client, "/api/v1/assessments", key)[0]
    assert assessment["weakest"] == figures["overall"]["weakest"] and assessment["mean"] == figures["overall"]["mean"]
    by_number = {s.number: s.pk for s in last_year.framework.sections.all()}
    for area in assessment["key_areas"]:
        assert area["weakest"] == figures["sections"][by_number[area["key_area_number"]]]["weakest"]
        assert area["weakest_label"].startswith(str(area["weakest"]))
    assert assessment["plan_id"] == plan_shown_for(assessment=last_year).pk
    assert get(client, "/api/v1/plans", key).json()["results"][0]["shown_for_years"] == [2023]


def test_pagination_walks_every_row_once_and_csv_equals_json(client, key, last_year):
    rows = walk(client, "/api/v1/scores?page_size=7", key)
    assert len(rows) == last_year.scores.count() == len({(r["assessment_id"], r["objective_number"]) for r in rows})
    page = get(client, "/api/v1/scores?page_size=7&page=2", key).json()
    sheet = get(client, "/api/v1/scores?page_size=7&page=2&format=csv", key)
    assert sheet["Content-Type"].startswith("text/csv") and 'rel="next"' in sheet["Link"]
    table = list(csv.DictReader(io.StringIO(sheet.content.decode("utf-8-sig"))))
    assert [int(r["objective_number"]) for r in table] == [r["objective_number"] for r in page["results"]]
    assert [r["level_label"] for r in table] == [r["level_label"] for r in page["results"]]


def test_text_that_looks_like_a_formula_is_neutralised_in_csv(client, key, last_year):
    last_year.scores.filter(objective__number=1).update(comment="=HYPERLINK(\"http://evil\")")
    sheet = get(client, "/api/v1/scores?format=csv&page_size=1", key).content.decode("utf-8-sig")
    assert "'=HYPERLINK" in sheet


@pytest.mark.parametrize("query", ["year=２０２３", "year=1e3", "year=99999", "page=0", "page=-1", "page_size=501", "page=１", "framework=%00", "format=xml", "assessment=abc"])
def test_odd_filters_get_a_clear_400(client, key, last_year, query):
    response = get(client, f"/api/v1/scores?{query}", key)
    assert response.status_code == 400, (query, response.content[:200])
    assert response.json()["detail"]


def test_an_unknown_framework_is_not_found(client, key):
    response = get(client, "/api/v1/scores?framework=nope", key)
    assert response.status_code == 404 and "no framework" in response.json()["detail"]


def test_benchmarks_refuse_small_groups_as_the_page_does(client, key, last_year):
    body = get(client, "/api/v1/benchmarks?framework=nps-2018&year=2023", key).json()
    assert body["refused"] is True and body["key_areas"] == [] and "Fewer than 5" in body["message"]


def test_benchmarks_match_the_page_for_a_group_of_five(client, key, last_year, nps2018, head):
    from councils.models import Council
    from reports.chartdata import benchmark

    from .conftest import make_council

    for n in range(4):
        other = make_council(f"Council {n}", f"council-{n}")
        submitted_assessment(other, nps2018, 2023, make_user(f"h{n}", other, Membership.Role.HEAD), level_of=lambda number, n=n: 1 + (number + n) % 5)
    body = get(client, "/api/v1/benchmarks?framework=nps-2018&year=2023", key).json()
    page = benchmark(nps2018, 2023, Council.objects.all(), head.membership.council)
    assert body["councils"] == 5 and not body["refused"]
    assert [(a["number"], a["median"], a["lower_quartile"], a["own"]) for a in body["key_areas"]] == [(s["number"], s["spread"]["median"], s["spread"]["q1"], s["own"]) for s in page["sections"]]


def test_the_rate_limit_answers_429_with_retry_after(client, key, last_year, settings):
    settings.API_REQUESTS_PER_MINUTE = 3
    answers = [get(client, "/api/v1/frameworks", key).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    response = get(client, "/api/v1/frameworks", key)
    assert response.status_code == 429 and int(response["Retry-After"]) > 0


def test_each_request_is_logged_with_the_keys_name_never_the_key(client, key, last_year, caplog):
    with caplog.at_level("INFO", logger="api"):
        get(client, "/api/v1/assessments", key)
    assert "Power BI" in caplog.text and key not in caplog.text and key.split("_")[2] not in caplog.text
    assert ApiKey.objects.get(prefix=key.split("_")[1]).last_used_at is not None


@pytest.mark.parametrize("url", ["/api/v1/assessments", "/api/v1/scores", "/api/v1/key-areas", "/api/v1/plans", "/api/v1/kpis"])
def test_queries_stay_flat_as_years_and_councils_grow(client, key, head, last_year, plan, nps2018, council_a, url, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert get(client, url, key).status_code == 200
    for year in (2019, 2020, 2021, 2022):
        submitted_assessment(council_a, nps2018, year, head)
    from .conftest import make_council

    for n in range(3):
        other = make_council(f"Other {n}", f"other-{n}")
        submitted_assessment(other, nps2018, 2023, make_user(f"oh{n}", other, Membership.Role.HEAD))
    with CaptureQueriesContext(connection) as large:
        assert get(client, url, key).status_code == 200
    assert len(large) <= len(small) + 1, (url, len(small), len(large))
    with django_assert_max_num_queries(20):
        get(client, url, key)


def test_the_head_creates_and_revokes_a_key_on_the_settings_page(client, head, officer):
    client.force_login(officer)
    assert client.get(reverse("api_keys:list")).status_code == 403
    client.force_login(head)
    page = client.post(reverse("api_keys:list"), {"name": "Power BI dashboard", "expires_on": ""})
    text = page.content.decode()
    assert "shown only this once" in text
    key = ApiKey.objects.get(name="Power BI dashboard")
    assert f"nps_{key.prefix}_" in text
    assert f"nps_{key.prefix}_" in client.get(reverse("api_keys:list")).content.decode()  # the prefix is listed…
    assert text.count("nps_" + key.prefix) >= 1
    client.post(reverse("api_keys:revoke", args=[key.pk]))
    key.refresh_from_db()
    assert key.revoked_at is not None


def test_a_bad_key_name_or_expiry_gets_a_message(client, head):
    client.force_login(head)
    for data in ({"name": "Power\x07BI"}, {"name": ""}, {"name": "ok", "expires_on": "2001-01-01"}, {"name": "ok", "expires_on": "2999-01-01"}, {"name": "x" * 500}):
        page = client.post(reverse("api_keys:list"), data)
        assert page.status_code == 200 and "There is a problem" in page.content.decode(), data
    assert not ApiKey.objects.exists()
