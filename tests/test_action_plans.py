from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from actionplans.models import ActionPlan, DeliveryConsideration, Kpi, KpiValue, LineTarget, PlanLine
from actionplans.periods import Frequency, PeriodError, parse_period, period_label
from actionplans.selectors import assessed_levels, latest_assessment
from councils.models import Council, Membership
from maturity.models import Framework, Section

from .conftest import make_council, make_user, submitted_assessment


def line_post(section, *, objective=None, title="", current="", note="", targets=(), existing=(), status="not_started", **extra):
    """POST data for the line form; targets are (year, level, working_towards, narrative, reason)."""
    rows = list(existing) + list(targets)
    data = {
        "section": section.pk, "objective": objective.pk if objective else "", "title": title,
        "current_level": current, "current_level_note": note, "owner": "", "due_date": "", "status": status, "progress_notes": "",
        "targets-TOTAL_FORMS": len(rows), "targets-INITIAL_FORMS": len(existing), "targets-MIN_NUM_FORMS": 0, "targets-MAX_NUM_FORMS": 1000,
    }
    for i, (year, level, towards, narrative, reason, *pk) in enumerate(rows):
        data.update({f"targets-{i}-year": year, f"targets-{i}-level": level, f"targets-{i}-narrative": narrative, f"targets-{i}-reason": reason})
        if towards:
            data[f"targets-{i}-working_towards"] = "on"
        if pk:
            data[f"targets-{i}-id"] = pk[0]
    data.update(extra)
    return data


def kpi_post(name, *, unit, direction="higher", frequency="annual", baseline="", baseline_period="", kind="quantity", values=(), existing=0):
    data = {
        "name": name, "question": "", "kind": kind, "frequency": frequency, "unit": unit, "direction": direction,
        "baseline_value": baseline, "baseline_period": baseline_period, "section": "", "line": "",
        "values-TOTAL_FORMS": len(values), "values-INITIAL_FORMS": existing, "values-MIN_NUM_FORMS": 0, "values-MAX_NUM_FORMS": 1000,
    }
    for i, (period, target, actual, *pk) in enumerate(values):
        data.update({f"values-{i}-period": period, f"values-{i}-target": target, f"values-{i}-actual": actual, f"values-{i}-note": ""})
        if pk:
            data[f"values-{i}-id"] = pk[0]
    return data


def snapshot(plan):
    """Everything stored about a plan, to show that refused input changed nothing."""
    return (
        list(PlanLine.objects.filter(plan=plan).values()),
        list(LineTarget.objects.filter(line__plan=plan).values()),
        list(Kpi.objects.filter(plan=plan).values()),
        list(KpiValue.objects.filter(kpi__plan=plan).values()),
        list(DeliveryConsideration.objects.filter(plan=plan).values()),
    )


@pytest.fixture
def nps2022(db):
    return Framework.objects.get(code="nps-2022")


@pytest.fixture
def combined_authority(db):
    council = make_council("Cambridgeshire & Peterborough Combined Authority", "cpca", directorates=())
    council.kind = Council.Kind.COMBINED
    council.save()
    return council


@pytest.fixture
def cpca_head(combined_authority):
    return make_user("cpca-head", combined_authority, Membership.Role.HEAD)


# Starting a plan


def test_head_starts_a_plan_with_key_area_lines_at_the_weakest_assessed_level(client, head, council_a, nps2018):
    # Key area 1 holds objectives 1–5: one at level 2 makes the key area a 2 (weakest, not the mean).
    submitted_assessment(council_a, nps2018, 2023, head, level_of=lambda n: 2 if n == 3 else 4)
    client.force_login(head)
    response = client.post(reverse("actionplans:new"), {"title": "Plan to 2026", "framework": nps2018.pk, "start_year": 2024, "end_year": 2026})
    plan = ActionPlan.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("actionplans:detail", args=[plan.pk])
    assert plan.owner == head and plan.years == [2024, 2025, 2026]
    assert not plan.lines.exists()  # a new plan starts empty…
    page = client.get(response["Location"]).content.decode()
    assert "Add a line for every key area" in page
    client.post(reverse("actionplans:add_key_areas", args=[plan.pk]))  # …and every key area is one click
    levels = {line.section.number: line.current_level for line in plan.lines.select_related("section")}
    assert len(levels) == nps2018.sections.count()
    assert levels[1] == 2 and levels[2] == 4
    client.post(reverse("actionplans:add_key_areas", args=[plan.pk]))
    assert plan.lines.count() == nps2018.sections.count()  # not twice
    page = client.get(response["Location"]).content.decode()
    assert "weakest" in page and "mean 3.8" in page  # the plan's current levels: 2 and ten 4s


