"""A second factor for password sign-ins (django-allauth's TOTP and recovery codes), with real codes from pyotp:
required of heads of procurement, site staff and, where a council asks, everyone; wrong codes lock out through
django-axes like wrong passwords."""

import re

import pyotp
import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.core.cache import cache
from django.urls import reverse

from signin import rules
from signin.forms import LOCKED
from signin.models import SignInPolicy

from .conftest import PASSWORD


@pytest.fixture(autouse=True)
def second_factor_on(settings):
    settings.SECOND_FACTOR_REQUIRED = True
    cache.clear()  # allauth remembers used codes in the cache: each test starts with none used


def with_authenticator(user):
    secret = pyotp.random_base32()
    TOTP.activate(user, secret)
    RecoveryCodes.activate(user)
    return pyotp.TOTP(secret)


def password_sign_in(client, user, **extra):
    return client.post(reverse("login"), {"username": user.username, "password": PASSWORD}, **extra)


def test_a_head_without_a_second_factor_must_set_one_up_before_anything_else(client, head):
    response = password_sign_in(client, head)
    assert response.status_code == 302
    response = client.get(reverse("assessments:list"))
    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")
    confirm = client.get(reverse("mfa_activate_totp"))  # changing how one signs in asks for the password again
    assert confirm["Location"].startswith(reverse("account_reauthenticate"))
    assert "Confirm it is you" in client.get(confirm["Location"]).content.decode()
    client.post(confirm["Location"], {"password": PASSWORD})
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200 and "Set up an authenticator app" in page.content.decode()
    secret = page.context["form"].secret
    wrong = client.post(reverse("mfa_activate_totp"), {"code": "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"})
    assert wrong.status_code == 200 and not Authenticator.objects.filter(user=head, type="totp").exists()
    client.post(reverse("mfa_activate_totp"), {"code": pyotp.TOTP(secret).now()})
    assert Authenticator.objects.filter(user=head, type="totp").exists()
    assert Authenticator.objects.filter(user=head, type="recovery_codes").exists()
    assert client.get(reverse("assessments:list")).status_code == 200


def test_an_officer_is_not_made_to_set_one_up_unless_the_council_says_so(client, officer):
    password_sign_in(client, officer)
    assert client.get(reverse("assessments:list")).status_code == 200
    SignInPolicy.objects.create(council=officer.membership.council, mfa_for_everyone=True)
    officer.refresh_from_db()
    client.logout()
    password_sign_in(client, officer)
    assert client.get(reverse("assessments:list"))["Location"] == reverse("mfa_activate_totp")


def test_signing_in_with_a_code_from_the_app(client, head):
    totp = with_authenticator(head)
    response = password_sign_in(client, head)
    assert response["Location"] == reverse("mfa_authenticate")
    assert client.get(reverse("home"))["Location"].startswith(reverse("login"))  # not signed in before the code
    response = client.post(reverse("mfa_authenticate"), {"code": totp.now()})
    assert response.status_code == 302
    assert client.get(reverse("assessments:list")).status_code == 200
    assert "Password and a code from your authenticator app" in client.get(reverse("signin:account")).content.decode()


def test_a_code_works_once(client, head):
    totp = with_authenticator(head)
    code = totp.now()
    password_sign_in(client, head)
    client.post(reverse("mfa_authenticate"), {"code": code})
    client.logout()
    password_sign_in(client, head)
    again = client.post(reverse("mfa_authenticate"), {"code": code})
    assert again.status_code == 200 and client.get(reverse("home")).status_code == 302


def test_a_recovery_code_signs_in_once(client, head):
    with_authenticator(head)
    code = RecoveryCodes(Authenticator.objects.get(user=head, type="recovery_codes")).get_unused_codes()[0]
    password_sign_in(client, head)
    assert client.post(reverse("mfa_authenticate"), {"code": code}).status_code == 302
    assert client.get(reverse("home")).status_code == 200
    client.logout()
    password_sign_in(client, head)
    assert client.post(reverse("mfa_authenticate"), {"code": code}).status_code == 200
    assert client.get(reverse("home")).status_code == 302
    assert len(RecoveryCodes(Authenticator.objects.get(user=head, type="recovery_codes")).get_unused_codes()) == 9


