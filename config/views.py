import sys
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.views import LoginView
from django.db import InterfaceError, OperationalError
from django.db.models import Sum
from django.http import HttpResponse
from django.shortcuts import render
from django.template import loader
from django.utils import timezone
from django.views.decorators.http import require_GET

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


_login_view = LoginView.as_view(redirect_authenticated_user=True)


def login(request):
    """Django's sign-in, refused (429) for an address with many recent failures across usernames.

    django-axes locks a username from one address; this stops one address trying many usernames.
    """
    if request.method == "POST" and address_is_throttled(request):
        return render(request, "registration/locked_out.html", status=429)
    return _login_view(request)


def address_is_throttled(request):
    from axes.models import AccessAttempt

    since = timezone.now() - timedelta(hours=settings.AXES_COOLOFF_TIME)
    failures = AccessAttempt.objects.filter(ip_address=client_ip(request), attempt_time__gte=since).aggregate(total=Sum("failures_since_start"))["total"]
    return (failures or 0) >= settings.LOGIN_ADDRESS_LIMIT
