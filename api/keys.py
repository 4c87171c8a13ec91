"""The key format and its check, pure: `nps_<8-character prefix>_<43-character secret>`. The prefix finds the
key's row; the whole key, HMAC-ed with the site's secret key, must match the stored digest (compared in constant
time). A key is 256 random bits, so a fast keyed hash is enough: nobody can guess one to test against."""

import re
import secrets
import string

from django.utils.crypto import constant_time_compare, salted_hmac

KEY = re.compile(r"nps_([a-z0-9]{8})_([A-Za-z0-9_-]{43})")
PREFIX_ALPHABET = string.ascii_lowercase + string.digits


def new_key():
    """(the whole key, its prefix). The whole key is shown once and never stored."""
    prefix = "".join(secrets.choice(PREFIX_ALPHABET) for _ in range(8))
    return f"nps_{prefix}_{secrets.token_urlsafe(32)}", prefix


def digest_of(key):
    return salted_hmac("api.keys", key, algorithm="sha256").hexdigest()


def prefix_of(text):
    """The prefix of a well-formed key, else None (malformed keys are refused before any query)."""
    match = KEY.fullmatch(text or "")
    return match[1] if match else None


def matches(key, digest):
    return constant_time_compare(digest_of(key), digest)