def test_it_refuses_a_plan_period_that_runs_backwards(client, head, nps2018):
    client.force_login(head)
    response = client.post(reverse("actionplans:new"), {"title": "Backwards", "framework": nps2018.pk, "start_year": 2026, "end_year": 2024})
    assert response.status_code == 200
    assert "must end in or after the year it starts" in response.content.decode()
    assert not ActionPlan.objects.exists()


def test_officers_cannot_start_plans_and_councillors_cannot_edit_lines(client, officer, councillor, plan):
    client.force_login(officer)
    assert client.get(reverse("actionplans:new")).status_code == 403
    line = plan.lines.first()
    before = snapshot(plan)
    client.force_login(councillor)
    assert client.get(reverse("actionplans:detail", args=[plan.pk])).status_code == 200
    post = line_post(line.section, current=1, note="councillor edit")
    assert client.post(reverse("actionplans:line_edit", args=[plan.pk, line.pk]), post).status_code == 403
    assert client.post(reverse("actionplans:kpi_new", args=[plan.pk]), kpi_post("x", unit="count")).status_code == 403
    assert snapshot(plan) == before


def test_another_councils_people_can_neither_see_nor_edit_the_plan(client, other_officer, plan):
    client.force_login(other_officer)
    line = plan.lines.first()
    before = snapshot(plan)
    assert client.get(reverse("actionplans:detail", args=[plan.pk])).status_code == 404
    assert client.post(reverse("actionplans:line_edit", args=[plan.pk, line.pk]), line_post(line.section, current=1, note="x")).status_code == 404
    assert "Improvement plan" not in client.get(reverse("actionplans:list")).content.decode()
    assert snapshot(plan) == before


# Cambridgeshire & Peterborough's "Managing Contracts" area (seed 004), against NPS 2022


CPCA_MANAGING_CONTRACTS = [
    # line, current, 2024 (level, working towards), 2025
    ("Information Storage and Accessibility", 2, (3, False), (4, False)),
    ("Change Control", 1, (2, True), (4, False)),
    ("Supplier Financial Distress", 1, (2, True), (4, False)),
    ("Savings & Benefits Delivery", 1, (2, False), (3, False)),
    ("Recognition & Cultural Acceptance", 1, (2, False), (3, False)),
    ("Skill & Knowledge", 1, (2, False), (3, False)),
]


def test_cambridgeshire_and_peterborough_managing_contracts_plan_reads_back(client, cpca_head, combined_authority, nps2022):
    client.force_login(cpca_head)
    client.post(reverse("actionplans:new"), {"title": "Procurement Strategy action plan", "framework": nps2022.pk, "start_year": 2024, "end_year": 2025})
    plan = ActionPlan.objects.get(council=combined_authority)
    contracts = Section.objects.get(framework=nps2022, name="Contract and relationship management")
    for title, current, (level24, towards24), (level25, _) in CPCA_MANAGING_CONTRACTS:
        post = line_post(
            contracts, title=title, current=current, note="From the 2023 strategy's self-assessment; no submitted assessment yet",
            targets=[(2024, level24, towards24, f"{title}: 2024 actions", ""), (2025, level25, False, f"{title}: 2025 actions", "")],
        )
        response = client.post(reverse("actionplans:line_new", args=[plan.pk]), post)
        assert response.status_code == 302, response.content.decode()[:3000]
    client.post(reverse("actionplans:consideration_new", args=[plan.pk]), {"section": contracts.pk, "description": "External support to aid in developing processes and templates", "owner": "Head of Procurement", "status": "needed"})

    lines = {line.title: line for line in plan.lines.filter(section=contracts).prefetch_related("targets")}
    for title, current, (level24, towards24), (level25, _) in CPCA_MANAGING_CONTRACTS:
        line = lines[title]
        targets = {t.year: t for t in line.targets.all()}
        assert line.current_level == current
        assert (targets[2024].level, targets[2024].working_towards, targets[2025].level) == (level24, towards24, level25)
    assert lines["Change Control"].targets.get(year=2024).display_level == "2 Developing / Mature"

    page = client.get(reverse("actionplans:detail", args=[plan.pk])).content.decode()
    assert "Information Storage and Accessibility" in page and "2 Developing / Mature" in page
    assert "External support to aid in developing processes and templates" in page
    # The framework's text for the key area's target level is shown with the target.
    leader_principle = contracts.principles.get(level=4).text
    assert leader_principle.split(".")[0] in page


