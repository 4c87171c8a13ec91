import sys
from datetime import timedelta

from allauth.account.views import LoginView
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.db.models import Sum
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_GET

from councils.access import admin_sign_in_allowed

from .proxy import client_ip


@require_GET
def health(request):
    """For load balancers and uptime checks, and the benchmarks' floor: no database, no template."""
    return HttpResponse("ok", content_type="text/plain")


def server_error(request):
    """500, except while the database is unreachable: 503, so clients know to retry and nothing was saved."""
    error = sys.exc_info()[1]
    if isinstance(error, (OperationalError, InterfaceError)):
        response = HttpResponse("The database is unavailable for a moment; nothing was saved. Try again shortly.", status=503, content_type="text/plain")
        response["Retry-After"] = "5"
        return response
    return HttpResponse(loader.render_to_string("500.html"), status=500)


def login(request):
    """allauth's sign-in (password, then a second factor where one is set up), refused (429) for an address with many recent failures across usernames.

    django-axes locks a username from one address; this stops one address trying many usernames.
    """
    if request.method == "POST" and address_is_throttled(request):
        return render(request, "registration/locked_out.html", status=429)
    origins = sso_origins()  # one query: whether to offer the council-account form, and where it may send the browser
    response = LoginView.as_view(template_name="account/login.html", extra_context={"sso_councils": bool(origins)})(request)
    if origins:  # the council-account form's redirect goes to the council's provider: form-action must allow it
        response["Content-Security-Policy"] = settings.CONTENT_SECURITY_POLICY.replace("form-action 'self'", "form-action 'self' " + " ".join(origins))
    return response


def sso_origins():
    from signin.models import SignInPolicy

    return sorted({policy.provider_origin for policy in SignInPolicy.objects.with_sso()})


def address_is_throttled(request):
    from axes.models import AccessAttempt

    since = timezone.now() - timedelta(hours=settings.AXES_COOLOFF_TIME)
    failures = AccessAttempt.objects.filter(ip_address=client_ip(request), attempt_time__gte=since).aggregate(total=Sum("failures_since_start"))["total"]
    return (failures or 0) >= settings.LOGIN_ADDRESS_LIMIT


def admin_login(request):
    """The admin's own sign-in page would skip the second factor: everyone signs in on the one sign-in page."""
    admin_sign_in_allowed(request.user)
    if request.user.is_staff:
        return redirect("admin:index")
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        next_url = reverse("admin:index")
    return redirect(f"{reverse('login')}?{urlencode({'next': next_url})}")


@require_GET
def favicon(request):
    """The icon, for pages that name none (the browser's PDF viewer, opening a report): resolved at request time, as
    the static files' manifest may not exist when the URLs are loaded (a management command)."""
    return redirect(static("favicon.svg"), permanent=True)
