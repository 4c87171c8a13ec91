"""The client's address, for login throttling: REMOTE_ADDR, or behind trusted proxies the address they saw.

Behind `TRUSTED_PROXY_COUNT` proxies (BEHIND_PROXY=1; default one), each appends the address it received the
request from to X-Forwarded-For, so the client is the entry that many places from the right. Entries further
left were written by the client itself and are never trusted.
"""

import ipaddress

from django.conf import settings


def client_ip(request):
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if not count:
        return remote
    entries = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if entry.strip()]
    if len(entries) < count:
        return remote
    candidate = entries[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
