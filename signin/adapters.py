"""django-allauth's two adapters: nobody signs up; single sign-on links a council's provider to an account that
already exists in that council (an existing member, or an invited rater) and never makes one."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp
from django.contrib.auth import get_user_model
from django.shortcuts import render

from . import rules
from .models import SignInPolicy


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        return False


def refuse(request, message, status=403):
    """The page a refused single sign-on ends on: what happened in plain words, nobody signed in."""
    raise ImmediateHttpResponse(render(request, "signin/sso_refused.html", {"message": message}, status=status))


def policy_app(policy):
    """allauth's app for one council's provider, built from its sign-in settings (the secret from the environment)."""
    return SocialApp(
        provider="openid_connect",
        provider_id=policy.provider_id,
        name=policy.provider_name,
        client_id=policy.client_id,
        secret=policy.client_secret,
        settings={"server_url": policy.server_url, "fetch_userinfo": False, "oauth_pkce_enabled": True},
    )


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def list_apps(self, request, provider=None, client_id=None):
        policies = SignInPolicy.objects.with_sso()
        if provider and provider != "openid_connect":
            policies = policies.filter(council__slug=provider)
        if client_id:
            policies = policies.filter(client_id=client_id)
        return [policy_app(policy) for policy in policies]

    def is_open_for_signup(self, request, sociallogin):
        return False

    def pre_social_login(self, request, sociallogin):
        """Every single sign-on passes here before anyone is signed in: the token must come from this council's
        issuer and tenant, carry this sign-in's nonce and an address in the council's domains; and the address
        must belong to exactly one active account of this council. Anything else is refused, nothing created."""
        policy = SignInPolicy.objects.with_sso().filter(council__slug=sociallogin.account.provider).first()
        if policy is None:
            refuse(request, rules.WRONG_ORGANISATION)
        claims = (sociallogin.account.extra_data or {}).get("id_token") or {}
        nonce = (sociallogin.state.get("data") or {}).get("nonce")
        problem = rules.sso_problem(claims=claims, expected_issuer=policy.expected_issuer, tenant_id=policy.tenant_id, domains=policy.domains, nonce=nonce)
        if problem:
            refuse(request, problem)
        if sociallogin.is_existing:
            user = sociallogin.user
            if not user.is_active or getattr(getattr(user, "membership", None), "council_id", None) != policy.council_id:
                refuse(request, rules.LEFT_COUNCIL)
            return
        address = rules.email_of(claims)
        members = get_user_model().objects.filter(is_active=True, membership__council=policy.council).exclude(email="")
        candidates = [user for user in members.only("pk", "email") if rules.normalise_email(user.email) == address]
        if not candidates:
            refuse(request, rules.NO_INVITATION)
        if len(candidates) > 1:
            refuse(request, rules.AMBIGUOUS)
        sociallogin.connect(request, candidates[0])
