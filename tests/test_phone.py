"""Every page each persona reaches, on a 390×844 phone and a 1366×768 laptop, in Debian's Chromium.

For each: the page is no wider than the screen, Sign out is reachable (through the menu button on a phone), the
current page is marked in the navigation, and axe-core finds no WCAG 2.2 AA violation. Screenshots are kept under
test-artifacts/phone/ for a person to look at.
"""

from datetime import date

import pytest

from actionplans.models import Kpi, KpiValue, LineTarget
from actionplans.services import plan_create
from assessments.services import assessment_start
from councils.models import Membership
from ratings.models import Invitation

from .conftest import make_council, make_user, publish, submitted_assessment
from .test_browser import ARTIFACTS, axe_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SIZES = {"phone": (390, 844), "laptop": (1366, 768)}


@pytest.fixture
def council_setup(transactional_db, nps2018):
    council = make_council("Alpha Borough Council", "alpha")
    make_user("officer", council, Membership.Role.OFFICER)
    head = make_user("head", council, Membership.Role.HEAD)
    make_user("councillor", council, Membership.Role.COUNCILLOR)
    rater = make_user("rater", council, Membership.Role.RATER)
    submitted_assessment(council, nps2018, 2022, head, level_of=lambda n: 2 + n % 2)
    last = submitted_assessment(council, nps2018, 2023, head, level_of=lambda n: 2 + (n + 1) % 3)
    draft = assessment_start(council_id=council.pk, framework_id=nps2018.pk, year=2024, user=head)
    plan = publish(plan_create(council_id=council.pk, framework_id=nps2018.pk, title="Procurement improvement plan", start_year=2024, end_year=2026, user=head, line_per_key_area=True), before=last)
    for line in plan.lines.all()[:4]:
        LineTarget.objects.create(line=line, year=2025, level=min(5, (line.current_level or 2) + 1), narrative="Establish a Gateway Process managed through a procurement committee of senior managers")
    kpi = Kpi.objects.create(plan=plan, name="Waivers of contract procedure rules", kind=Kpi.Kind.QUANTITY, unit=Kpi.Unit.COUNT, direction=Kpi.Direction.LOWER, baseline_value="189", baseline_period=date(2023, 4, 1))
    KpiValue.objects.create(kpi=kpi, period_start=date(2024, 4, 1), actual="171")
    plan.considerations.create(section=plan.framework.sections.get(number=6), description="Contract managers trained across all directorates before the 2025 target", owner="Head of Procurement")
    plan.reviews.create(year=2024, previous_priorities="Social value policy", progress="Policy adopted by Cabinet", new_priorities="Measure social value delivered", development_plans="Social value portal for suppliers")
    invitation = Invitation.objects.create(assessment=draft, rater=rater, role_label="Commissioner", invited_by=head)
    invitation.objectives.set(nps2018.objectives.filter(section__number=1))
    return {"draft": draft, "last": last, "plan": plan, "invitation": invitation, "line": plan.lines.first().pk, "kpi": kpi.pk}


