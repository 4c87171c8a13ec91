from django.conf import settings
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
