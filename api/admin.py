from django.contrib import admin

from .models import ApiKey


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Read-only: keys are made and revoked by each council's head; the admin never sees a key, only its hash."""

    list_display = ["name", "council", "prefix", "created_at", "expires_on", "revoked_at", "last_used_at"]
    list_filter = ["council"]
    readonly_fields = [f.name for f in ApiKey._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