def pages_for(who, s):
    draft, last, plan = s["draft"].pk, s["last"].pk, s["plan"].pk
    common = ["/", "/guidance/", "/frameworks/"]
    return {
        "officer": common + ["/assessments/", f"/assessments/{draft}/", f"/assessments/{draft}/sections/1/", f"/assessments/{draft}/year-on-year/", f"/plans/{plan}/", "/dashboard/", "/dashboard/benchmarking/"],
        "head": [
            "/",
            f"/assessments/{draft}/submit/",
            f"/assessments/{draft}/raters/",
            f"/assessments/{draft}/consolidation/",
            f"/plans/{plan}/gap/",
            "/plans/",
            "/plans/new/",
            f"/plans/{plan}/edit/",
            f"/plans/{plan}/lines/new/",
            f"/plans/{plan}/lines/{s['line']}/",
            f"/plans/{plan}/kpis/new/",
            f"/plans/{plan}/kpis/{s['kpi']}/",
            f"/plans/{plan}/goals/new/",
            f"/plans/{plan}/reviews/new/",
            f"/plans/{plan}/considerations/new/",
            "/assessments/new/",
            "/accounts/account/",
            "/accounts/2fa/",
            "/accounts/sessions/",
            "/accounts/council/",
            "/accounts/council/members/",
            "/accounts/api-keys/",
            f"/assessments/{draft}/deadline/",
            "/accounts/reminders/",
        ],
        "officer_more": [
            f"/assessments/{draft}/all/",
            f"/assessments/{draft}/objectives/1/history/",
            f"/assessments/{draft}/objectives/1/evidence/",
            f"/assessments/{draft}/import/",
            "/frameworks/nps-2018/",
            f"/reports/{draft}/pdf/",
        ],
        "councillor": common + ["/dashboard/", f"/assessments/{last}/", f"/plans/{plan}/", "/assessments/", "/dashboard/benchmarking/", f"/plans/{plan}/gap/"],
        "rater": ["/", f"/ratings/{s['invitation'].pk}/", "/guidance/", "/accounts/account/"],
    }[who]


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("who", ["officer", "officer_more", "head", "councillor", "rater"])
def test_every_page_fits_the_screen_has_sign_out_and_passes_axe(browser, live_server, council_setup, who, size):
    width, height = SIZES[size]
    pages = pages_for(who, council_setup)
    who = who.removesuffix("_more")
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        sign_in(page, live_server, who)
        for path in pages:
            response = page.goto(f"{live_server.url}{path}")
            assert response.status == 200, (who, path, response.status)
            page.wait_for_load_state("networkidle")
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            assert scroll_width <= width, (who, size, path, scroll_width)
            sign_out = page.get_by_role("button", name="Sign out")
            if size == "phone":
                assert not sign_out.is_visible()
                page.get_by_role("button", name="Menu").click()
            assert sign_out.is_visible(), (who, size, path)
            in_navigation = path != "/" and not path.startswith("/ratings/")
            if in_navigation:
                assert page.locator("#main-nav [aria-current=page]").count() == 1, (who, path)
            assert axe_violations(page) == [], (who, size, path)
            folder = ARTIFACTS / "phone"
            folder.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(folder / f"{who}-{size}-{path.strip('/').replace('/', '_') or 'home'}.png"), full_page=True)
        assert errors == []
    finally:
        context.close()


def test_the_header_stays_on_one_line_on_a_laptop(browser, live_server, council_setup):
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    try:
        sign_in(page, live_server, "head")
        height = page.evaluate("document.querySelector('.app-header').getBoundingClientRect().height")
        assert height < 70, height
        page.goto(f"{live_server.url}/plans/")
        assert page.locator("#main-nav a[aria-current=page]").inner_text() == "Action plans"
    finally:
        context.close()


@pytest.mark.parametrize("path", ["plans/{plan}/", "plans/{plan}/gap/"])
def test_plan_tables_become_cards_on_a_phone_and_stay_a_table_on_a_laptop(browser, live_server, council_setup, path):
    """A councillor reads the plan on a phone: no table to scroll sideways, each cell names its column."""
    url = f"{live_server.url}/{path.format(plan=council_setup['plan'].pk)}"
    for width, stacked in [(390, True), (1366, False)]:
        context = browser.new_context(viewport={"width": width, "height": 844})
        page = context.new_page()
        try:
            sign_in(page, live_server, "councillor")
            page.goto(url)
            table = page.locator("table.stack-on-phone").first
            shape = table.evaluate("t => ({display: getComputedStyle(t).display, wide: t.parentElement.scrollWidth > t.parentElement.clientWidth, label: getComputedStyle(t.querySelector('td[data-label]'), '::before').content})")
            if stacked:
                assert shape["display"] == "block" and not shape["wide"], shape
                assert shape["label"] not in ("none", "normal", ""), shape
            else:
                assert shape["display"] == "table", shape
        finally:
            context.close()


