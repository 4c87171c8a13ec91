import re

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control


class ContentSecurityPolicyMiddleware:
    """Our security headers on every response: Content-Security-Policy, Permissions-Policy; and what a signed-in
    person sees (pages, exports) is never kept by a browser or proxy cache: Cache-Control: private, no-store."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith(settings.STATIC_URL_PATH):
            patch_cache_control(response, private=True, no_store=True)
        if "Server" in response.headers:
            del response.headers["Server"]
        return response


class FriendlyErrorPagesMiddleware:
    """With DEBUG on (make run), a mistyped URL or a failing page shows the app's own 404 and 500 pages, not Django's
    yellow technical ones; the traceback still goes to the console. DEBUG_PAGES=1 keeps Django's pages for debugging."""

    MARKER = b"data-app-page"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not settings.DEBUG or settings.DEBUG_PAGES or response.status_code not in (404, 500):
            return response
        if not response.get("Content-Type", "").startswith("text/html") or self.MARKER in response.content:
            return response
        page = render(request, f"{response.status_code}.html", status=response.status_code)
        return page


class QueryTextMiddleware:
    """Query strings hold search words, filters and page numbers, never control characters: a NUL or another control
    character in any key or value of the query (or in the path) is answered 400 with a plain page, before any view or
    database sees it. Checked in one place for every list, filter, find and export."""

    CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
    MAX_QUERY = 4096  # characters: a filter's query is a few dozen

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.META.get("QUERY_STRING", "")
        if len(query) > self.MAX_QUERY or self.CONTROL.search(request.path):
            return self.refuse(request)
        for key, values in request.GET.lists():
            if self.CONTROL.search(key) or any(self.CONTROL.search(value) for value in values):
                return self.refuse(request)
        return self.get_response(request)

    MESSAGE = "The address holds characters a search or filter cannot contain (such as a control character), or is far too long."

    @classmethod
    def refuse(cls, request):
        if request.path.startswith("/api/"):  # the read API answers in JSON, as all its errors are
            return JsonResponse({"detail": cls.MESSAGE}, status=400)
        return render(request, "400.html", {"message": cls.MESSAGE + " Go back and try again."}, status=400)


class SignedOutHtmxMiddleware:
    """A background request (htmx: an autosave, a report's progress) from someone whose session has ended is
    answered 401 with `X-Signed-Out`, not sent to the sign-in page: the page then says "you have been signed out"
    and keeps what was typed, instead of failing like a network error or swapping in the sign-in form."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.headers.get("HX-Request") and response.status_code == 302 and not request.user.is_authenticated:
            if response.get("Location", "").startswith(settings.LOGIN_URL_PATH):
                signed_out = HttpResponse("You have been signed out. Sign in again to save this.", status=401, content_type="text/plain")
                signed_out["X-Signed-Out"] = "1"
                signed_out["HX-Reswap"] = "none"
                return signed_out
        return response
