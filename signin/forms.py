from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.core import context
from allauth.mfa.base.forms import AuthenticateForm, ReauthenticateForm
from axes.handlers.proxy import AxesProxyHandler
from django import forms

from common.forms import PlainForm

from . import rules
from .models import SignInPolicy, policy_of

LOCKED = "Too many wrong codes: this account is locked for an hour from this address. Try again later, or use a recovery code then."


class LoginForm(PlainForm, AllauthLoginForm):
    """allauth's password sign-in, with the field named `username` as it always was here (password managers and
    bookmarks keep working), refused for members of a council that signs in only through its own provider."""

    def add_prefix(self, field_name):
        return "username" if field_name == "login" else super().add_prefix(field_name)

    def clean(self):
        cleaned = super().clean()
        user = getattr(self, "user", None)
        policy = policy_of(user) if user is not None else None
        if policy is not None and not policy.passwords_allowed:
            raise forms.ValidationError(rules.PASSWORDS_OFF)
        return cleaned


class AxesCountedCode:
    """A second factor's code, refused while django-axes has this username locked from this address; each wrong code
    counts as a failed sign-in (signin.signals), so guessing codes locks out as guessing passwords does."""

    def clean_code(self):
        request = context.request
        if AxesProxyHandler.is_locked(request, credentials={"username": self.user.get_username()}):
            raise forms.ValidationError(LOCKED)
        return super().clean_code()


class SecondFactorForm(PlainForm, AxesCountedCode, AuthenticateForm):
    pass


class SecondFactorReauthenticateForm(PlainForm, AxesCountedCode, ReauthenticateForm):
    pass


class CouncilSignInForm(PlainForm, forms.Form):
    email = forms.EmailField(label="Your work e-mail address", max_length=254)
    next = forms.CharField(required=False, max_length=2000)

    def clean_email(self):
        address = rules.normalise_email(self.cleaned_data["email"])
        domain = address.rpartition("@")[2]
        self._policy = next((policy for policy in SignInPolicy.objects.with_sso() if domain in policy.domains), None)
        if self._policy is None:
            raise forms.ValidationError(rules.NO_COUNCIL)
        return address

    def policy(self):
        return getattr(self, "_policy", None)

    def next_url(self, request):
        from django.utils.http import url_has_allowed_host_and_scheme

        target = self.cleaned_data.get("next") or ""
        return target if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()) else None