def test_current_level_comes_from_the_latest_assessment_unless_a_note_explains(client, officer, plan):
    line = plan.lines.select_related("section").first()
    assert line.current_level == 3
    before = snapshot(plan)
    client.force_login(officer)
    response = client.post(reverse("actionplans:line_edit", args=[plan.pk, line.pk]), line_post(line.section, current=2))
    assert response.status_code == 200
    assert "The latest assessment puts this at 3 Mature; say why the current level differs." in response.content.decode()
    assert snapshot(plan) == before
    response = client.post(reverse("actionplans:line_edit", args=[plan.pk, line.pk]), line_post(line.section, current=2, note="Place directorate audit found weaker practice"))
    assert response.status_code == 302
    line.refresh_from_db()
    assert line.current_level == 2


@pytest.mark.parametrize(
    ("targets", "message"),
    [
        ([(2025, 6, False, "", "")], "Select a valid choice. 6 is not one of the available choices."),
        ([(2023, 4, False, "", "")], "2023 is outside the plan period 2024–2026."),
        ([(2027, 4, False, "", "")], "2027 is outside the plan period 2024–2026."),
        ([(2025, 4, False, "", ""), (2025, 5, False, "", "")], "There is already a target for 2025"),
        ([(2025, 2, False, "", "")], "This target is below the current level (3 Mature): give a reason."),
        ([(2024, 4, False, "", ""), (2025, 3, False, "", "")], "This target is below the previous year&#x27;s (4 Leader): give a reason."),
    ],
)
def test_it_refuses_bad_targets_and_changes_nothing(client, officer, plan, targets, message):
    line = plan.lines.select_related("section").first()
    before = snapshot(plan)
    client.force_login(officer)
    response = client.post(reverse("actionplans:line_edit", args=[plan.pk, line.pk]), line_post(line.section, targets=targets, status="in_progress"))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert snapshot(plan) == before


def test_a_lower_target_with_a_reason_is_accepted(client, officer, plan):
    line = plan.lines.select_related("section").first()
    client.force_login(officer)
    post = line_post(line.section, targets=[(2025, 2, False, "", "Directorate restructure; rebuild first")])
    assert client.post(reverse("actionplans:line_edit", args=[plan.pk, line.pk]), post).status_code == 302
    assert line.targets.get().reason.startswith("Directorate restructure")


def test_objective_must_belong_to_the_chosen_key_area(client, officer, plan, nps2018):
    line = plan.lines.select_related("section").first()
    wrong = nps2018.objectives.exclude(section=line.section).first()
    before = snapshot(plan)
    client.force_login(officer)
    response = client.post(reverse("actionplans:line_new", args=[plan.pk]), line_post(line.section, objective=wrong))
    assert f"Objective {wrong.number} belongs to key area" in response.content.decode()
    assert snapshot(plan) == before


def test_emptying_a_key_area_line_to_nothing_is_refused_with_its_saved_name_kept(client, officer, plan):
    line = plan.lines.select_related("section").first()
    before = snapshot(plan)
    client.force_login(officer)
    response = client.post(reverse("actionplans:line_edit", args=[plan.pk, line.pk]), {"targets-TOTAL_FORMS": "0", "targets-INITIAL_FORMS": "0"})
    page = response.content.decode()
    assert response.status_code == 200 and "Give an area outside the framework a title" in page
    assert f"<h1 class=\"h3\">{line.section.name}</h1>" in page  # the heading names the line as saved
    assert snapshot(plan) == before


