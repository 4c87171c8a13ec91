from django.contrib import admin

from .models import Council, Directorate, Membership


class DirectorateInline(admin.TabularInline):
    model = Directorate
    extra = 1


@admin.register(Council)
class CouncilAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "region"]
    list_filter = ["kind", "region"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [DirectorateInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "council", "role"]
    list_filter = ["role", "council"]
    autocomplete_fields = ["council", "user"]
