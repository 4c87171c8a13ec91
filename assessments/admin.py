"""Staff see assessments here, but the year's state changes only through its services (sign-off, reopen with a reason)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Assessment, AssessmentEvent


class EventInline(admin.TabularInline):
    model = AssessmentEvent
    extra = 0
    readonly_fields = ["kind", "at", "by", "reason"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Assessment)
class AssessmentAdmin(SimpleHistoryAdmin):
    """Read-only: the status, sign-off and scores change only through assessments.services, which keep the events."""

    list_display = ["council", "framework", "year", "status", "submitted_at"]
    list_filter = ["framework", "status", "year"]
    search_fields = ["council__name"]
    readonly_fields = ["council", "framework", "year", "status", "created_at", "created_by", "submitted_at", "submitted_by", "carried_forward_from"]
    inlines = [EventInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # viewing stays (has_view_permission); nothing in the admin can change the year's state

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        from django.core.exceptions import PermissionDenied

        if request.method == "POST":
            raise PermissionDenied("Assessments are not reverted from the admin; reopen them with a reason.")
        return super().history_form_view(request, object_id, version_id, extra_context)
