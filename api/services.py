from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from councils.models import Membership
from maturity import rules

from . import keys
from .models import ApiKey

MAX_KEYS_PER_COUNCIL = 20
MAX_DAYS = 3 * 366


@transaction.atomic
def apikey_create(*, council_id, created_by_id, name, expires_on=None):
    """A new key for the council: (ApiKey, the whole key). The key is shown once; only its keyed hash is kept."""
    name = (name or "").strip()
    problem = rules.name_problem("The name", name, limit=100) if name else "Give the key a name, e.g. “Power BI procurement dashboard”."
    if problem:
        raise ValidationError(problem)
    head = Membership.objects.filter(user_id=created_by_id, council_id=council_id, role=Membership.Role.HEAD).exists()
    if not head:
        raise ValidationError("Only the council's head of procurement can create its API keys.")
    today = timezone.localdate()
    if expires_on is not None and not (today <= expires_on <= today + timedelta(days=MAX_DAYS)):
        raise ValidationError("The expiry date must be from today to three years ahead.")
    if ApiKey.objects.usable(today).filter(council_id=council_id).count() >= MAX_KEYS_PER_COUNCIL:
        raise ValidationError(f"The council already has {MAX_KEYS_PER_COUNCIL} working keys: revoke one first.")
    whole, prefix = keys.new_key()
    key = ApiKey.objects.create(council_id=council_id, name=name, prefix=prefix, digest=keys.digest_of(whole), created_by_id=created_by_id, expires_on=expires_on)
    return key, whole


@transaction.atomic
def apikey_revoke(*, key_id, revoked_by_id):
    """Revoke at once: the next request with it is refused."""
    key = ApiKey.objects.select_for_update().get(pk=key_id)
    if not Membership.objects.filter(user_id=revoked_by_id, council_id=key.council_id, role=Membership.Role.HEAD).exists():
        raise ValidationError("Only the council's head of procurement can revoke its API keys.")
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.revoked_by_id = revoked_by_id
        key.save(update_fields=["revoked_at", "revoked_by"])
    return key


def apikey_used(*, key):
    """Note when a key was last used (at most once a minute per key, so a busy key is not a write per request)."""
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > timedelta(minutes=1):
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
