"""The plan door matrix: every plan rule gets the same verdict, with the same message, whichever door a plan is
written by (actionplans.services.Door: the plan pages, the demo seeder, the dataset generator), and the admin
changes nothing. A refusal must show the rule's own message (actionplans.rules) and store nothing. A new Door
without a column here fails `test_every_plan_door_is_in_the_matrix`, as a new URL fails the permission matrix.

Doors: the plan pages are tried as a browser does (POST to the page); the demo seeder calls the services with
its own door; the dataset generator bulk-inserts after checking each row with the rules (its `_check`).
"""

import html
from datetime import date
from decimal import Decimal

import pytest
from django.core.management.base import CommandError
from django.urls import reverse

from actionplans import rules
from actionplans.models import (
    ActionPlan,
    DeliveryConsideration,
    Kpi,
    KpiValue,
    LineTarget,
    PlanGoal,
    PlanLine,
    PlanReview,
)
from actionplans.services import Door, NotValid, kpi_write, line_write, plan_item_write, plan_update
from demo.management.commands.generate_dataset import Command as Generator

from .test_action_plans import kpi_post, line_post


def snapshot(plan):
    plan = ActionPlan.objects.get(pk=plan.pk)
    return (
        (plan.title, plan.start_year, plan.end_year, plan.version),
        list(PlanLine.objects.filter(plan=plan).order_by("pk").values()),
        list(LineTarget.objects.filter(line__plan=plan).order_by("pk").values()),
        list(Kpi.objects.filter(plan=plan).order_by("pk").values()),
        list(KpiValue.objects.filter(kpi__plan=plan).order_by("pk").values()),
        list(DeliveryConsideration.objects.filter(plan=plan).order_by("pk").values()),
        list(PlanGoal.objects.filter(plan=plan).order_by("pk").values()),
        list(PlanReview.objects.filter(plan=plan).order_by("pk").values()),
    )


def first_line(plan):
    return plan.lines.select_related("section").order_by("section__number").first()  # key area 1, current level 3


def line_values(line, **values):
    return {"line_id": line.pk, "section_id": line.section_id, "current_level": line.current_level, "status": "in_progress", **values}


def target(year, level, reason=""):
    return {"year": year, "level": level, "working_towards": False, "narrative": "", "reason": reason}


def goal_post(text, low, high):
    return {"text": text, "level_from": low, "level_to": high, "review_date": ""}


def review_post(year):
    return {"year": year, "previous_priorities": "", "progress": "Good progress", "new_priorities": "", "development_plans": ""}