# Gap view


def test_gap_view_sorts_by_gap_and_marks_achieved_and_overdue(client, councillor, plan, council_a, head, nps2018):
    lines = {line.section.number: line for line in plan.lines.select_related("section")}
    LineTarget.objects.create(line=lines[1], year=2026, level=5)  # gap 2 from 3
    LineTarget.objects.create(line=lines[2], year=2026, level=3)  # reached: achieved
    LineTarget.objects.create(line=lines[3], year=2025, level=4)  # gap 1
    lines[3].due_date = date(2025, 3, 31)
    lines[3].save()
    client.force_login(councillor)
    response = client.get(reverse("actionplans:gap", args=[plan.pk]))
    rows = response.context["rows"]
    assert [row["gap"] for row in rows[:3]] == [2, 1, 0]
    assert rows[0]["section"].number == 1 and rows[0]["state"] == "on_track"
    assert rows[1]["section"].number == 3 and rows[1]["state"] == "overdue"
    assert rows[2]["section"].number == 2 and rows[2]["state"] == "achieved"
    assert len({row["section"].pk for row in rows}) == nps2018.sections.count()
    page = response.content.decode()
    assert "Overdue" in page and "Achieved" in page and "2 levels to go" in page


def test_a_line_reaching_its_target_in_a_newer_assessment_shows_achieved(plan, council_a, head, nps2018):
    line = plan.lines.select_related("section").get(section__number=1)
    LineTarget.objects.create(line=line, year=2025, level=4)
    assert line.progress(assessed_levels(assessment=latest_assessment(plan=plan)), today=date(2025, 6, 1)) == "on_track"
    submitted_assessment(council_a, nps2018, 2025, head, level_of=lambda n: 4)
    assert line.progress(assessed_levels(assessment=latest_assessment(plan=plan)), today=date(2025, 6, 1)) == "achieved"


def test_a_passed_target_year_not_reached_is_overdue(plan):
    line = plan.lines.select_related("section").get(section__number=1)
    LineTarget.objects.create(line=line, year=2024, level=4)
    LineTarget.objects.create(line=line, year=2026, level=5)
    assert line.progress(assessed_levels(assessment=latest_assessment(plan=plan)), today=date(2024, 6, 1)) == "on_track"
    assert line.progress(assessed_levels(assessment=latest_assessment(plan=plan)), today=date(2025, 6, 1)) == "overdue"


# KPIs: Leeds' four numeric KPIs (seed 001)


def test_leeds_kpis_are_entered_and_their_status_computed(client, officer, plan):
    client.force_login(officer)
    leeds = [
        kpi_post("Delivery of budget savings through procurement", unit="pounds", baseline="£185,000", baseline_period="2019/20",
                 values=[("2020/21", "£200,000", "£212,500"), ("2021/22", "250000", "")]),
        kpi_post("Waivers of contract procedure rules", unit="count", direction="lower", baseline="189", baseline_period="18/19",
                 values=[("2019/20", "", "171"), ("2020/21", "", "180")]),
        kpi_post("On-contract spend", unit="percent", baseline="96.6%", baseline_period="2018/19", values=[("2019/20", "", "97.1")]),
        kpi_post("Spend with local suppliers and SMEs", unit="percent", baseline="51.97", baseline_period="2018/19", values=[("2019/20", "", "51.2")]),
    ]
    for post in leeds:
        response = client.post(reverse("actionplans:kpi_new", args=[plan.pk]), post)
        assert response.status_code == 302, response.content.decode()[:3000]

    kpis = {kpi.name: kpi for kpi in plan.kpis.prefetch_related("values")}
    savings = kpis["Delivery of budget savings through procurement"]
    assert savings.baseline_value == Decimal("185000") and savings.baseline_period == date(2019, 4, 1)
    assert savings.baseline_label == "£185,000 in 2019/20"
    assert [(row["label"], row["status"]) for row in savings.periods()] == [("2020/21", "met"), ("2021/22", "no_data")]
    waivers = kpis["Waivers of contract procedure rules"]
    assert waivers.baseline_label == "189 in 2018/19"
    # Reduced year on year: 171 beats 189, 180 does not beat 171.
    assert [row["status"] for row in waivers.periods()] == ["met", "not_met"]
    assert kpis["On-contract spend"].baseline_label == "96.6% in 2018/19"
    assert [row["status"] for row in kpis["On-contract spend"].periods()] == ["met"]
    assert kpis["Spend with local suppliers and SMEs"].baseline_value == Decimal("51.97")
    assert [row["status"] for row in kpis["Spend with local suppliers and SMEs"].periods()][-1] == "not_met"

    page = client.get(reverse("actionplans:detail", args=[plan.pk])).content.decode()
    assert "£185,000 in 2019/20" in page and "below 171" in page and "Not met" in page


