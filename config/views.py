import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.views.decorators.http import require_GET


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
