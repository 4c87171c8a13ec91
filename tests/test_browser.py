"""Journeys in headless Chromium (Debian's package) driven by Playwright. Offline: no browser download."""

from pathlib import Path

import pytest

from assessments.models import Score
from assessments.services import assessment_start

from .conftest import PASSWORD, ROOT, make_council, make_user, publish, submitted_assessment

pytestmark = [pytest.mark.browser, pytest.mark.slow]
ARTIFACTS = ROOT / "test-artifacts"
AXE = Path(__file__).parent / "vendor" / "axe.min.js"


def sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def axe_violations(page):
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")
    result = page.evaluate("axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})")
    return [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]


def screenshot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.fixture
def scoring_setup(transactional_db, nps2018):
    council = make_council("Alpha Borough Council", "alpha")
    make_user("officer", council, "officer")
    head = make_user("head", council, "head")
    submitted_assessment(council, nps2018, 2023, head)
    draft = assessment_start(council_id=council.pk, framework_id=nps2018.pk, year=2024, user=head, carry_forward=False)
    return draft


def test_officer_scores_three_objectives_sees_saved_and_finds_them_after_reload(page, live_server, scoring_setup):
    draft = scoring_setup
    sign_in(page, live_server, "officer")
    page.goto(f"{live_server.url}/assessments/{draft.pk}/sections/1/")
    assert axe_violations(page) == []

    page.click("label[for='id_o1-level_3']")
    page.locator("#status-1").get_by_text("Saved at").wait_for()

    page.fill("#id_o2-comment", "Regular briefings to members")
    page.click("label[for='id_o2-level_2']")
    page.locator("#status-2").get_by_text("Saved at").wait_for()

    # Objective 3 by directorate: Place is weakest at 2, so 3 is refused and 2 is offered.
    page.locator("#objective-3 details.directorates summary").click()
    card = page.locator("#objective-3")
    card.get_by_label("Adults & Health").select_option("3")
    card.get_by_label("Place").select_option("2")
    page.click("label[for='id_o3-level_3']")
    refusal = page.locator("#errors-3")
    refusal.get_by_text("Place is at 2 Developing").wait_for()
    page.get_by_role("button", name="Set the council score to 2 (Place)").click()
    page.locator("#status-3").get_by_text("Saved at").wait_for()
    # The year's progress and the key area's line follow each save, without a reload.
    assert page.locator("#overall-progress").inner_text().startswith("3 of ")
    assert page.locator("#section-progress-1").inner_text().startswith("3 of ") and "reviewed this year in this key area" in page.locator("#section-progress-1").inner_text()
    assert "key-area level (weakest): 2" in page.locator("#section-progress-1").inner_text()

    # A 5 without evidence is refused and not saved.
    page.click("label[for='id_o1-level_5']")
    page.locator("#errors-1").get_by_text("ready to act as a case study").wait_for()
    assert axe_violations(page) == []
    screenshot(page, "scoring-refusal")

    page.reload()
    assert page.is_checked("#id_o1-level_3")
    assert page.is_checked("#id_o2-level_2")
    assert page.is_checked("#id_o3-level_2")
    assert page.input_value("#id_o2-comment") == "Regular briefings to members"
    assert Score.objects.get(assessment=draft, objective__number=3).directorate_ratings.count() == 2
    screenshot(page, "scoring-after-reload")


def test_scoring_by_keyboard_only(page, live_server, scoring_setup):
    draft = scoring_setup
    sign_in(page, live_server, "officer")
    page.goto(f"{live_server.url}/assessments/{draft.pk}/sections/1/")
    page.focus("#id_o1-level_1")
    page.keyboard.press("ArrowRight")  # radio groups move and select with arrow keys
    page.keyboard.press("ArrowRight")
    page.locator("#status-1").get_by_text("Saved at").wait_for()
    page.keyboard.press("Tab")
    assert Score.objects.get(assessment=draft, objective__number=1).level == 3
    page.goto(f"{live_server.url}/assessments/{draft.pk}/all/")
    assert page.is_checked("#id_o1-level_3")
    assert page.locator("#id_o40-level_1").count() == 0  # key area 8 loads when the reader reaches it
    page.locator("#key-area-8").scroll_into_view_if_needed()
    page.locator("#id_o40-level_1").wait_for()
    page.focus("#id_o40-level_1")
    page.keyboard.press("ArrowRight")
    page.locator("#status-40").get_by_text("Saved at").wait_for()
    assert Score.objects.get(assessment=draft, objective__number=40).level == 2
    assert axe_violations(page) == []


