"""A council's API keys: read-only, one council's data, stored only as a keyed hash of the key."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from councils.models import Council
from councils.validators import validate_name


class ApiKeyQuerySet(models.QuerySet):
    def usable(self, today=None):
        today = today or timezone.localdate()
        return self.filter(revoked_at__isnull=True).filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))


class ApiKey(models.Model):
    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100, validators=[validate_name], help_text="What it is for, e.g. “Power BI procurement dashboard”")
    prefix = models.CharField(max_length=16, unique=True, help_text="The key's first part, shown to tell keys apart; not secret")
    digest = models.CharField(max_length=64, help_text="HMAC-SHA256 of the whole key: the key itself is never stored")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_on = models.DateField(null=True, blank=True, help_text="Last day it works; empty: until revoked")
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        ordering = ["council_id", "-created_at"]
        verbose_name = "API key"

    def __str__(self):
        return f"{self.name} ({self.council})"

    def state(self, today=None):
        """'revoked', 'expired' or 'active'."""
        today = today or timezone.localdate()
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_on is not None and self.expires_on < today:
            return "expired"
        return "active"

    @property
    def state_label(self):
        return {"revoked": "Revoked", "expired": "Expired", "active": "Active"}[self.state()]

    @property
    def shown(self):
        """How the key is named on pages and in the log: its name and public prefix, never the secret."""
        return f"{self.name} (nps_{self.prefix}_…)"
