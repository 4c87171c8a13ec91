"""Every form shows its errors the same way (issue 29, item 13), in Debian's Chromium, with errors showing:

an error summary at the top of the page, with the focus on it, linking to each field; each field's message above
the field and tied to it (aria-describedby); "Error:" at the start of the page title; no browser bubble (the form
reaches the server); no message in Django's default words; and axe-core finds no WCAG 2.2 AA violation.
"""

import pytest

from .test_browser import ARTIFACTS, axe_violations, sign_in
from .test_phone import council_setup  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _clear(selector):
    return lambda page: page.fill(selector, "")


# (who, path given the demo setup, the submit button's name, what to do first to make the form wrong)
FORMS = {
    "start an assessment": ("officer", lambda s: "/assessments/new/", "Start", _clear("#id_year")),
    "sign off": ("head", lambda s: f"/assessments/{s['draft'].pk}/submit/", "Submit assessment", None),
    "reopen": ("head", lambda s: f"/assessments/{s['last'].pk}/reopen/", "Reopen", None),
    "deadline": ("head", lambda s: f"/assessments/{s['draft'].pk}/deadline/", "Save", lambda page: page.fill("#id_deadline", "2001-01-01")),
    "import": ("officer", lambda s: f"/assessments/{s['draft'].pk}/import/", "Preview the import", None),
    "evidence": ("officer", lambda s: f"/assessments/{s['draft'].pk}/objectives/1/evidence/", "Add", None),
    "new plan": ("head", lambda s: "/plans/new/", "Start", None),
    "plan details": ("head", lambda s: f"/plans/{s['plan'].pk}/edit/", "Save", _clear("#id_title")),
    "plan line": ("head", lambda s: f"/plans/{s['plan'].pk}/lines/new/", "Save", None),
    "goal": ("head", lambda s: f"/plans/{s['plan'].pk}/goals/new/", "Save", None),
    "review": ("head", lambda s: f"/plans/{s['plan'].pk}/reviews/new/", "Save", lambda page: page.fill("#id_year", "")),
    "delivery consideration": ("head", lambda s: f"/plans/{s['plan'].pk}/considerations/new/", "Save", None),
    "KPI": ("head", lambda s: f"/plans/{s['plan'].pk}/kpis/new/", "Save", None),
    "invite a rater": ("head", lambda s: f"/assessments/{s['draft'].pk}/raters/", "Invite", None),
    "API key": ("head", lambda s: "/accounts/api-keys/", "Create the key", None),
    "load a framework": ("staff", lambda s: "/frameworks/load/", "Check and load", None),
    "change password": ("officer", lambda s: "/accounts/password_change/", "Change my password", lambda page: page.fill("#id_new_password1", "short")),
    "reset password": (None, lambda s: "/accounts/password_reset/", "Send the link", None),
    "sign in": (None, lambda s: "/accounts/login/", "Sign in", lambda page: (page.fill("#id_username", "officer"), page.fill("#id_password", "wrong"))),
    "choose a password (invitation)": (None, lambda s: s["invitation_link"], "Set my password and start", lambda page: (page.fill("#id_new_password1", "Correct-horse-battery-9"), page.fill("#id_new_password2", "Another-horse-battery-9"))),
}


@pytest.fixture
def forms_setup(council_setup, transactional_db):  # noqa: F811
    from django.contrib.auth import get_user_model

    from ratings.invitations import invitation_link

    from .conftest import make_user

    make_user("staff", staff=True)
    rater = council_setup["invitation"].rater
    get_user_model().objects.filter(pk=rater.pk).update(password="!unusable")  # invited: no password yet
    rater.refresh_from_db()
    return {**council_setup, "invitation_link": invitation_link(rater, "")}


@pytest.mark.parametrize("size", ["laptop", "phone"])
@pytest.mark.parametrize("name", list(FORMS))
def test_every_form_shows_its_errors_in_one_pattern_and_passes_axe(browser, live_server, forms_setup, name, size):
    who, path, button, spoil = FORMS[name]
    width, height = {"laptop": (1366, 768), "phone": (390, 844)}[size]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    try:
        if who:
            sign_in(page, live_server, who)
        page.goto(live_server.url + path(forms_setup))
        if spoil:
            spoil(page)
        page.get_by_role("button", name=button, exact=True).last.click()
        page.wait_for_load_state()
        summary = page.locator("[data-error-summary]").first
        summary.wait_for()
        assert page.title().startswith("Error: "), page.title()
        assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')"), "the focus is not on the error summary"
        box = summary.bounding_box()
        heading = page.locator("main h1").first.bounding_box()
        assert box["y"] < heading["y"], "the summary is not at the top of the page"
        text = summary.inner_text()
        assert "This field is required" not in text and "There is a problem" in text
        for link in summary.locator("a").all():
            target = link.get_attribute("href")
            field = page.locator(target)
            assert field.count() == 1, f"{target} links nowhere"
            described = field.get_attribute("aria-describedby") or ""
            error_id = next((part for part in described.split() if part.endswith("_error")), None)
            assert error_id and page.locator(f"#{error_id}").is_visible(), f"{target} has no message of its own"
            if True:  # the message is above its field, in the page's order
                before = page.evaluate(
                    "([e, f]) => !!(document.getElementById(e).compareDocumentPosition(document.querySelector(f)) & Node.DOCUMENT_POSITION_FOLLOWING)",
                    [error_id, target],
                )
                assert before, f"the message of {target} is not above it"
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        (ARTIFACTS / "errors").mkdir(parents=True, exist_ok=True)
        page.screenshot(path=ARTIFACTS / "errors" / f"{name.replace(' ', '-')}-{size}.png", full_page=True)
        assert axe_violations(page) == []
    finally:
        context.close()