def test_submitted_assessment_is_read_only_in_the_browser(page, live_server, scoring_setup):
    draft = scoring_setup
    sign_in(page, live_server, "head")
    page.goto(f"{live_server.url}/assessments/{draft.pk}/submit/")
    page.check("#id_confirm")
    page.click("button:has-text('Submit assessment')")
    page.get_by_text("is signed off and read-only").wait_for()
    page.goto(f"{live_server.url}/assessments/{draft.pk}/sections/1/")
    assert page.locator("textarea").count() == 0
    assert page.locator("input[type=radio]").count() == 0
    assert axe_violations(page) == []
    screenshot(page, "submitted-read-only")


def test_head_plans_a_line_and_every_plan_page_passes_axe(page, live_server, transactional_db, nps2018):
    from actionplans.services import plan_create

    council = make_council("Alpha Borough Council", "alpha")
    head = make_user("head", council, "head")
    submitted_assessment(council, nps2018, 2023, head)
    plan = plan_create(council_id=council.pk, framework_id=nps2018.pk, title="Improvement plan", start_year=2024, end_year=2026, user=head, line_per_key_area=True)
    sign_in(page, live_server, "head")
    page.goto(f"{live_server.url}/plans/{plan.pk}/")
    assert axe_violations(page) == []
    page.get_by_role("link", name="Engaging Councillors").first.click()
    assert axe_violations(page) == []
    page.get_by_label("Target level").nth(1).select_option("4")
    page.get_by_label("What will be done").nth(1).fill("Member champion and quarterly briefings")
    page.get_by_label("Target level").nth(2).select_option("2")  # below current 3: needs a reason
    page.get_by_role("button", name="Save").click()
    assert page.get_by_text("This target is below the current level (3 Mature): give a reason.").first.is_visible()
    assert axe_violations(page) == []
    page.get_by_label("Reason, if lower").nth(2).fill("Councillor turnover after the election")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"{live_server.url}/plans/{plan.pk}/")
    assert page.get_by_text("Member champion and quarterly briefings").is_visible()
    screenshot(page, "plan-detail")
    page.get_by_role("link", name="Add a KPI").click()
    assert axe_violations(page) == []
    page.goto(f"{live_server.url}/plans/{plan.pk}/gap/")
    assert axe_violations(page) == []
    screenshot(page, "plan-gap")
    # Publishing goes through a check: the lines without a target are named, a tick is asked for, then a confirmation.
    page.goto(f"{live_server.url}/plans/{plan.pk}/")
    page.get_by_role("link", name="Check and publish this plan…").click()
    assert page.get_by_role("heading", name="Lines without a target").is_visible()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Publish the plan").click()
    assert page.title().startswith("Error:") and axe_violations(page) == []
    page.error_responses.clear()
    page.get_by_label("I have checked this plan").check()
    page.get_by_role("button", name="Publish the plan").click()
    page.get_by_role("heading", name="Plan published").wait_for()
    assert axe_violations(page) == []


