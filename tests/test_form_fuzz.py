"""Every form a head reaches, each field in turn given hostile values: the answer is never a 500.

The forms are read from the pages themselves (as a browser would submit them), so a new field or form is covered
without listing it here. A refused value must come back as a message, not an error page.
"""

from datetime import date
from html.parser import HTMLParser

import pytest

from actionplans.models import Kpi

pytestmark = pytest.mark.slow

HOSTILE = ["", "\x00", "a\x01b\u202e", "9" * 400, "-1e309", "NaN", "２", "2026-02-30", "x" * 20_000]
SKIP_ACTIONS = ("logout", "delete", "withdraw", "publish", "submit", "reopen", "confirm", "remove")


class Forms(HTMLParser):
    """The POST forms on a page, each with its fields' names, kinds and first values."""

    def __init__(self):
        super().__init__()
        self.forms, self._form, self._select = [], None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = {"action": attrs.get("action") or "", "post": (attrs.get("method") or "").lower() == "post", "fields": []}
            self.forms.append(self._form)
        elif self._form is not None and attrs.get("name"):
            if tag == "input":
                kind = attrs.get("type", "text")
                if kind not in ("checkbox", "radio") or "checked" in attrs:
                    self._form["fields"].append([attrs["name"], kind, attrs.get("value", "")])
            elif tag == "textarea":
                self._form["fields"].append([attrs["name"], "textarea", ""])
            elif tag == "select":
                self._select = [attrs["name"], "select", None]
                self._form["fields"].append(self._select)
        if tag == "option" and self._select is not None and (self._select[2] is None or "selected" in attrs):
            self._select[2] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def pages(draft, plan, kpi):
    return [
        "/assessments/new/",
        f"/assessments/{draft.pk}/sections/1/",
        f"/assessments/{draft.pk}/objectives/1/evidence/",
        f"/assessments/{draft.pk}/raters/",
        "/plans/new/",
        f"/plans/{plan.pk}/edit/",
        f"/plans/{plan.pk}/lines/new/",
        f"/plans/{plan.pk}/lines/{plan.lines.first().pk}/",
        f"/plans/{plan.pk}/kpis/new/",
        f"/plans/{plan.pk}/kpis/{kpi.pk}/",
        f"/plans/{plan.pk}/goals/new/",
        f"/plans/{plan.pk}/reviews/new/",
        f"/plans/{plan.pk}/considerations/new/",
    ]


def fuzz(client, urls):
    """Every POST form on each page, each visible field in turn given each hostile value: the 5xx answers."""
    failures, posts = [], 0
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        parser = Forms()
        parser.feed(response.content.decode())
        for form in parser.forms:
            action = form["action"] or url
            if not form["post"] or any(word in action for word in SKIP_ACTIONS):
                continue
            base = {name: value or "" for name, kind, value in form["fields"] if kind not in ("submit", "file")}
            for name, kind, _ in form["fields"]:
                if kind in ("hidden", "submit", "file", "checkbox", "radio"):
                    continue
                for value in HOSTILE:
                    posts += 1
                    answer = client.post(action, {**base, name: value})
                    if answer.status_code >= 500:
                        failures.append((action, name, value[:12], answer.status_code))
    return failures, posts


@pytest.mark.django_db
def test_no_hostile_value_in_the_sign_in_and_account_forms_gives_a_500(client, head, council_a):
    """The sign-in page (password and council-account forms), then a head's account pages and the second factor."""
    import pyotp
    from allauth.mfa.totp.internal.auth import TOTP

    from signin.models import SignInPolicy

    from .conftest import PASSWORD

    SignInPolicy.objects.create(council=council_a, sso_enabled=True, tenant_id="0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d", client_id="app", email_domains="alpha.gov.uk")
    client.raise_request_exception = False
    failures, posts = fuzz(client, ["/accounts/login/"])
    client.force_login(head)
    more, more_posts = fuzz(client, ["/accounts/reauthenticate/", "/accounts/sessions/", "/accounts/council/members/"])
    client.logout()
    TOTP.activate(head, pyotp.random_base32())
    client.post("/accounts/login/", {"username": head.username, "password": PASSWORD})
    for value in HOSTILE:  # the code asked for after the password
        posts += 1
        if client.post("/accounts/2fa/authenticate/", {"code": value}).status_code >= 500:
            failures.append(("mfa_authenticate", "code", value[:12]))
    assert posts + more_posts > 40
    assert failures + more == []


@pytest.mark.django_db
def test_no_hostile_value_in_any_field_of_any_form_gives_a_500(client, head, draft, plan):
    kpi = Kpi.objects.create(plan=plan, name="Waivers", kind=Kpi.Kind.QUANTITY, unit=Kpi.Unit.COUNT, baseline_value="189", baseline_period=date(2023, 4, 1))
    client.force_login(head)
    client.raise_request_exception = False
    failures, posts = fuzz(client, pages(draft, plan, kpi))
    assert posts > 300  # the pages really had forms to try
    assert failures == []
