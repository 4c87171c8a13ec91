"""Who is asking: an API key, as `Authorization: Bearer <key>` or `X-API-Key: <key>` (Power BI's Web connector
sends custom headers). A key reads its own council's submitted data and nothing else; a session never reads the API."""

import logging
from datetime import timedelta

from django.conf import settings
from ninja.security import APIKeyHeader, HttpBearer

from outbox.services import throttle_hit

from . import keys
from .models import ApiKey
from .services import apikey_used

log = logging.getLogger("api")


class RateLimited(Exception):
    pass


def key_for(request, text):
    """The usable ApiKey `text` is, or None. Counted against its per-minute limit; each request is logged with the
    key's name and prefix (never the key)."""
    prefix = keys.prefix_of(text)
    if prefix is None:
        return None
    key = ApiKey.objects.select_related("council").filter(prefix=prefix).first()
    if key is None or not keys.matches(text, key.digest) or key.state() != "active":
        return None
    if throttle_hit(kind="api-key", key=key.prefix, limit=settings.API_REQUESTS_PER_MINUTE, window=timedelta(minutes=1)):
        log.warning("API key %s (%s) over its limit: %s %s", key.shown, key.council, request.method, request.get_full_path())
        raise RateLimited()
    apikey_used(key=key)
    log.info("API key %s (%s): %s %s", key.shown, key.council, request.method, request.get_full_path())
    return key


class BearerKey(HttpBearer):
    def authenticate(self, request, token):
        return key_for(request, token)


class HeaderKey(APIKeyHeader):
    param_name = "X-API-Key"

    def authenticate(self, request, key):
        return key_for(request, key)
