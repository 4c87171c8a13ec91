import csv
import json
import re
from pathlib import Path

import pytest
from django.urls import reverse

from actionplans.models import LineTarget
from actionplans.services import plan_create
from assessments.models import Score
from assessments.services import assessment_start, assessment_submit
from councils.models import Council, Membership
from maturity.rules import parse_level
from reports.chartdata import benchmark, key_area_history, summary

from .conftest import FIXTURES, make_council, make_user, publish, submitted_assessment

# Medway's published scores (seed 002), as fixtures/demo-scores.csv holds them; "2/3" reads as 2, working towards 3.
MEDWAY_CSV = FIXTURES / "demo-scores.csv"


def medway_assessment(council, framework, year, user):
    rows = {int(row["number"]): row for row in csv.DictReader(MEDWAY_CSV.open(encoding="utf-8"))}
    assessment = assessment_start(council_id=council.pk, framework_id=framework.pk, year=year, user=user, carry_forward=False)
    scores = list(assessment.scores.select_related("objective"))
    for score in scores:
        score.level, score.working_towards = parse_level(rows[score.objective.number][f"score_{year}"])
    Score.objects.bulk_update(scores, ["level", "working_towards"])
    return assessment_submit(assessment_id=assessment.pk, user=user)


@pytest.fixture
def medway(council_a, nps2018, head):
    return {year: medway_assessment(council_a, nps2018, year, head) for year in (2022, 2023)}


def test_overall_distribution_matches_medways_published_scores(medway):
    assert summary(medway[2022])["overall"] == {1: 0, 2: 9, 3: 47, 4: 3, 5: 0, None: 0}
    data = summary(medway[2023], medway[2022])
    assert data["overall"] == {1: 0, 2: 2, 3: 39, 4: 18, 5: 0, None: 0}
    assert data["mean"] == 3.3  # (2×2 + 39×3 + 18×4) / 59 = 193 / 59
    assert (data["scored"], data["total"], data["weakest"]) == (59, 59, 2)


def test_section_distributions_and_weakest_levels_by_hand(medway):
    sections = {s["number"]: s for s in summary(medway[2023])["sections"]}
    # Key area 1: objectives 1, 2 at 3 and objective 3 at "2/3".
    assert sections[1]["counts"] == {1: 0, 2: 1, 3: 2, 4: 0, 5: 0, None: 0}
    # Key area 2: objective 4, 5, 6 at 4 and objective 7 at "2/3".
    assert sections[2]["counts"] == {1: 0, 2: 1, 3: 0, 4: 3, 5: 0, None: 0}
    assert (sections[2]["weakest"], sections[2]["mean"]) == (2, 3.5)
    # Key area 8 (objectives 31–40): 31, 34, 35 at 4, the other seven at 3.
    assert sections[8]["counts"] == {1: 0, 2: 0, 3: 7, 4: 3, 5: 0, None: 0}
    assert [sections[n]["weakest"] for n in range(1, 12)] == [2, 2, 3, 3, 3, 3, 3, 3, 3, 3, 3]


def test_scores_by_level_and_changes_since_last_year(medway):
    data = summary(medway[2023], medway[2022])
    assert [row["number"] for row in data["by_level"][2]] == [3, 7]
    assert all(row["working_towards"] for row in data["by_level"][2])
    assert len(data["by_level"][4]) == 18
    # 22 objectives rose between 2022 and 2023 (5, 6, 8, 15, 17, 18, 21–25, 29–32, 34, 40–42, 45, 51, 57); none fell.
    assert data["changes"] == {"up": 22, "same": 37, "down": 0}


def test_year_on_year_weakest_level_per_key_area(medway):
    history = key_area_history(list(medway.values()))
    weakest = {s["number"]: s["weakest"] for s in history["sections"]}
    assert history["years"] == [2022, 2023]
    assert weakest[1] == {2022: 2, 2023: 2}
    assert weakest[5] == {2022: 2, 2023: 3}  # objective 18 was "2/3" in 2022
    assert weakest[6] == {2022: 2, 2023: 3}


def chart_json(page, chart_id):
    match = re.search(rf'<script id="{chart_id}" type="application/json">(.*?)</script>', page, re.S)
    return json.loads(match.group(1))


