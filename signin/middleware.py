import time

from allauth.account.internal.flows.login import get_authentication_records
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

from . import rules
from .models import policy_of
from .signals import ENROLLED, SIGNED_IN_AT

# What someone who must still set up a second factor may reach: the set-up pages themselves, signing out, and files.
OPEN_PATHS = ("/accounts/2fa/", "/accounts/logout/", "/accounts/reauthenticate/", "/accounts/login/", "/health/")


def second_factor_proved(request):
    """This session began with a second factor or single sign-on, or a second factor was set up in it."""
    if request.session.get(ENROLLED):
        return True
    return any(record.get("method") in ("mfa", "socialaccount") for record in get_authentication_records(request, request.user))


def second_factor_required(user):
    membership = getattr(user, "membership", None)
    policy = policy_of(user)
    return rules.second_factor_required(is_staff=user.is_staff, is_head=bool(membership and membership.is_head), everyone=bool(policy and policy.mfa_for_everyone))


class SecondFactorMiddleware:
    """Heads of procurement, site staff (and everyone, where a council asks) use a password only with a second factor:
    until they have one they can do nothing but set it up; a session that began without one (before it was set up
    elsewhere, or through the admin's own sign-in) must sign in again with it. No query unless one is missing."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            settings.SECOND_FACTOR_REQUIRED
            and user is not None
            and user.is_authenticated
            and not request.path.startswith(OPEN_PATHS + (settings.STATIC_URL_PATH,))
            and second_factor_required(user)
            and not second_factor_proved(request)
        ):
            if Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
                logout(request)
                messages.info(request, "Sign in again with the code from your authenticator app.")
                return redirect(f"{reverse('login')}?next={request.path}")
            messages.info(request, "Your role needs a second factor: set up an authenticator app to continue.")
            return redirect("mfa_activate_totp")
        return self.get_response(request)


def session_seconds_left(request):
    """How long this signed-in session has left (signin.rules.seconds_left), or None."""
    if not request.user.is_authenticated:
        return None
    return rules.seconds_left(signed_in_at=request.session.get(SIGNED_IN_AT), now=time.time(), length=settings.SIGN_IN_SECONDS)


class SessionEndMiddleware:
    """A sign-in lasts a working day (SIGN_IN_SECONDS) from the moment it was made, however busy the session has
    been since: past that, the person is signed out and told why. Pages warn five minutes before (base.html)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        left = session_seconds_left(request)
        if left is not None and left <= 0:
            logout(request)
            messages.info(request, "You were signed out: a sign-in lasts a working day. Sign in again to carry on.")
        return self.get_response(request)