@pytest.mark.parametrize(
    ("post", "message"),
    [
        (kpi_post("Pct", unit="percent", baseline="101"), "A percentage lies between 0 and 100; 101 does not."),
        (kpi_post("Pct", unit="percent", values=[("2024/25", "50", "-3")]), "A percentage lies between 0 and 100; -3 does not."),
        (kpi_post("Annual", unit="count", values=[("2024/25 Q1", "", "5")]), "&#x27;2024/25 Q1&#x27; is not a period of this measure&#x27;s frequency; write it like 2024/25."),
        (kpi_post("Quarterly", unit="count", frequency="quarterly", values=[("2024/25", "", "5")]), "write it like 2024/25 Q3"),
        (kpi_post("Annual", unit="count", baseline="5", baseline_period="2024/26"), "is not a financial year"),
        (kpi_post("Twice", unit="count", values=[("2024/25", "", "5"), ("2024-25", "", "6")]), "2024/25 is entered twice."),
        (kpi_post("Words", unit="count", values=[("2024/25", "lots", "")]), "is not a number"),
        (kpi_post("Decimal comma", unit="percent", values=[("2024/25", "96,6", "")]), "use a point for decimals, like 96.6"),
        (kpi_post("Odd groups", unit="count", values=[("2024/25", "1,2,3", "")]), "is not a number"),
        (kpi_post("Underscore", unit="count", values=[("2024/25", "1_000", "")]), "is not a number"),
    ],
)
def test_it_refuses_bad_kpi_input_and_changes_nothing(client, officer, plan, post, message):
    before = snapshot(plan)
    client.force_login(officer)
    response = client.post(reverse("actionplans:kpi_new", args=[plan.pk]), post)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert snapshot(plan) == before


def test_editing_a_kpi_keeps_its_values_and_refuses_off_grid_changes(client, officer, plan):
    kpi = plan.kpis.get()
    value = KpiValue.objects.create(kpi=kpi, period_start=date(2024, 4, 1), actual=Decimal("97.2"))
    client.force_login(officer)
    url = reverse("actionplans:kpi_edit", args=[plan.pk, kpi.pk])
    assert 'value="2024/25"' in client.get(url).content.decode()
    before = snapshot(plan)
    bad = kpi_post(kpi.name, unit="percent", baseline="96.6", values=[("2024/25 H1", "", "97.2", value.pk)], existing=1)
    assert client.post(url, bad).status_code == 200
    assert snapshot(plan) == before
    good = kpi_post(kpi.name, unit="percent", baseline="96.6", values=[("2024/25", "98", "97.2", value.pk), ("2025/26", "98", "98.5")], existing=1)
    assert client.post(url, good).status_code == 302
    assert [row["status"] for row in kpi.periods()] == ["not_met", "met"]


# Periods


@pytest.mark.parametrize(
    ("frequency", "text", "start", "label"),
    [
        (Frequency.ANNUAL, "2019/20", date(2019, 4, 1), "2019/20"),
        (Frequency.ANNUAL, "18/19", date(2018, 4, 1), "2018/19"),
        (Frequency.ANNUAL, "1999/2000", date(1999, 4, 1), "1999/00"),
        (Frequency.SIX_MONTHLY, "2024/25 H2", date(2024, 10, 1), "2024/25 H2"),
        (Frequency.QUARTERLY, "2024/25 Q4", date(2025, 1, 1), "2024/25 Q4"),
        (Frequency.QUARTERLY, "2024/25 q1", date(2024, 4, 1), "2024/25 Q1"),
        (Frequency.MONTHLY, "2025-03", date(2025, 3, 1), "2025-03"),
    ],
)
def test_periods_parse_and_label_on_the_financial_year(frequency, text, start, label):
    assert parse_period(frequency, text) == start
    assert period_label(frequency, start) == label
    assert parse_period(frequency, label) == start