def test_dashboard_draws_the_same_numbers(client, councillor, medway):
    client.force_login(councillor)
    page = client.get(reverse("reports:dashboard")).content.decode()
    overall = chart_json(page, "chart-overall")["data"][0]
    assert overall["y"] == [0, 2, 39, 18, 0, 0]
    assert overall["marker"]["color"][:5] == ["#fde725", "#7ad151", "#22a884", "#2a788e", "#414487"]
    sections = chart_json(page, "chart-sections")
    level_two = next(trace for trace in sections["data"] if trace["name"] == "2 Developing")
    assert sum(level_two["x"]) == 2
    objectives = chart_json(page, "chart-objectives")["data"][0]
    assert objectives["y"][2] == 2 and objectives["customdata"][2][0] == 3
    # Text alternative and data table carry the same figures.
    assert "Of 59 objectives: 2 at 2 Developing, 39 at 3 Mature, 18 at 4 Leader." in page
    assert "22 up" in page


def test_councillor_sees_latest_submitted_and_never_a_draft(client, councillor, officer, medway, nps2018, council_a, head):
    draft = assessment_start(council_id=council_a.pk, framework_id=nps2018.pk, year=2024, user=head, carry_forward=True)
    client.force_login(councillor)
    response = client.get(reverse("reports:dashboard"))
    assert response.context["assessment"] == medway[2023]
    assert "DRAFT" not in response.content.decode()
    assert client.get(reverse("reports:dashboard"), {"assessment": draft.pk}).status_code == 404
    client.force_login(officer)
    page = client.get(reverse("reports:dashboard"), {"assessment": draft.pk}).content.decode()
    assert "DRAFT" in page and "2024" in page


def test_councillor_dashboard_has_no_edit_controls(client, councillor, medway):
    client.force_login(councillor)
    page = client.get(reverse("reports:dashboard")).content.decode()
    forms = re.findall(r'<form[^>]*method="post"[^>]*>', page)
    assert forms == ['<form method="post" action="/accounts/logout/">']
    assert "Start an assessment" not in page and "Add a line" not in page


def test_other_councils_cannot_see_our_dashboard(client, other_officer, medway):
    client.force_login(other_officer)
    assert client.get(reverse("reports:dashboard"), {"assessment": medway[2023].pk}).status_code == 404
    page = client.get(reverse("reports:dashboard")).content.decode()
    assert "Alpha" not in page and "No assessment has been started yet" in page


def test_dashboard_shows_plan_progress_and_kpis(client, head, medway, nps2018, council_a):
    plan = publish(plan_create(council_id=council_a.pk, framework_id=nps2018.pk, title="Plan", start_year=2024, end_year=2026, user=head, line_per_key_area=True), before=medway[2023])
    lines = {line.section.number: line for line in plan.lines.select_related("section")}
    LineTarget.objects.create(line=lines[1], year=2026, level=2)  # assessed 2: achieved
    LineTarget.objects.create(line=lines[2], year=2026, level=4)  # on track
    plan.kpis.create(name="Waivers", kind="quantity", unit="count", direction="lower", baseline_value=189).values.create(period_start="2024-04-01", actual=171)
    client.force_login(head)
    response = client.get(reverse("reports:dashboard"))
    profile = response.context["profile"]
    assert profile["progress"] == {"achieved": 1, "on_track": 1, "overdue": 0, "no_target": 9}
    areas = {a["number"]: a for a in profile["areas"]}
    assert (areas[2]["assessed"], areas[2]["current"], areas[2]["target"]) == (2, 2, 4)
    page = response.content.decode()
    assert "1 achieved" in page and "Waivers" in page and "actual 171, target below 189, met" in page


# Benchmarking


def make_councils(count, framework, year, levels, kind=Council.Kind.DISTRICT):
    """`count` councils each with a submitted assessment; council i scores every objective at levels[i]."""
    councils = []
    for i in range(count):
        council = make_council(f"Peer {kind} {i}", f"peer-{kind}-{i}", directorates=())
        council.kind = kind
        council.save()
        user = make_user(f"peer-{kind}-{i}", council, Membership.Role.HEAD)
        submitted_assessment(council, framework, year, user, level_of=lambda n, level=levels[i]: level)
        councils.append(council)
    return councils