# Each case: what the web page posts, what the services are called with, the rules the generator would run, and the message.
# `url` and `post` take the plan; `service` takes (plan, user, door); `rule` gives the rules' verdict on the same values.
CASES = {
    "plan_ends_before_it_starts": {
        "url": lambda plan: reverse("actionplans:edit", args=[plan.pk]),
        "post": lambda plan: {"title": plan.title, "framework": plan.framework_id, "start_year": 2024, "end_year": 2023},
        "service": lambda plan, user, door: plan_update(plan_id=plan.pk, user=user, door=door, title=plan.title, start_year=2024, end_year=2023),
        "rule": lambda plan: rules.plan_problems(title=plan.title, start_year=2024, end_year=2023),
        "message": "The plan must end in or after the year it starts.",
    },
    "plan_longer_than_ten_years": {
        "url": lambda plan: reverse("actionplans:edit", args=[plan.pk]),
        "post": lambda plan: {"title": plan.title, "framework": plan.framework_id, "start_year": 2024, "end_year": 2034},
        "service": lambda plan, user, door: plan_update(plan_id=plan.pk, user=user, door=door, title=plan.title, start_year=2024, end_year=2034),
        "rule": lambda plan: rules.plan_problems(title=plan.title, start_year=2024, end_year=2034),
        "message": "A plan covers at most 10 years.",
    },
    "plan_title_with_control_character": {
        "url": lambda plan: reverse("actionplans:edit", args=[plan.pk]),
        "post": lambda plan: {"title": "Plan \x07", "framework": plan.framework_id, "start_year": 2024, "end_year": 2026},
        "service": lambda plan, user, door: plan_update(plan_id=plan.pk, user=user, door=door, title="Plan \x07", start_year=2024, end_year=2026),
        "rule": lambda plan: rules.plan_problems(title="Plan \x07", start_year=2024, end_year=2026),
        "message": "contains a control character",
    },
    "target_below_current_without_reason": {
        "url": lambda plan: reverse("actionplans:line_edit", args=[plan.pk, first_line(plan).pk]),
        "post": lambda plan: line_post(first_line(plan).section, targets=[(2025, 2, False, "", "")], status="in_progress"),
        "service": lambda plan, user, door: line_write(plan_id=plan.pk, user=user, door=door, **line_values(first_line(plan), targets=[target(2025, 2)])),
        "rule": lambda plan: rules.target_problems(start_year=2024, end_year=2026, custom=False, current_level=3, targets=[target(2025, 2)]),
        "message": "This target is below the current level (3 Mature): give a reason.",
    },
    "target_below_previous_year_without_reason": {
        "url": lambda plan: reverse("actionplans:line_edit", args=[plan.pk, first_line(plan).pk]),
        "post": lambda plan: line_post(first_line(plan).section, targets=[(2024, 4, False, "", ""), (2025, 3, False, "", "")], status="in_progress"),
        "service": lambda plan, user, door: line_write(plan_id=plan.pk, user=user, door=door, **line_values(first_line(plan), targets=[target(2024, 4), target(2025, 3)])),
        "rule": lambda plan: rules.target_problems(start_year=2024, end_year=2026, custom=False, current_level=3, targets=[target(2024, 4), target(2025, 3)]),
        "message": "This target is below the previous year's (4 Leader): give a reason.",
    },
    "two_targets_in_one_year": {
        "url": lambda plan: reverse("actionplans:line_edit", args=[plan.pk, first_line(plan).pk]),
        "post": lambda plan: line_post(first_line(plan).section, targets=[(2025, 4, False, "", ""), (2025, 5, False, "", "")], status="in_progress"),
        "service": lambda plan, user, door: line_write(plan_id=plan.pk, user=user, door=door, **line_values(first_line(plan), targets=[target(2025, 4), target(2025, 5)])),
        "rule": lambda plan: rules.target_problems(start_year=2024, end_year=2026, custom=False, current_level=3, targets=[target(2025, 4), target(2025, 5)]),
        "message": "There is already a target for 2025",
    },
    "target_outside_the_plan": {
        "url": lambda plan: reverse("actionplans:line_edit", args=[plan.pk, first_line(plan).pk]),
        "post": lambda plan: line_post(first_line(plan).section, targets=[(2027, 4, False, "", "")], status="in_progress"),
        "service": lambda plan, user, door: line_write(plan_id=plan.pk, user=user, door=door, **line_values(first_line(plan), targets=[target(2027, 4)])),
        "rule": lambda plan: rules.target_problems(start_year=2024, end_year=2026, custom=False, current_level=3, targets=[target(2027, 4)]),
        "message": "2027 is outside the plan period 2024–2026.",
    },
    "current_level_changed_without_note": {
        "url": lambda plan: reverse("actionplans:line_edit", args=[plan.pk, first_line(plan).pk]),
        "post": lambda plan: line_post(first_line(plan).section, current=2),
        "service": lambda plan, user, door: line_write(plan_id=plan.pk, user=user, door=door, **line_values(first_line(plan), current_level=2)),
        "rule": lambda plan: rules.line_problems(section_id=first_line(plan).section_id, current_level=2, assessed=3),
        "message": "The latest assessment puts this at 3 Mature; say why the current level differs.",
    },
    "area_outside_the_framework_with_a_level": {
        "url": lambda plan: reverse("actionplans:line_new", args=[plan.pk]),
        "post": lambda plan: {**line_post(first_line(plan).section, title="Resourcing levels", current=2), "section": ""},
        "service": lambda plan, user, door: line_write(plan_id=plan.pk, user=user, door=door, section_id=None, title="Resourcing levels", current_level=2),
        "rule": lambda plan: rules.line_problems(section_id=None, title="Resourcing levels", current_level=2),
        "message": "An area outside the framework has no framework level: describe where you are now in words.",
    },
    "area_outside_the_framework_without_a_title": {
        "url": lambda plan: reverse("actionplans:line_new", args=[plan.pk]),
        "post": lambda plan: {**line_post(first_line(plan).section, title=""), "section": ""},
        "service": lambda plan, user, door: line_write(plan_id=plan.pk, user=user, door=door, section_id=None, title=""),
        "rule": lambda plan: rules.line_problems(section_id=None, title=""),
        "message": "Give an area outside the framework a title",
    },
    "kpi_percentage_over_100": {
        "url": lambda plan: reverse("actionplans:kpi_new", args=[plan.pk]),
        "post": lambda plan: kpi_post("Pct", unit="percent", baseline="101"),
        "service": lambda plan, user, door: kpi_write(plan_id=plan.pk, user=user, door=door, name="Pct", kind="quantity", unit="percent", baseline_value=Decimal(101)),
        "rule": lambda plan: rules.kpi_problems(name="Pct", frequency="annual", unit="percent", baseline_value=Decimal(101)),
        "message": "A percentage lies between 0 and 100; 101 does not.",
    },
    "kpi_value_percentage_below_0": {
        "url": lambda plan: reverse("actionplans:kpi_new", args=[plan.pk]),
        "post": lambda plan: kpi_post("Pct", unit="percent", values=[("2024/25", "50", "-3")]),
        "service": lambda plan, user, door: kpi_write(
            plan_id=plan.pk, user=user, door=door, name="Pct", kind="quantity", unit="percent", values=[{"period_start": date(2024, 4, 1), "target": Decimal(50), "actual": Decimal(-3)}],
        ),
        "rule": lambda plan: rules.kpi_value_problems(frequency="annual", unit="percent", values=[{"period_start": date(2024, 4, 1), "target": Decimal(50), "actual": Decimal(-3)}]),
        "message": "A percentage lies between 0 and 100; -3 does not.",
    },
    "kpi_period_twice": {
        "url": lambda plan: reverse("actionplans:kpi_new", args=[plan.pk]),
        "post": lambda plan: kpi_post("Twice", unit="count", values=[("2024/25", "", "5"), ("2024-25", "", "6")]),
        "service": lambda plan, user, door: kpi_write(
            plan_id=plan.pk, user=user, door=door, name="Twice", kind="quantity", unit="count",
            values=[{"period_start": date(2024, 4, 1), "actual": Decimal(5)}, {"period_start": date(2024, 4, 1), "actual": Decimal(6)}],
        ),
        "rule": lambda plan: rules.kpi_value_problems(frequency="annual", unit="count", values=[{"period_start": date(2024, 4, 1)}, {"period_start": date(2024, 4, 1)}]),
        "message": "2024/25 is entered twice.",
    },
    "kpi_period_off_the_grid": {  # a page can only send labels (parsed onto the grid): not at the plan pages
        "service": lambda plan, user, door: kpi_write(
            plan_id=plan.pk, user=user, door=door, name="Off grid", kind="quantity", unit="count", values=[{"period_start": date(2024, 5, 17), "actual": Decimal(5)}],
        ),
        "rule": lambda plan: rules.kpi_value_problems(frequency="annual", unit="count", values=[{"period_start": date(2024, 5, 17)}]),
        "message": "That is not a period of this measure's frequency.",
    },
    "kpi_figure_too_large": {
        "service": lambda plan, user, door: kpi_write(plan_id=plan.pk, user=user, door=door, name="Huge", kind="quantity", unit="pounds", baseline_value=Decimal("1e15")),
        "rule": lambda plan: rules.kpi_problems(name="Huge", frequency="annual", unit="pounds", baseline_value=Decimal("1e15")),
        "message": "That number is too large",
    },
    "goal_range_runs_downwards": {
        "url": lambda plan: reverse("actionplans:goal_new", args=[plan.pk]),
        "post": lambda plan: goal_post("Climb", 4, 2),
        "service": lambda plan, user, door: plan_item_write(plan_id=plan.pk, user=user, door=door, kind="goal", values={"text": "Climb", "level_from": 4, "level_to": 2}),
        "rule": lambda plan: rules.goal_problems(text="Climb", level_from=4, level_to=2),
        "message": "The range runs upwards: from 4 Leader to a level at or above it.",
    },
    "review_year_twice": {
        "before": lambda plan, user: plan_item_write(plan_id=plan.pk, user=user, kind="review", values={"year": 2024, "progress": "First"}),
        "url": lambda plan: reverse("actionplans:review_new", args=[plan.pk]),
        "post": lambda plan: review_post(2024),
        "service": lambda plan, user, door: plan_item_write(plan_id=plan.pk, user=user, door=door, kind="review", values={"year": 2024, "progress": "Again"}),
        "rule": lambda plan: rules.review_problems(year=2024, taken_years={2024}, texts={}),
        "message": "There is already a record for 2024; edit that one.",
    },
    "consideration_with_control_character": {
        "url": lambda plan: reverse("actionplans:consideration_new", args=[plan.pk]),
        "post": lambda plan: {"section": "", "description": "Funding \x1b agreed", "owner": "", "status": "needed"},
        "service": lambda plan, user, door: plan_item_write(plan_id=plan.pk, user=user, door=door, kind="consideration", values={"description": "Funding \x1b agreed"}),
        "rule": lambda plan: rules.consideration_problems(description="Funding \x1b agreed"),
        "message": "contains a control character",
    },
    "a_lower_target_with_a_reason": {
        "url": lambda plan: reverse("actionplans:line_edit", args=[plan.pk, first_line(plan).pk]),
        "post": lambda plan: line_post(first_line(plan).section, targets=[(2025, 2, False, "", "Restructure first")], status="in_progress"),
        "service": lambda plan, user, door: line_write(plan_id=plan.pk, user=user, door=door, **line_values(first_line(plan), targets=[target(2025, 2, "Restructure first")])),
        "rule": lambda plan: rules.target_problems(start_year=2024, end_year=2026, custom=False, current_level=3, targets=[target(2025, 2, "Restructure first")]),
        "message": None,
    },
}