def test_councillor_reads_the_dashboard_charts_and_cannot_edit(page, live_server, transactional_db, nps2018):
    from actionplans.models import LineTarget
    from actionplans.services import plan_create

    council = make_council("Alpha Borough Council", "alpha")
    head = make_user("head", council, "head")
    make_user("councillor", council, "councillor")
    submitted_assessment(council, nps2018, 2022, head, level_of=lambda n: 2 + n % 2)
    signed = submitted_assessment(council, nps2018, 2023, head, level_of=lambda n: 3 + n % 2)
    draft = assessment_start(council_id=council.pk, framework_id=nps2018.pk, year=2024, user=head, carry_forward=True)
    plan = publish(plan_create(council_id=council.pk, framework_id=nps2018.pk, title="Improvement plan", start_year=2024, end_year=2026, user=head, line_per_key_area=True), before=signed)
    line = plan.lines.first()
    LineTarget.objects.create(line=line, year=2026, level=4)
    kpi = plan.kpis.create(name="On-contract spend", kind="quantity", unit="percent", baseline_value=96.6)
    kpi.values.create(period_start="2024-04-01", actual=97.1)

    sign_in(page, live_server, "councillor")
    page.get_by_role("link", name="Dashboard", exact=True).click()
    # The summary charts come as the server's pictures (the PDF's), with no plotly.js fetched for them...
    assert page.locator(".chart-static img").count() == 3
    assert page.evaluate("!window.Plotly")
    # ...which loads when someone explores one, or when a chart without a picture scrolls into view.
    page.get_by_role("button", name="Explore this chart: Overall score distribution").click()
    page.wait_for_selector("[data-chart='chart-overall'][data-drawn='true']")
    assert not page.locator("#chart-overall-static").is_visible()
    page.locator("[data-chart^=chart-kpi-]").first.scroll_into_view_if_needed()
    page.wait_for_selector("[data-chart^=chart-kpi-][data-drawn=true]")
    page.locator("[data-chart='chart-profile']").scroll_into_view_if_needed()
    page.wait_for_selector("[data-chart='chart-profile'][data-drawn='true']")
    assert page.locator("table.heatmap .level-badge").count() >= 11
    assert page.locator(".chart svg.main-svg").count() >= 3  # plotly.js drew SVG, from our own static files
    assert page.get_by_role("heading", name="Alpha Borough Council: NPS 2018 2023").is_visible()
    page.get_by_text("Show data").first.click()
    assert page.get_by_role("row", name="4 Leader 30").is_visible()  # odd-numbered objectives 1–59 are at 4
    assert axe_violations(page) == []
    assert page.locator("form[method=post]").count() == 1  # sign out only
    screenshot(page, "dashboard-councillor")
    ticks = page.locator("[data-chart='chart-profile'] .xtick text")
    assert ticks.all_text_contents() == ["1 Minimum", "2 Developing", "3 Mature", "4 Leader", "5 Innovator"]
    page.set_viewport_size({"width": 390, "height": 844})  # on a phone the level names would turn on their side, cut off
    page.reload()
    page.locator("[data-chart='chart-profile']").scroll_into_view_if_needed()
    page.wait_for_selector("[data-chart='chart-profile'][data-drawn='true']")
    assert ticks.all_text_contents() == ["1", "2", "3", "4", "5"]
    assert page.locator("[data-chart='chart-profile'] .g-xtitle").text_content() == "Level (1 to 5)"
    response = page.goto(f"{live_server.url}/assessments/{draft.pk}/sections/1/")
    assert response.status == 403
    response = page.goto(f"{live_server.url}/plans/{plan.pk}/lines/{line.pk}/")
    assert response.status == 403
    assert page.get_by_role("heading", name="You cannot do this").is_visible()
    page.wait_for_load_state("networkidle")
    page.console_errors.clear()  # the browser logs the two refusals we asked for
    page.goto(f"{live_server.url}/dashboard/benchmarking/")
    assert axe_violations(page) == []


def open_reports_here(page):
    """Answer the report's own PDF with a small page once its headers are noted: headless Chromium's PDF viewer
    would otherwise keep its connection to the test server open and hold up the server's shutdown."""
    opened = {}

    def answer(route):
        response = route.fetch()
        if response.headers.get("content-type") != "application/pdf":
            route.fulfill(response=response)
            return
        opened.update(headers=response.headers, body=response.body())
        route.fulfill(status=200, content_type="text/html", body="<!doctype html><html lang='en'><title>Report</title><main><p>The PDF opened here</p></main></html>")

    page.route(lambda url: "/pdf/?" in url, answer)
    return opened


def test_head_downloads_the_pdf_report(page, live_server, scoring_setup, tmp_path):
    import io

    from pypdf import PdfReader

    draft = scoring_setup
    sign_in(page, live_server, "head")
    page.goto(f"{live_server.url}/assessments/{draft.pk}/")
    assert axe_violations(page) == []
    from .conftest import run_worker

    page.get_by_role("link", name="Full report (PDF, draft)").click()
    page.get_by_text("is being prepared").wait_for()  # the click answers at once; a worker makes the PDF
    opened = open_reports_here(page)
    run_worker()  # the page polls, then opens the report in the browser (its viewer)
    page.get_by_text("The PDF opened here").wait_for(timeout=120_000)
    assert opened["headers"]["content-disposition"] == 'inline; filename="alpha-nps-2018-2024.pdf"'
    reader = PdfReader(io.BytesIO(opened["body"]))
    first = reader.pages[0].extract_text()
    assert "Alpha Borough Council" in first and "2024" in first
    assert all("DRAFT" in p.extract_text() for p in reader.pages)
    screenshot(page, "pdf-download")