def test_benchmark_refuses_groups_of_fewer_than_five(client, officer, nps2018, council_a, head):
    make_councils(3, nps2018, 2023, [1, 2, 3])
    submitted_assessment(council_a, nps2018, 2023, head)
    assert benchmark(nps2018, 2023, Council.objects.all())["refused"] is True  # 4 councils
    client.force_login(officer)
    page = client.get(reverse("reports:benchmark"), {"framework": "nps-2018", "year": 2023}).content.decode()
    assert "Not enough councils to compare" in page
    # Column headings, not "Q1": a random CSRF token on the page can hold those two characters.
    assert "Lower quartile</th>" not in page and "Median</th>" not in page


def test_benchmark_quartiles_and_own_position_by_hand(client, officer, nps2018, council_a, head):
    make_councils(4, nps2018, 2023, [1, 2, 4, 5])
    submitted_assessment(council_a, nps2018, 2023, head, level_of=lambda n: 3)
    result = benchmark(nps2018, 2023, Council.objects.all(), council_a)
    assert result["count"] == 5
    first = result["objectives"][0]
    # Levels 1, 2, 3, 4, 5: median 3, quartiles 2 and 4 (inclusive method).
    assert first["spread"]["median"] == 3 and first["spread"]["q1"] == 2 and first["spread"]["q3"] == 4
    assert first["own"] == 3
    client.force_login(officer)
    page = client.get(reverse("reports:benchmark"), {"framework": "nps-2018", "year": 2023}).content.decode()
    assert "Peer" not in page  # other councils stay anonymous
    assert "5 councils submitted" in page and "middle half" in page


def test_benchmark_peer_group_by_type_refuses_a_small_group(client, officer, nps2018, council_a, head):
    make_councils(5, nps2018, 2023, [1, 2, 3, 4, 5], kind=Council.Kind.DISTRICT)
    submitted_assessment(council_a, nps2018, 2023, head)  # council_a is unitary: alone in its group
    client.force_login(officer)
    by_type = client.get(reverse("reports:benchmark"), {"framework": "nps-2018", "year": 2023, "group": "kind"}).content.decode()
    assert "Not enough councils to compare" in by_type
    everyone = client.get(reverse("reports:benchmark"), {"framework": "nps-2018", "year": 2023, "group": "all"}).content.decode()
    assert "6 councils submitted" in everyone


# Query counts: constant in the number of councils and years


def test_dashboard_queries_do_not_grow_with_years(client, councillor, council_a, nps2018, head, django_assert_max_num_queries):
    submitted_assessment(council_a, nps2018, 2020, head)
    client.force_login(councillor)
    with django_assert_max_num_queries(11) as few:
        client.get(reverse("reports:dashboard"))
    for year in (2021, 2022, 2023, 2024):
        submitted_assessment(council_a, nps2018, year, head)
    publish(plan_create(council_id=council_a.pk, framework_id=nps2018.pk, title="Plan", start_year=2024, end_year=2026, user=head, line_per_key_area=True))
    with django_assert_max_num_queries(16) as many:
        assert client.get(reverse("reports:dashboard")).status_code == 200
    # A plan adds its own fixed handful of queries; years add none.
    assert len(many.captured_queries) <= len(few.captured_queries) + 6


def test_benchmark_queries_do_not_grow_with_councils(client, officer, nps2018, django_assert_max_num_queries):
    make_councils(5, nps2018, 2023, [1, 2, 3, 4, 5])
    client.force_login(officer)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("reports:benchmark"), {"framework": "nps-2018", "year": 2023})
    make_councils(6, nps2018, 2023, [2, 2, 3, 3, 4, 4], kind=Council.Kind.COUNTY)
    with django_assert_max_num_queries(12) as many:
        client.get(reverse("reports:benchmark"), {"framework": "nps-2018", "year": 2023})
    assert len(many.captured_queries) == len(few.captured_queries)


def test_vendored_plotly_css_matches_the_installed_plotly_js():
    from config.plotly_css import maplibre_style_id, plotly_css

    assert (FIXTURES.parent / "static/vendor/plotly/plotly.css").read_text(encoding="utf-8") == plotly_css(), "regenerate: python -m config.plotly_css"
    assert len(maplibre_style_id()) == 64