@pytest.mark.parametrize("size", list(SIZES))
def test_signing_in_with_a_second_factor_fits_the_screen_and_passes_axe(browser, live_server, transactional_db, settings, size):
    """The sign-in page with its council-account form, the code page, and setting up an authenticator app."""
    import pyotp
    from allauth.mfa.totp.internal.auth import TOTP

    from signin.models import SignInPolicy

    from .conftest import PASSWORD

    settings.SECOND_FACTOR_REQUIRED = True
    width, height = SIZES[size]
    council = make_council("Alpha Borough Council", "alpha")
    head = make_user("head", council, Membership.Role.HEAD)
    make_user("newhead", council, Membership.Role.HEAD)
    SignInPolicy.objects.create(council=council, sso_enabled=True, tenant_id="0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d", client_id="app", email_domains="alpha.gov.uk")
    totp = pyotp.TOTP(pyotp.random_base32())
    TOTP.activate(head, totp.secret)
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()

    def check(name):
        page.wait_for_load_state("networkidle")
        assert page.evaluate("document.documentElement.scrollWidth") <= width, name
        assert axe_violations(page) == [], (name, size)
        folder = ARTIFACTS / "phone"
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / f"signin-{size}-{name}.png"), full_page=True)

    try:
        page.goto(f"{live_server.url}/accounts/login/")
        assert page.get_by_role("button", name="Sign in with your council account").is_visible()
        check("login")
        page.fill("#id_username", "head")
        page.fill("#id_password", PASSWORD)
        page.get_by_role("button", name="Sign in", exact=True).click()
        page.wait_for_url("**/2fa/authenticate/")
        check("code")
        page.fill("#id_code", totp.now())
        page.get_by_role("button", name="Sign in", exact=True).click()
        page.wait_for_url(f"{live_server.url}/")
        page.get_by_role("button", name="Sign out").click() if size == "laptop" else (page.get_by_role("button", name="Menu").click(), page.get_by_role("button", name="Sign out").click())
        page.wait_for_url("**/accounts/login/**")
        page.fill("#id_username", "newhead")
        page.fill("#id_password", PASSWORD)
        page.get_by_role("button", name="Sign in", exact=True).click()
        page.wait_for_load_state()
        page.goto(f"{live_server.url}/assessments/")  # a head without a second factor is sent to set one up
        page.wait_for_url("**/reauthenticate/**")
        check("confirm")
        page.fill("#id_password", PASSWORD)
        page.get_by_role("button", name="Confirm").click()
        page.wait_for_url("**/2fa/totp/activate/")
        check("activate")
        secret = page.locator("#authenticator-secret").inner_text()
        page.fill("#id_code", pyotp.TOTP(secret).now())
        page.get_by_role("button", name="Turn on").click()
        page.wait_for_load_state()
        page.goto(f"{live_server.url}/assessments/")
        assert page.url == f"{live_server.url}/assessments/"
    finally:
        context.close()