def test_two_invitees_rate_and_the_head_consolidates(page, live_server, scoring_setup):
    from ratings.models import Invitation

    draft = scoring_setup
    head = draft.council.memberships.get(role="head").user
    for username, levels in (("amira", ("2", "3")), ("pat", ("4", "3"))):
        rater = make_user(username, draft.council, "rater")
        invitation = Invitation.objects.create(assessment=draft, rater=rater, role_label="Commissioner", invited_by=head)
        invitation.objectives.set(draft.framework.objectives.filter(number__in=[1, 2]))
        sign_in(page, live_server, username)
        page.get_by_role("link", name="Alpha Borough Council: NPS 2018 2024").click()
        assert axe_violations(page) == []
        page.click(f"label[for='id_r1-level_{levels[0]}']")
        page.click(f"label[for='id_r2-level_{levels[1]}']")
        page.fill("#id_r1-comment", f"{username} sees level {levels[0]}")
        page.get_by_role("button", name="Submit my ratings").click()
        page.get_by_text("Submitted. Thank you").wait_for()
        page.context.clear_cookies()
    assert page.get_by_text("amira sees level 2").is_visible()  # pat, having submitted, sees amira's rating

    sign_in(page, live_server, "head")
    page.goto(f"{live_server.url}/assessments/{draft.pk}/consolidation/")
    assert axe_violations(page) == []
    card = page.locator("#objective-1")
    assert card.get_by_text("Weakest rating: 2 Developing").is_visible()
    card.get_by_role("button", name="Apply to objective 1").click()
    page.get_by_text("the council's score is now 2 Developing").wait_for()
    screenshot(page, "consolidation")
    assert Score.objects.get(assessment=draft, objective__number=1).level == 2


def test_the_report_page_shows_progress_and_turns_into_the_download(page, live_server, transactional_db, nps2018):
    from .conftest import run_worker

    council = make_council("Alpha Borough Council", "alpha")
    head = make_user("head", council, "head")
    assessment = submitted_assessment(council, nps2018, 2023, head)
    sign_in(page, live_server, "head")
    page.goto(f"{live_server.url}/reports/{assessment.pk}/pdf/?edition=councillor")
    page.get_by_text("is being prepared").wait_for()
    assert page.locator("progress").count() == 1
    assert axe_violations(page) == []
    opened = open_reports_here(page)
    run_worker()  # the real worker, in this process; the page polls meanwhile and opens the report when it is ready
    page.get_by_text("The PDF opened here").wait_for(timeout=120_000)
    # In the browser's own viewer (a phone's included), not sent to Downloads (issue 29, item 10).
    assert opened["headers"]["content-disposition"] == 'inline; filename="alpha-nps-2018-2023-councillor.pdf"'



def test_a_keyboard_user_hits_the_level_five_refusal_reads_the_message_goes_to_the_evidence_field_and_fixes_it(page, live_server, scoring_setup):
    """Without a mouse: choose 5, be refused, land on the message, follow it to the evidence box, write the evidence,
    choose 5 again, see it saved."""
    draft = scoring_setup
    sign_in(page, live_server, "officer")
    page.goto(f"{live_server.url}/assessments/{draft.pk}/sections/1/")
    page.focus("#id_o1-level_4")
    page.keyboard.press("Space")
    page.locator("#status-1").get_by_text("Saved at").wait_for()
    page.keyboard.press("ArrowRight")  # radio group: the arrow key moves to, and chooses, 5
    page.locator("#errors-1").get_by_text("ready to act as a case study").wait_for()
    # The message takes the focus, in view, with the put-back level beside it (not the evidence box a screen below).
    page.wait_for_function("document.activeElement && document.activeElement.matches('#errors-1 .alert')")
    assert page.locator("#errors-1 .alert").is_visible()
    assert page.is_checked("#id_o1-level_4")  # the refused 5 visibly returns to the stored 4
    assert page.locator("#errors-1 a[href='#id_o1-evidence']").count() == 1
    page.keyboard.press("Tab")  # to the message's link, which leads to the evidence box
    page.keyboard.press("Enter")
    page.wait_for_function("document.activeElement && document.activeElement.id === 'id_o1-evidence'")
    page.keyboard.type("Cabinet report, March 2024: our social value approach adopted by two neighbouring councils")
    page.locator("#status-1").get_by_text("Saved at").wait_for()
    page.focus("#id_o1-level_4")
    page.keyboard.press("ArrowRight")
    page.locator("#status-1").get_by_text("Saved at").wait_for()
    page.wait_for_function("document.querySelector('#objective-1').dataset.savedLevel === '5'")
    score = Score.objects.get(assessment=draft, objective__number=1)
    assert score.level == 5 and score.evidence.startswith("Cabinet report")
    assert page.locator("#objective-1 [data-status-copy]").inner_text().startswith("Saved at")


