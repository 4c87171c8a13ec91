from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Assessment, AssessmentEvent


class EventInline(admin.TabularInline):
    model = AssessmentEvent
    extra = 0
    readonly_fields = ["kind", "at", "by", "reason"]
    can_delete = False


@admin.register(Assessment)
class AssessmentAdmin(SimpleHistoryAdmin):
    list_display = ["council", "framework", "year", "status", "submitted_at"]
    list_filter = ["framework", "status", "year"]
    search_fields = ["council__name"]
    readonly_fields = ["created_at", "submitted_at", "submitted_by", "created_by", "carried_forward_from"]
    inlines = [EventInline]