def test_year_on_year_shows_the_newest_year_and_the_change_on_a_phone(browser, live_server, council_setup):
    """Each objective a card, with this year's level and the change first: nothing off to the side (issue 29, item 1)."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        sign_in(page, live_server, "officer")
        page.goto(f"{live_server.url}/assessments/{council_setup['draft'].pk}/year-on-year/")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        first = page.locator("table.stack-on-phone tbody tr").first
        for label in ("2024", "Change"):
            cell = first.locator(f"td[data-label='{label}']")
            box = cell.bounding_box()
            assert cell.is_visible() and box["x"] >= 0 and box["x"] + box["width"] <= 390, (label, box)
        assert axe_violations(page) == []
    finally:
        context.close()


@pytest.mark.parametrize("size", ["phone", "laptop"])
def test_the_first_objective_is_on_the_first_screen_once_the_key_area_text_has_been_read(browser, live_server, council_setup, size):
    """The LGA's text is open on the first visit and folded on the next; then the first objective starts on the first
    screen and the sticky save bar takes little of it (issue 29, item 11)."""
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    try:
        sign_in(page, live_server, "officer")
        url = f"{live_server.url}/assessments/{council_setup['draft'].pk}/sections/1/"
        page.goto(url)
        assert page.locator("details.key-area-intro").get_attribute("open") is not None
        page.goto(url)
        assert page.locator("details.key-area-intro").get_attribute("open") is None
        first = page.locator(".objective-card").first.bounding_box()
        assert first["y"] + 60 < height, first
        assert page.locator(".save-bar").bounding_box()["height"] <= 80
        page.locator("details.key-area-intro summary").click()
        assert page.get_by_text("What it is").first.is_visible()
    finally:
        context.close()


def test_the_whole_framework_page_loads_each_key_area_as_the_reader_reaches_it(browser, live_server, council_setup):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        sign_in(page, live_server, "officer")
        response = page.goto(f"{live_server.url}/assessments/{council_setup['draft'].pk}/all/")
        assert len(response.body()) < 150_000
        assert page.locator("#key-area-11 .objective-card").count() == 0
        page.locator("#key-area-11").scroll_into_view_if_needed()
        page.locator("#key-area-11 .objective-card").first.wait_for()
        page.get_by_role("link", name="Back to the list of key areas").last.click()
        assert page.locator("#contents").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert axe_violations(page) == []
    finally:
        context.close()


def test_targets_by_year_read_whole_on_a_phone_and_the_plan_table_is_not_clipped_on_a_laptop(browser, live_server, council_setup):
    """Issue 29, item 8: one fieldset per year (the year, the level's words, "Remove" all in view); at 1366 px the
    plan table fits its box, Progress column included."""
    plan, line = council_setup["plan"].pk, council_setup["line"]
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        sign_in(page, live_server, "head")
        page.goto(f"{live_server.url}/plans/{plan}/lines/{line}/")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        years = page.locator("fieldset.target-year")
        assert years.count() == len(council_setup["plan"].years)
        for i in range(years.count()):
            year = years.nth(i)
            box = year.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 390
            field = year.locator("input[name$='-year']")
            assert field.evaluate("el => el.scrollWidth <= el.clientWidth"), "the year is cut off"
            level = year.locator("select[name$='-level']")
            assert level.evaluate("el => el.getBoundingClientRect().width") > 150, "the level's words are cut off"
        remove = page.get_by_label("Remove this target").first
        box = remove.bounding_box()
        assert box["x"] + box["width"] <= 390
        assert axe_violations(page) == []
        page.set_viewport_size({"width": 1366, "height": 768})
        page.goto(f"{live_server.url}/plans/{plan}/")
        clipped = page.evaluate("[...document.querySelectorAll('.table-scroll')].filter(e => e.scrollWidth > e.clientWidth + 1).length")
        assert clipped == 0
    finally:
        context.close()


@pytest.mark.parametrize("size", ["phone", "laptop"])
def test_the_timeout_warning_says_when_the_sign_in_ends_and_takes_the_focus(browser, live_server, council_setup, settings, size):
    """Issue 29, item 6 (GOV.UK's timeout warning): five minutes before the working day's sign-in ends, a dialog says
    at what time, with the focus on its button; it closes and leaves the page as it was."""
    settings.SIGN_IN_SECONDS = 4 * 60  # four minutes left from the moment of signing in
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    try:
        sign_in(page, live_server, "officer")
        dialog = page.get_by_role("dialog", name="You will be signed out soon")
        dialog.wait_for()
        assert "you will be signed out at" in dialog.inner_text()
        assert page.evaluate("document.activeElement.textContent.trim()") == "Continue"
        assert axe_violations(page) == []
        page.keyboard.press("Enter")
        assert not dialog.is_visible()
    finally:
        context.close()


def test_the_dashboard_heat_map_shows_each_key_area_newest_year_first_on_a_phone(browser, live_server, council_setup):
    """Issue 29, item 1: no year of the heat-map off to the side; the newest comes first in each key area's card."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        sign_in(page, live_server, "councillor")
        page.goto(f"{live_server.url}/dashboard/")
        row = page.locator("table.heatmap tbody tr").first
        cells = row.locator("td")
        boxes = [cells.nth(i).bounding_box() for i in range(cells.count())]
        assert all(box["x"] >= 0 and box["x"] + box["width"] <= 390 for box in boxes), boxes
        labels = [cells.nth(i).get_attribute("data-label") for i in range(cells.count())]
        leftmost = min(range(len(boxes)), key=lambda i: (boxes[i]["y"], boxes[i]["x"]))
        assert labels[leftmost] == max(labels), (labels, boxes)  # the newest year first
        assert axe_violations(page) == []
    finally:
        context.close()
