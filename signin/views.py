from allauth.account.internal.flows.login import get_authentication_records
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.views import activate_totp as allauth_activate_totp
from allauth.socialaccount.adapter import get_adapter as get_social_adapter
from allauth.socialaccount.models import SocialAccount
from allauth.usersessions.models import UserSession
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from councils.access import get_membership_for_user
from councils.models import Membership

from . import rules
from .forms import CouncilSignInForm
from .models import SignInPolicy, policy_of
from .services import member_remove
from .signals import ENROLLED


def sign_in_method(request):
    records = get_authentication_records(request, request.user)
    if any(record.get("method") == "socialaccount" for record in records):
        return "Your council account (single sign-on)"
    if any(record.get("method") == "mfa" for record in records):
        return "Password and a code from your authenticator app"
    return "Password"


def activate_totp(request):
    """allauth's "set up an authenticator app", noting in the session that a second factor was set up in it, so
    someone made to set one up (signin.middleware) carries on without signing in again."""
    response = allauth_activate_totp(request)
    if request.method == "POST" and request.user.is_authenticated and Authenticator.objects.filter(user=request.user, type=Authenticator.Type.TOTP).exists():
        request.session[ENROLLED] = True
    return response


@login_required
@require_GET
def account(request):
    """Who you are here, how you signed in, your second factors and your sessions."""
    return render(request, "signin/account.html", {
        "method": sign_in_method(request),
        "policy": policy_of(request.user),
        "authenticators": Authenticator.objects.filter(user=request.user).order_by("type"),
        "sessions": UserSession.objects.filter(user=request.user).order_by("-created_at")[:20],
        "linked": SocialAccount.objects.filter(user=request.user).exists(),
    })


@require_POST
def sso_start(request):
    """"Sign in with your council account": the council is found from the work address's domain, and the browser
    goes to that council's own provider. An address no council uses gets a plain message on the sign-in page."""
    form = CouncilSignInForm(request.POST)
    policy = form.policy() if form.is_valid() else None
    if policy is None:
        messages.error(request, form.errors.get("email", [rules.NO_COUNCIL])[0] if form.errors else rules.NO_COUNCIL)
        return redirect("login")
    provider = get_social_adapter(request).get_provider(request, policy.provider_id)
    return provider.redirect(request, process="login", next_url=form.next_url(request))


@login_required
@require_GET
def council_settings(request):
    """The council's sign-in settings, for its head of procurement to see (site staff change them)."""
    membership = get_membership_for_user(request, head=True)
    policy = SignInPolicy.objects.filter(council=membership.council).first()
    return render(request, "signin/council.html", {"policy": policy, "council": membership.council})


@login_required
@require_GET
def members(request):
    membership = get_membership_for_user(request, head=True)
    people = Membership.objects.filter(council=membership.council).select_related("user").order_by("role", "user__last_name", "user__username")
    linked = set(SocialAccount.objects.filter(user__membership__council=membership.council).values_list("user_id", flat=True))
    second = set(Authenticator.objects.filter(user__membership__council=membership.council, type=Authenticator.Type.TOTP).values_list("user_id", flat=True))
    rows = [{"membership": person, "sso": person.user_id in linked, "second_factor": person.user_id in second} for person in people]
    return render(request, "signin/members.html", {"rows": rows, "council": membership.council, "me": membership})


@login_required
@require_POST
def member_remove_view(request, pk):
    membership = get_membership_for_user(request, head=True)
    target = Membership.objects.filter(pk=pk, council=membership.council).select_related("user").first()
    if target is None:
        raise Http404
    try:
        member_remove(membership_id=target.pk, removed_by_id=request.user.pk)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, f"{target.user.get_full_name() or target.user.username} has been removed and signed out everywhere.")
    return redirect("signin:members")
