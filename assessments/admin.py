"""Staff see assessments here, but the year's state changes only through its services (sign-off, reopen with a reason)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from common.admin import ReadOnly

from .models import Assessment, AssessmentEvent


class EventInline(admin.TabularInline):
    model = AssessmentEvent
    extra = 0
    readonly_fields = ["kind", "at", "by", "reason"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Assessment)
class AssessmentAdmin(ReadOnly, SimpleHistoryAdmin):
    """Read-only: the status, sign-off and scores change only through assessments.services, which keep the events."""

    read_only_reason = "Assessments are not reverted from the admin; reopen them with a reason."

    list_display = ["council", "framework", "year", "status", "submitted_at"]
    ordering = ["council__name", "framework__year", "-year"]  # by name here; the model's own ordering joins nothing
    list_filter = ["framework", "status", "year"]
    search_fields = ["council__name"]
    readonly_fields = ["council", "framework", "year", "status", "created_at", "created_by", "submitted_at", "submitted_by", "carried_forward_from"]
    inlines = [EventInline]