def test_wrong_codes_lock_the_account_out_like_wrong_passwords(client, head, settings):
    totp = with_authenticator(head)
    password_sign_in(client, head, REMOTE_ADDR="10.0.0.7")
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        wrong = f"{(int(totp.now()) + 1 + attempt) % 1_000_000:06d}"
        client.post(reverse("mfa_authenticate"), {"code": wrong}, REMOTE_ADDR="10.0.0.7")
    response = client.post(reverse("mfa_authenticate"), {"code": totp.now()}, REMOTE_ADDR="10.0.0.7")
    assert LOCKED in response.content.decode()
    assert client.get(reverse("home"), REMOTE_ADDR="10.0.0.7").status_code == 302
    client.logout()
    again = password_sign_in(client, head, REMOTE_ADDR="10.0.0.7")
    assert again.status_code in (403, 429) and "locked" in again.content.decode().lower()


def test_a_session_begun_without_the_second_factor_must_sign_in_again(client, head):
    with_authenticator(head)
    client.force_login(head)  # as the admin's own sign-in, or a session from before the factor was set up
    response = client.get(reverse("assessments:list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert client.get(reverse("home"))["Location"].startswith(reverse("login"))


def test_the_admin_sign_in_goes_through_the_one_sign_in_page(client, staff):
    response = client.get(reverse("admin:login") + "?next=/admin/")
    assert response.status_code == 302 and response["Location"] == reverse("login") + "?next=%2Fadmin%2F"
    totp = with_authenticator(staff)
    response = client.post(reverse("login") + "?next=/admin/", {"username": "staff", "password": PASSWORD, "next": "/admin/"})
    assert response["Location"] == reverse("mfa_authenticate")
    response = client.post(reverse("mfa_authenticate"), {"code": totp.now()})
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_council_that_signs_in_only_through_its_provider_refuses_passwords(client, officer):
    SignInPolicy.objects.create(council=officer.membership.council, sso_enabled=True, tenant_id="0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d", client_id="app", email_domains="alpha.gov.uk", passwords_allowed=False)
    response = password_sign_in(client, officer)
    assert response.status_code == 200 and rules.PASSWORDS_OFF.replace("“", "&ldquo;")[:20] in response.content.decode().replace("“", "&ldquo;")
    assert client.get(reverse("home")).status_code == 302


def test_the_demo_head_signs_in_with_the_published_demo_secret(client, db, settings):
    from django.core.management import call_command

    from demo.management.commands.seed_demo import DEMO_TOTP_SECRET

    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)
    response = client.post(reverse("login"), {"username": "head", "password": "nps-demo-2026"})
    assert response["Location"] == reverse("mfa_authenticate")
    client.post(reverse("mfa_authenticate"), {"code": pyotp.TOTP(DEMO_TOTP_SECRET).now()})
    assert re.search(r"Demo Borough Council", client.get(reverse("home")).content.decode())


def test_a_sign_in_lasts_a_working_day_from_signing_in_however_busy_the_session(client, officer, settings):
    """The session's end is fixed at sign-in (SIGN_IN_SECONDS after it): pages know how long is left (for the
    timeout warning) and past it the person is signed out and told why."""
    import time_machine
    from django.urls import reverse

    settings.SECOND_FACTOR_REQUIRED = False
    with time_machine.travel("2026-03-02 08:00", tick=False) as clock:
        client.force_login(officer)
        page = client.get(reverse("home")).content.decode()
        assert f'<meta name="session-seconds-left" content="{settings.SIGN_IN_SECONDS}">' in page
        assert '<dialog id="timeout-warning"' in page
        clock.move_to("2026-03-02 16:57")
        assert client.get(reverse("home")).status_code == 200  # still in, three minutes left
        assert '<meta name="session-seconds-left" content="180">' in client.get(reverse("home")).content.decode()
        clock.move_to("2026-03-02 17:01")
        response = client.get(reverse("assessments:list"), follow=True)
        assert response.redirect_chain[-1][0].startswith(reverse("login"))
        assert "a sign-in lasts a working day" in response.content.decode()
