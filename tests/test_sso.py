"""Single sign-on through a real OpenID Connect provider on loopback (oidc-provider-mock: discovery, JWKS,
authorisation code + PKCE, nonce required), driven end to end in headless Chromium.

The mock's ID tokens carry no key ID ("kid"). allauth checks an ID token's signature only when it did not fetch it
itself over TLS from the token endpoint (OpenID Connect Core 3.1.3.7); here it always fetches it, so no test-only
setting is needed; issuer, audience, expiry, our nonce and tenant are all checked."""

from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model
from oidc_provider_mock import User as ProviderUser
from oidc_provider_mock import run_server_in_thread

from signin import rules
from signin.models import SignInPolicy
from signin.services import member_remove

from .conftest import make_council, make_user

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TENANT = "0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d"
OTHER_TENANT = "99999999-8888-4777-a666-555555555555"


@pytest.fixture
def provider():
    users = [
        ProviderUser(sub="anna", claims={"email": "Anna.Officer@alpha.gov.uk", "tid": TENANT, "name": "Anna Officer"}),
        ProviderUser(sub="nobody", claims={"email": "nobody@alpha.gov.uk", "tid": TENANT}),
        ProviderUser(sub="intruder", claims={"email": "anna.officer@alpha.gov.uk", "tid": OTHER_TENANT}),
        ProviderUser(sub="rita", claims={"email": "rita.rater@alpha.gov.uk", "tid": TENANT}),
    ]
    with run_server_in_thread(require_nonce=True, user_claims=users) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture
def alpha(transactional_db, provider):
    council = make_council("Alpha Borough Council", "alpha")
    officer = make_user("anna", council, "officer")
    officer.email = "anna.officer@alpha.gov.uk"
    officer.save()
    SignInPolicy.objects.create(council=council, sso_enabled=True, provider_name="Alpha staff account", issuer=provider, tenant_id=TENANT, client_id="nps-maturity", email_domains="alpha.gov.uk")
    return council


def start(page, live_server, email):
    page.goto(f"{live_server.url.replace('127.0.0.1', 'localhost')}/accounts/login/")
    page.fill("#id_sso_email", email)
    page.get_by_role("button", name="Sign in with your council account").click()
    page.wait_for_selector("text=Authorize Client")


def choose(page, sub):
    """The provider's own page: choose who signs in there. (Its stylesheet link points off this machine and its
    favicon is missing: those two errors are the provider page's, cleared here; ours after it are still caught.)"""
    page.get_by_role("button", name=f"Authorize as {sub}").click()
    page.wait_for_load_state()
    page.console_errors[:] = [error for error in page.console_errors if "ERR_NAME_NOT_RESOLVED" not in error and "404 (NOT FOUND)" not in error]
    page.outside_requests.clear()


def refused(page, message, status=403):
    """The refusal page, and nobody signed in; its status is the browser's one expected error."""
    assert message in page.content()
    page.console_errors[:] = [error for error in page.console_errors if f"status of {status}" not in error]
    page.error_responses.clear()
    page.goto(page.url.split("/accounts/")[0] + "/")
    assert "/accounts/login/" in page.url


def test_a_member_signs_in_with_the_council_account_and_it_is_linked(page, live_server, alpha):
    start(page, live_server, "anna.officer@alpha.gov.uk")
    choose(page, "anna")
    page.wait_for_selector("h1:has-text('Alpha Borough Council')")
    anna = get_user_model().objects.get(username="anna")
    assert SocialAccount.objects.get(user=anna).uid == "anna"
    page.goto(page.url.split("/", 3)[0] + "//" + page.url.split("/")[2] + "/accounts/account/")
    assert "Your council account (single sign-on)" in page.content()


def test_an_address_with_no_account_is_told_to_ask_for_an_invitation_and_nothing_is_created(page, live_server, alpha):
    users = get_user_model().objects.count()
    start(page, live_server, "nobody@alpha.gov.uk")
    choose(page, "nobody")
    refused(page, "Ask your head of procurement for an invitation")
    assert get_user_model().objects.count() == users and not SocialAccount.objects.exists()


def test_a_user_of_another_tenant_is_refused_even_with_a_members_address(page, live_server, alpha):
    start(page, live_server, "anna.officer@alpha.gov.uk")
    choose(page, "intruder")
    refused(page, rules.WRONG_ORGANISATION)
    assert not SocialAccount.objects.exists()


def tampered(url, **changes):
    parts = urlsplit(url)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()} | changes
    return urlunsplit(parts._replace(query=urlencode(query)))


def test_a_tampered_nonce_is_refused(page, live_server, alpha):
    start(page, live_server, "anna.officer@alpha.gov.uk")
    page.goto(tampered(page.url, nonce="forged-by-an-attacker"))  # the provider signs whatever nonce it is sent
    choose(page, "anna")
    refused(page, rules.NOT_CHECKED)
    assert not SocialAccount.objects.exists()


def test_a_tampered_state_is_refused(page, live_server, alpha):
    start(page, live_server, "anna.officer@alpha.gov.uk")
    page.goto(tampered(page.url, state="forged"))  # the provider hands back whatever state it is sent
    choose(page, "anna")
    refused(page, "Sign-in did not work", status=401)
    assert not SocialAccount.objects.exists()


def test_an_invited_rater_accepts_by_signing_in_with_the_council_account(page, live_server, alpha, nps2018):
    from assessments.services import assessment_start
    from ratings.services import invitation_create

    head = make_user("head", alpha, "head")
    draft = assessment_start(council_id=alpha.pk, framework_id=nps2018.pk, year=2024, user=head, carry_forward=False)
    invitation_create(assessment_id=draft.pk, invited_by=head, username="rita", email="rita.rater@alpha.gov.uk", first_name="Rita", last_name="Rater", role_label="Commissioner", objective_ids=list(nps2018.objectives.filter(number__in=[1, 2]).values_list("pk", flat=True)))
    start(page, live_server, "rita.rater@alpha.gov.uk")
    choose(page, "rita")
    assert "Alpha Borough Council" in page.content(), page.content()[-3000:]
    assert SocialAccount.objects.filter(user__username="rita").exists()


def test_a_removed_member_cannot_sign_in_again(page, live_server, alpha):
    start(page, live_server, "anna.officer@alpha.gov.uk")
    choose(page, "anna")
    page.wait_for_selector("h1:has-text('Alpha Borough Council')")
    head = make_user("head", alpha, "head")
    member_remove(membership_id=get_user_model().objects.get(username="anna").membership.pk, removed_by_id=head.pk)
    page.goto(page.url)
    assert "/accounts/login/" in page.url  # the session ended with the removal
    start(page, live_server, "anna.officer@alpha.gov.uk")
    choose(page, "anna")
    refused(page, rules.NO_INVITATION)
