"""The read API as its clients meet it, over HTTP against a live server: Schemathesis generating requests from the
OpenAPI document (every operation, hostile inputs: no 500, every response as the schema says), a Power BI-style
consumer walking a council's whole history by `next`, and the docs page offline under the strict CSP."""

import json
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from api.services import apikey_create
from councils.models import Membership

from .conftest import make_council, make_user, publish, submitted_assessment
from .test_browser import axe_violations

pytestmark = pytest.mark.slow


@pytest.fixture
def council_with_history(transactional_db, nps2018):
    from actionplans.services import plan_create

    council = make_council("Alpha Borough Council", "alpha")
    head = make_user("head", council, Membership.Role.HEAD)
    years = [submitted_assessment(council, nps2018, year, head, level_of=lambda n, y=year: 1 + (n + y) % 5) for year in (2021, 2022, 2023)]
    publish(plan_create(council_id=council.pk, framework_id=nps2018.pk, title="Improvement plan", start_year=2023, end_year=2025, user=head, line_per_key_area=True), before=years[-1])
    other = make_council("Beta District Council", "beta")
    submitted_assessment(other, nps2018, 2023, make_user("head-b", other, Membership.Role.HEAD))
    return council, head, years


def test_schemathesis_finds_no_500_and_no_response_outside_the_schema(live_server, council_with_history, settings, tmp_path):
    council, head, _ = council_with_history
    settings.API_REQUESTS_PER_MINUTE = 100_000  # the generator sends hundreds of requests a minute; the limit has its own test
    _, key = apikey_create(council_id=council.pk, created_by_id=head.pk, name="Schemathesis")
    schemathesis = Path(sys.executable).with_name("st")
    result = subprocess.run(
        [str(schemathesis), "run", f"{live_server.url}/api/v1/openapi.json", "--header", f"Authorization: Bearer {key}", "--checks", "all",
         "--max-examples", "25", "--request-timeout", "60", "--report-dir", str(tmp_path), "--seed", "20261203"],
        capture_output=True, text=True, timeout=1800, cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]


def fetch(url, key):
    request = urllib.request.Request(url, headers={"X-API-Key": key, "Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.load(response)


def test_a_power_bi_style_consumer_reads_the_whole_history_as_the_pages_show_it(live_server, council_with_history):
    """Power BI's Web connector: a key in a header, one request per page, following `next` until there is none."""
    from assessments.selectors import shown_level

    council, head, years = council_with_history
    _, key = apikey_create(council_id=council.pk, created_by_id=head.pk, name="Power BI")
    rows, url, pages = [], f"{live_server.url}/api/v1/scores?page_size=50", 0
    while url:
        page = fetch(url, key)
        rows += page["results"]
        url, pages = page["next"], pages + 1
    assert pages == 4 and len(rows) == 3 * years[0].scores.count() == page["count"]
    for assessment in years:
        expected = {s.objective.number: shown_level(level=s.level, working_towards=s.working_towards, out_of_scope=s.out_of_scope)["words"] for s in assessment.scores.select_related("objective")}
        got = {r["objective_number"]: r["level_label"] for r in rows if r["assessment_id"] == assessment.pk}
        assert got == expected
    assert [a["year"] for a in fetch(f"{live_server.url}/api/v1/assessments", key)["results"]] == [2021, 2022, 2023]
    assert all(r["assessment_id"] in {a.pk for a in years} for r in rows)  # nothing of Beta's


@pytest.mark.browser
def test_the_docs_page_works_offline_under_the_content_security_policy(page, live_server, transactional_db):
    response = page.goto(f"{live_server.url}/api/v1/docs/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.get_by_text("/api/v1/scores", exact=True).first.wait_for()
    assert page.locator(".opblock").count() >= 8
    assert page.outside_requests == [] and page.console_errors == []
    # Swagger UI's own markup has three known axe findings (its version badge's contrast, a button inside its
    # operation summary, small link targets): named here so that anything else, ours, fails.
    assert {violation[0] for violation in axe_violations(page)} <= {"color-contrast", "nested-interactive", "target-size"}