@pytest.mark.parametrize(("frequency", "text"), [(Frequency.MONTHLY, "2025-13"), (Frequency.ANNUAL, "2024"), (Frequency.SIX_MONTHLY, "2024/25 H3"), (Frequency.ANNUAL, "")])
def test_periods_off_the_grid_are_refused(frequency, text):
    with pytest.raises(PeriodError):
        parse_period(frequency, text)


# Query counts


def _add_lines(plan, count):
    sections = list(plan.framework.sections.all())
    for i in range(count):
        line = PlanLine.objects.create(plan=plan, section=sections[i % len(sections)], objective=sections[i % len(sections)].objectives.first(), current_level=2)
        for year in plan.years:
            LineTarget.objects.create(line=line, year=year, level=3)
        kpi = Kpi.objects.create(plan=plan, name=f"KPI {i}", kind="quality", unit="count", line=line)
        KpiValue.objects.create(kpi=kpi, period_start=date(2024, 4, 1), actual=1)


@pytest.mark.parametrize("name", ["actionplans:detail", "actionplans:gap", "actionplans:list"])
def test_plan_pages_take_a_bounded_number_of_queries(client, head, plan, name, django_assert_max_num_queries):
    client.force_login(head)
    url = reverse(name, args=[] if name == "actionplans:list" else [plan.pk])
    _add_lines(plan, 3)
    with django_assert_max_num_queries(18) as small:
        client.get(url)
    _add_lines(plan, 30)
    with django_assert_max_num_queries(18) as large:
        assert client.get(url).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)


def test_plan_exports_to_a_workbook_with_lines_considerations_and_kpis(client, councillor, plan):
    import io

    from openpyxl import load_workbook

    line = plan.lines.select_related("section").get(section__number=1)
    LineTarget.objects.create(line=line, year=2025, level=4, narrative="Member champion")
    KpiValue.objects.create(kpi=plan.kpis.get(), period_start=date(2024, 4, 1), actual=Decimal("97.1"))
    client.force_login(councillor)
    response = client.get(reverse("actionplans:export", args=[plan.pk]))
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Plan", "Goals", "Lines", "Delivery considerations", "KPIs"]
    assert dict(list(book["Plan"].values)[1:])["Status"].startswith("Version 1, published")
    lines = list(book["Lines"].values)
    assert lines[0][6:10] == ("Target 2024", "What will be done 2024", "Target 2025", "What will be done 2025")
    assert lines[1][8:10] == ("4 Leader", "Member champion")
    kpi = list(book["KPIs"].values)[1]
    assert kpi[0] == "On-contract spend" and kpi[7:] == ("2024/25", "above 96.6%", "97.1%", "Met")
    assert list(book["Delivery considerations"].values)[1][1] == "Approval to recruit a contract manager"


def test_a_current_level_can_be_written_as_cpca_writes_it(client, officer, plan):
    """Cambridgeshire & Peterborough's Supplier Financial Distress: current level "Minimum/ Developing" (seed 004)."""
    client.force_login(officer)
    line = plan.lines.get(section__number=6)
    post = line_post(line.section, current="1", note="CPCA: Minimum/ Developing", current_working_towards="on")
    response = client.post(reverse("actionplans:line_edit", args=[plan.pk, line.pk]), post)
    assert response.status_code == 302, response.content.decode()[-2000:]
    line.refresh_from_db()
    assert (line.current_level, line.current_working_towards, line.current_label) == (1, True, "1 Minimum / Developing")
    page = client.get(reverse("actionplans:detail", args=[plan.pk])).content.decode()
    assert "1 Minimum / Developing" in page


