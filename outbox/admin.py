from django.contrib import admin

from common.admin import ReadOnly

from .models import Mail


@admin.register(Mail)
class MailAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["subject", "to", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status"]
    search_fields = ["to", "subject", "key"]
    exclude = ["body"]  # it may hold a sign-in link meant for one person only