def test_save_this_key_area_comes_back_to_where_you_were(page, live_server, scoring_setup):
    draft = scoring_setup
    sign_in(page, live_server, "officer")
    page.goto(f"{live_server.url}/assessments/{draft.pk}/sections/6/")
    page.locator("#objective-20").scroll_into_view_if_needed()
    page.evaluate("document.getElementById('objective-20').scrollIntoView({block: 'start'})")
    page.get_by_role("button", name="Save this key area").click()
    page.wait_for_url(f"{live_server.url}/assessments/{draft.pk}/sections/6/#objective-2*")
    assert "#objective-" in page.url and not page.url.endswith("#objective-")


def test_an_expired_session_says_signed_out_keeps_the_text_and_saves_it_after_signing_in_again(page, live_server, scoring_setup):
    from django.contrib.sessions.models import Session

    draft = scoring_setup
    sign_in(page, live_server, "officer")
    page.goto(f"{live_server.url}/assessments/{draft.pk}/sections/1/")
    Session.objects.all().delete()  # the working day ends
    page.fill("#id_o1-comment", "Typed after the session ended")
    status = page.locator("#status-1")
    status.get_by_text("Not saved: you have been signed out.").wait_for()
    assert status.inner_text() == "Not saved: you have been signed out."  # one sentence, the offer beside it
    link = page.get_by_role("link", name="Sign in again (opens a new tab), then come back here to save this")
    assert link.is_visible() and axe_violations(page) == []
    with page.context.expect_page() as opened:
        link.click()
    other = opened.value
    other.fill("#id_username", "officer")
    other.fill("#id_password", PASSWORD)
    other.get_by_role("button", name="Sign in", exact=True).click()
    other.wait_for_url("**/accounts/account/")
    other.close()
    page.bring_to_front()
    page.evaluate("window.dispatchEvent(new Event('focus'))")
    status.get_by_text("Saved at").wait_for()
    assert Score.objects.get(assessment=draft, objective__number=1).comment == "Typed after the session ended"
    assert page.input_value("#id_o1-comment") == "Typed after the session ended"
    page.error_responses.clear()  # the one refused save (401, signed out) is the browser's expected error
    page.console_errors[:] = [error for error in page.console_errors if "status of 401" not in error]


def test_leaving_within_the_autosave_delay_saves_and_asks_nothing(page, live_server, scoring_setup):
    draft = scoring_setup
    sign_in(page, live_server, "officer")
    page.goto(f"{live_server.url}/assessments/{draft.pk}/sections/1/")
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.accept()))
    page.locator("#id_o2-comment").press_sequentially("Typed just before leaving", delay=5)
    page.get_by_role("link", name="Assessments").first.click()  # well within the 600 ms autosave delay
    page.wait_for_url(f"{live_server.url}/assessments/")
    for _ in range(100):
        if Score.objects.get(assessment=draft, objective__number=2).comment == "Typed just before leaving":
            break
        page.wait_for_timeout(100)
    assert Score.objects.get(assessment=draft, objective__number=2).comment == "Typed just before leaving"
    assert dialogs == []


def test_save_this_key_area_asks_nothing_even_within_the_autosave_delay(page, live_server, scoring_setup):
    draft = scoring_setup
    sign_in(page, live_server, "officer")
    page.goto(f"{live_server.url}/assessments/{draft.pk}/sections/1/")
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.accept()))
    page.fill("#id_o1-comment", "Saved with the button")
    page.get_by_role("button", name="Save this key area").first.click()
    page.wait_for_load_state()
    assert dialogs == []
    assert Score.objects.get(assessment=draft, objective__number=1).comment == "Saved with the button"