def door_plan_pages(client, plan, user, case):
    client.force_login(user)
    response = client.post(case["url"](plan), case["post"](plan))
    if case["message"] is None:
        assert response.status_code == 302, response.content.decode()[:2000]
        return None
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def door_demo(client, plan, user, case):
    try:
        case["service"](plan, user, Door.DEMO)
    except NotValid as error:
        return " ".join(error.problems.values())
    return None


def door_generated(client, plan, user, case):
    try:
        Generator._check("row", case["rule"](plan))
    except CommandError as error:
        return str(error)
    return None


DOORS = {Door.PLAN_PAGES: door_plan_pages, Door.DEMO: door_demo, Door.GENERATED: door_generated}
NOT_AT = {Door.PLAN_PAGES: {"kpi_period_off_the_grid", "kpi_figure_too_large"}}


def test_every_plan_door_is_in_the_matrix():
    assert set(DOORS) == set(Door), "a new way of writing a plan needs its column in the door matrix"


@pytest.mark.parametrize("door", list(DOORS))
@pytest.mark.parametrize("case", list(CASES))
def test_every_plan_rule_holds_at_every_door(client, plan, head, door, case):
    if case in NOT_AT.get(door, ()):
        pytest.skip("this door cannot send these values")
    spec = CASES[case]
    if "before" in spec:
        spec["before"](plan, head)
    before = snapshot(plan)
    said = DOORS[door](client, plan, head, spec)
    if spec["message"] is None:
        assert said is None
        if door is not Door.GENERATED:  # the generator's check writes nothing itself
            assert snapshot(plan) != before
        return
    assert said is not None and spec["message"] in said, f"{door}: {said!r}"
    assert snapshot(plan) == before, f"{door} stored a refused change"