def test_a_plan_wide_goal_as_cpca_wrote_it(client, officer, head, plan):
    """CPCA (seed 004): "increase maturity to between Developing and Mature (2–3) over two years", "assessed at the end of 2024"."""
    from reports.pdf import report_html

    client.force_login(officer)
    text = "Increase maturity to between Developing and Mature (2–3) over two years"
    response = client.post(reverse("actionplans:goal_new", args=[plan.pk]), {"text": text, "level_from": "2", "level_to": "3", "review_date": "2024-12-31"})
    assert response.status_code == 302
    goal = plan.goals.get()
    assert goal.level_range == "2 Developing to 3 Mature"
    page = client.get(reverse("actionplans:detail", args=[plan.pk])).content.decode()
    assert text in page and "to be reviewed by 31 December 2024" in page
    backwards = client.post(reverse("actionplans:goal_new", args=[plan.pk]), {"text": "Backwards", "level_from": "4", "level_to": "2", "review_date": ""})
    assert backwards.status_code == 200 and "The range runs upwards" in backwards.content.decode() and plan.goals.count() == 1
    assessment = latest_assessment(plan=plan)
    assert text in report_html(assessment, "councillor")


def test_leeds_kpis_in_words_with_multi_year_windows_are_shown_as_written(client, officer, councillor, plan):
    """Leeds (seed 001, Appendix 3): text baselines and targets over 2020-2021 and 2022-2024, shown and never judged."""
    client.force_login(officer)
    post = kpi_post("Delivery of budget savings through procurement", unit="words", baseline="", baseline_period="")
    post.update({
        "baseline_text": "2019/20 - £185,000",
        "target_windows": "Target 2020-2021: Figures for future years to be agreed with Finance on an annual basis\nTarget 2022-2024: Figures for future years to be agreed with Finance on an annual basis",
    })
    response = client.post(reverse("actionplans:kpi_new", args=[plan.pk]), post)
    assert response.status_code == 302, response.content.decode()[-3000:]
    kpi = plan.kpis.get(name="Delivery of budget savings through procurement")
    assert kpi.baseline_label == "2019/20 - £185,000"
    assert kpi.windows() == [("Target 2020-2021", "Figures for future years to be agreed with Finance on an annual basis"), ("Target 2022-2024", "Figures for future years to be agreed with Finance on an annual basis")]
    bracketed = kpi_post("Spend with local suppliers and SMEs", unit="percent", baseline="[51.97%]", baseline_period="2018/19")
    assert client.post(reverse("actionplans:kpi_new", args=[plan.pk]), bracketed).status_code == 302
    assert plan.kpis.get(name="Spend with local suppliers and SMEs").baseline_value == Decimal("51.97")
    client.force_login(councillor)
    page = client.get(reverse("actionplans:detail", args=[plan.pk])).content.decode()
    assert "Targets as written" in page and "Target 2022-2024" in page and "2019/20 - £185,000" in page


def test_newcastle_measure_in_development_and_progress_record(client, officer, plan):
    """Newcastle (seed 000): a measure "in development" (grey, not judged) and a progress-and-development table."""
    from reports.pdf import report_html

    client.force_login(officer)
    post = kpi_post("Social value delivered", unit="count", baseline="", baseline_period="", values=[("2024/25", "10", "4")])
    post["in_development"] = "on"
    assert client.post(reverse("actionplans:kpi_new", args=[plan.pk]), post).status_code == 302
    kpi = plan.kpis.get(name="Social value delivered")
    assert [row["status"] for row in kpi.periods()] == ["in_development"]
    record = {"year": "2024", "previous_priorities": "Embed the social value framework", "progress": "Framework adopted by Cabinet", "new_priorities": "Report social value quarterly", "development_plans": "Train contract managers"}
    assert client.post(reverse("actionplans:review_new", args=[plan.pk]), record).status_code == 302
    again = client.post(reverse("actionplans:review_new", args=[plan.pk]), record)
    assert again.status_code == 200 and "already a record for 2024" in again.content.decode()
    page = client.get(reverse("actionplans:detail", args=[plan.pk])).content.decode()
    assert "Measure in development" in page and "Framework adopted by Cabinet" in page
    html = report_html(latest_assessment(plan=plan), "councillor")
    assert "Progress and development" in html and "Train contract managers" in html
