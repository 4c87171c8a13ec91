"""Plans are published (issue #19): draft → published → superseded, and a submitted year keeps the plan it showed."""

import re

from django.urls import reverse

from actionplans.models import ActionPlan, LineTarget, PlanStatus
from actionplans.services import plan_create
from reports.pdf import report_html

from .conftest import publish


def new_plan(council, framework, head, start, title):
    return plan_create(council_id=council.pk, framework_id=framework.pk, title=title, start_year=start, end_year=start + 2, user=head, line_per_key_area=True)


def test_a_draft_plan_is_for_its_authors_only(client, council_a, nps2018, head, officer, councillor, last_year):
    plan = new_plan(council_a, nps2018, head, 2024, "Draft improvement plan")
    client.force_login(officer)
    assert client.get(reverse("actionplans:detail", args=[plan.pk])).status_code == 200
    client.force_login(councillor)
    assert client.get(reverse("actionplans:detail", args=[plan.pk])).status_code == 404
    assert "Draft improvement plan" not in client.get(reverse("actionplans:list")).content.decode()
    assert "Draft improvement plan" not in client.get(reverse("reports:dashboard")).content.decode()
    assert "Draft improvement plan" not in report_html(last_year, "councillor")


def test_the_head_publishes_and_the_earlier_plan_is_superseded(client, council_a, nps2018, head, officer, councillor, last_year):
    first = publish(new_plan(council_a, nps2018, head, 2024, "First plan"))
    second = new_plan(council_a, nps2018, head, 2025, "Second plan")
    client.force_login(officer)
    assert client.post(reverse("actionplans:publish", args=[second.pk])).status_code == 403
    client.force_login(head)
    page = client.get(reverse("actionplans:detail", args=[second.pk])).content.decode()
    assert "Check and publish this plan" in page and "Draft" in page
    check = client.get(reverse("actionplans:publish", args=[second.pk])).content.decode()
    assert "Check before publishing" in check and "“First plan” (2024–2026)" in check and "it becomes superseded" in check
    unconfirmed = client.post(reverse("actionplans:publish", args=[second.pk]))  # no tick: nothing is published
    assert "Error: Check before publishing" in unconfirmed.content.decode()
    second.refresh_from_db()
    assert second.status == PlanStatus.DRAFT
    response = client.post(reverse("actionplans:publish", args=[second.pk]), {"confirm": "yes"})
    assert "Plan published" in response.content.decode() and "What happens next" in response.content.decode()
    second.refresh_from_db()
    first.refresh_from_db()
    assert (second.status, second.version, second.published_by_id) == (PlanStatus.PUBLISHED, 1, head.pk)
    assert first.status == PlanStatus.SUPERSEDED and first.superseded_at is not None
    assert "Version 1, published" in second.version_label and "superseded" in first.version_label
    client.force_login(councillor)
    assert client.get(reverse("actionplans:detail", args=[second.pk])).status_code == 200


def test_a_new_plan_changes_nothing_a_councillor_sees_for_a_submitted_year(client, council_a, nps2018, head, councillor, last_year):
    """The issue's case: a 2025–2027 plan must not replace, for the submitted 2023 year, the 2024–2026 plan it showed."""
    shown = publish(new_plan(council_a, nps2018, head, 2024, "Plan agreed at the 2023 committee"), before=last_year)
    client.force_login(councillor)
    dashboard = reverse("reports:dashboard") + f"?assessment={last_year.pk}"
    before = {edition: report_html(last_year, edition) for edition in ("full", "councillor")}
    before_page = client.get(dashboard).content.decode()
    assert "Plan agreed at the 2023 committee" in before_page and "Plan agreed at the 2023 committee" in before["councillor"]

    later = new_plan(council_a, nps2018, head, 2025, "Plan for 2025 to 2027")
    LineTarget.objects.create(line=later.lines.first(), year=2026, level=5)
    # As a draft, and then published after 2023 was signed off: neither changes 2023's documents.
    for step in ("draft", "published"):
        if step == "published":
            publish(later)
        page = client.get(dashboard).content.decode()
        # The later plan is named only as the pointer to the current plan, once it is published.
        assert ("The current plan is" in page) == (step == "published"), step
        page = re.sub(r"The current plan is .*?</a>", "", page, flags=re.S)
        assert "Plan agreed at the 2023 committee" in page and "Plan for 2025 to 2027" not in page, step
        for edition in ("full", "councillor"):
            html = re.sub(r"The current plan is [^.]*\.", "", report_html(last_year, edition))
            assert "Plan agreed at the 2023 committee" in html and "Plan for 2025 to 2027" not in html, (step, edition)
    assert ActionPlan.objects.get(pk=shown.pk).status == PlanStatus.SUPERSEDED
    assert "superseded" in report_html(last_year, "councillor")