def test_every_figure_passes_plotlys_own_schema_validation(client, head, medway, nps2018, council_a, other_officer):
    import plotly.graph_objects as go

    plan = publish(plan_create(council_id=council_a.pk, framework_id=nps2018.pk, title="Plan", start_year=2024, end_year=2026, user=head, line_per_key_area=True), before=medway[2023])
    LineTarget.objects.create(line=plan.lines.first(), year=2026, level=4)
    plan.kpis.create(name="Waivers", kind="quantity", unit="count", direction="lower", baseline_value=189).values.create(period_start="2024-04-01", actual=171, target=180)
    client.force_login(head)
    page = client.get(reverse("reports:dashboard")).content.decode()
    figures = re.findall(r'<script id="(chart-[\w-]+)" type="application/json">(.*?)</script>', page, re.S)
    assert {name for name, _ in figures} >= {"chart-overall", "chart-sections", "chart-objectives", "chart-profile"}
    assert "chart-history" not in {name for name, _ in figures}  # year on year is a heat-map table, not 11 overlapping lines
    assert 'class="table table-sm heatmap' in page
    assert any(name.startswith("chart-kpi-") for name, _ in figures)
    for _, blob in figures:
        figure = json.loads(blob)
        go.Figure(data=figure["data"], layout=figure["layout"])  # raises on any property plotly.js does not know
    make_councils(5, nps2018, 2023, [1, 2, 3, 4, 5])
    bench = client.get(reverse("reports:benchmark"), {"framework": "nps-2018", "year": 2023}).content.decode()
    figure = json.loads(re.search(r'<script id="chart-benchmark" type="application/json">(.*?)</script>', bench, re.S).group(1))
    go.Figure(data=figure["data"], layout=figure["layout"])


def test_benchmark_figures_follow_a_reopened_assessment(nps2018, head):
    from assessments.services import assessment_reopen

    peers = make_councils(5, nps2018, 2023, [1, 2, 3, 4, 5])
    assert benchmark(nps2018, 2023, Council.objects.all())["objectives"][0]["spread"]["median"] == 3
    reopened = peers[0].assessments.get()
    assessment_reopen(assessment_id=reopened.pk, user=head, reason="correction")
    assert benchmark(nps2018, 2023, Council.objects.all())["refused"] is True  # 4 left: the cached counts were not reused


def test_the_objective_axis_has_one_tick_per_key_area_and_names_on_hover(medway):
    from reports import charts
    from reports.chartdata import summary

    figure = charts.scores_by_objective(summary(medway[2023]))
    axis = figure["layout"]["xaxis"]
    assert axis["ticktext"] == [str(n) for n in range(1, 12)]
    assert "Objective %{customdata[0]}: %{customdata[1]}" in figure["data"][0]["hovertemplate"]


def test_kpi_charts_draw_their_targets_even_when_implied(head, plan):
    from actionplans.selectors import plan_display
    from reports import charts

    kpi = plan.kpis.create(name="Waivers", kind="quantity", unit="count", direction="lower", baseline_value=189)
    kpi.values.create(period_start="2024-04-01", actual=171)
    kpi.values.create(period_start="2025-04-01", actual=180, target=175)
    kpi = next(k for k in plan_display(plan=plan)["kpis"] if k.name == "Waivers")
    trend = {"kpi": kpi, "rows": kpi.rows}
    targets = charts.kpi_trend(trend)["data"][1]["y"]
    assert targets == [189.0, 175.0]


def test_the_vendored_plotly_bundle_is_the_version_the_figures_are_validated_against():
    from plotly.offline.offline import get_plotlyjs_version

    bundle = (FIXTURES.parent / "static/vendor/plotly/plotly-basic.min.js").read_text(encoding="utf-8")[:200]
    assert f"plotly.js (basic - minified) v{get_plotlyjs_version()}" in bundle
    whole = (FIXTURES.parent / "static/vendor/plotly/plotly-basic.min.js").read_text(encoding="utf-8")
    assert "cdn." not in whole  # offline: nothing in it points at a CDN


def test_the_dashboard_loads_plotly_only_on_demand_and_little_javascript_up_front(client, councillor, medway):
    """Issue 29, item 12: the summary charts are the server's pictures; plotly.js (1.3 MB) is fetched only to explore
    a chart or to draw one without a picture as it scrolls into view."""
    from django.contrib.staticfiles import finders

    client.force_login(councillor)
    page = client.get(reverse("reports:dashboard")).content.decode()
    scripts = re.findall(r'<script src="/static/([^"]+)"', page)
    assert not any("plotly-basic" in s for s in scripts) and 'data-plotly="/static/vendor/plotly/plotly-basic.min.js"' in page
    total = sum(Path(finders.find(s)).stat().st_size for s in scripts)
    assert total <= 150 * 1024, total
    assert page.count('class="chart-static"') == 3 and page.count("data-explore=") == 3