def test_the_admin_cannot_change_add_or_delete_a_plan(client, plan, django_user_model):
    staff = django_user_model.objects.create_superuser("root", "root@example.org", "pw")
    client.force_login(staff)
    before = snapshot(plan)
    change = reverse("admin:actionplans_actionplan_change", args=[plan.pk])
    page = client.get(change)
    assert page.status_code == 200 and plan.title in page.content.decode()  # it reads
    assert 'name="_save"' not in page.content.decode()
    assert client.post(change, {"title": "Renamed", "status": "draft", "version": 0}).status_code == 403
    assert client.post(reverse("admin:actionplans_actionplan_delete", args=[plan.pk]), {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:actionplans_actionplan_add")).status_code == 403
    kpi = plan.kpis.first()
    assert client.post(reverse("admin:actionplans_kpi_change", args=[kpi.pk]), {"name": kpi.name, "baseline_value": "140"}).status_code == 403
    record = plan.history.earliest("history_date")
    revert = reverse("admin:actionplans_actionplan_simple_history", args=[plan.pk, record.history_id])
    assert client.post(revert, {"title": "Reverted"}).status_code == 403
    assert snapshot(plan) == before


def test_renaming_a_published_plan_is_a_new_version(client, plan, head):
    version = plan.version
    client.force_login(head)
    response = client.post(reverse("actionplans:edit", args=[plan.pk]), {"title": "Renamed plan", "framework": plan.framework_id, "start_year": 2024, "end_year": 2026})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.title, plan.version) == ("Renamed plan", version + 1)
    assert plan.history.first().history_change_reason == "Plan pages"
    # Saving it unchanged is not another version.
    client.post(reverse("actionplans:edit", args=[plan.pk]), {"title": "Renamed plan", "framework": plan.framework_id, "start_year": 2024, "end_year": 2026})
    plan.refresh_from_db()
    assert plan.version == version + 1


def test_a_line_deleted_meanwhile_is_a_clear_message_not_an_error(plan, head):
    line = first_line(plan)
    stale = line.pk
    PlanLine.objects.filter(pk=stale).delete()
    with pytest.raises(NotValid, match="deleted by someone else"):
        line_write(plan_id=plan.pk, user=head, line_id=stale, section_id=line.section_id)