def test_changes_to_a_published_plan_are_versions_and_the_report_names_its_version(client, officer, plan, last_year):
    assert plan.version == 1
    line = plan.lines.select_related("section").get(section__number=1)
    client.force_login(officer)
    post = {
        "section": line.section_id, "objective": "", "title": "", "current_level": line.current_level or "", "current_working_towards": "",
        "current_level_note": "", "current_text": "", "owner": "", "due_date": "", "status": "in_progress", "progress_notes": "Champion named",
        "targets-TOTAL_FORMS": "0", "targets-INITIAL_FORMS": "0", "targets-MIN_NUM_FORMS": "0", "targets-MAX_NUM_FORMS": "10",
    }
    form = client.get(reverse("actionplans:line_edit", args=[plan.pk, line.pk])).content.decode()
    assert "This plan is published: a change saved here is seen by councillors at once, as version 2" in form
    assert client.post(reverse("actionplans:line_edit", args=[plan.pk, line.pk]), post).status_code == 302
    plan.refresh_from_db()
    assert plan.version == 2
    assert list(plan.history.order_by("history_date").values_list("version", flat=True))[-2:] == [1, 2]
    assert "Version 2, published" in report_html(last_year, "councillor")


def test_the_plan_page_lists_its_versions_after_changes(client, head, plan):
    plan.touch()
    plan.touch()
    client.force_login(head)
    page = client.get(reverse("actionplans:detail", args=[plan.pk])).content.decode()
    assert "Versions of this plan (3)" in page and ">Version 3</a>:" in page and ">Version 1</a>:" in page


def test_any_version_opens_read_only_and_says_what_changed_from_the_one_before(client, head, councillor, plan):
    """Issue 29, item 4: a published plan's versions can be opened and compared, line by line."""
    from actionplans.services import line_write, plan_update

    line = plan.lines.order_by("pk").first()
    before_title = line.label
    line_write(
        plan_id=plan.pk, user=head, line_id=line.pk, section_id=line.section_id, title="Member champion", current_level=line.current_level,
        owner="Democratic Services", targets=[{"year": 2025, "level": 4, "narrative": "Quarterly briefings"}],
    )
    plan_update(plan_id=plan.pk, user=head, title="Procurement improvement plan", start_year=2024, end_year=2026)
    plan.refresh_from_db()
    assert plan.version == 3
    client.force_login(councillor)
    first = client.get(reverse("actionplans:version", args=[plan.pk, 1])).content.decode()
    assert "Improvement plan: version 1" in first and before_title in first and "Member champion" not in first and "What changed" not in first
    second = client.get(reverse("actionplans:version", args=[plan.pk, 2])).content.decode()
    changed = second[second.index("What changed from version 1"):second.index('id="lines-heading"')]
    assert "Member champion" in changed and "Changed" in changed
    assert "<del><span class=\"visually-hidden\">was: </span>No target</del>" in changed and "4 Leader – Quarterly briefings" in changed
    assert "Democratic Services" in changed
    third = client.get(reverse("actionplans:version", args=[plan.pk, 3])).content.decode()
    assert "<del>Improvement plan</del> → <ins>Procurement improvement plan</ins>" in third
    assert client.get(reverse("actionplans:version", args=[plan.pk, 4])).status_code == 404


def _names(client, assessment, shown, *, landing):
    """Where each page or document names the plan shown for `assessment`: {place: whether it names `shown`'s
    title and version and, when `shown` is superseded, the current plan}."""
    import io

    from openpyxl import load_workbook

    from actionplans.selectors import plan_version

    version = plan_version(plan=shown)
    wanted = [shown.title, shown.version_label] + ([version["current"].title] if version["current"] else [])
    pages = {
        "dashboard": client.get(reverse("reports:dashboard") + f"?assessment={assessment.pk}").content.decode(),
        "year on year": client.get(reverse("assessments:year_on_year", args=[assessment.pk])).content.decode(),
        "PDF, full": report_html(assessment, "full"),
        "PDF, councillors": report_html(assessment, "councillor"),
    }
    if landing:
        pages["landing page"] = client.get(reverse("home")).content.decode()
    book = load_workbook(io.BytesIO(client.get(reverse("actionplans:export", args=[shown.pk])).content))
    about = {row[0]: row[1] for row in book["Plan"].iter_rows(values_only=True) if row and row[0]}
    pages["plan workbook"] = " ".join(str(value) for value in about.values())
    return {place: [text for text in wanted if text not in html] for place, html in pages.items()}


def test_every_place_names_the_same_plan_and_version_for_a_year(client, council_a, nps2018, head, plan, last_year, draft):
    """After a later plan is published, the submitted year still names the plan it was judged against, its version
    and a pointer to the current plan, everywhere; the draft names the current plan."""
    later = publish(new_plan(council_a, nps2018, head, 2025, "Plan for 2025 to 2027"))
    plan.refresh_from_db()
    client.force_login(head)
    missing = _names(client, last_year, plan, landing=True)
    assert not any(missing.values()), missing
    missing = _names(client, draft, later, landing=False)
    assert not any(missing.values()), missing
    # The landing page's "at a glance" judges 2023 against its own plan; the later one appears only as the pointer.
    landing = client.get(reverse("home")).content.decode()
    glance = landing.split('stat-label">Action plan</div>')[1].split('stat-label">KPIs')[0]
    assert glance.index(plan.title) < glance.index("The current plan is") < glance.index("Plan for 2025 to 2027")
