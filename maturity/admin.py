from django.contrib import admin, messages
from django.http import HttpResponse

from .loading import framework_as_dict
from .models import Framework, LevelDescriptor, Objective, Section, Theme


@admin.action(description="Download as framework YAML")
def download_yaml(modeladmin, request, queryset):
    import yaml

    if queryset.count() != 1:
        modeladmin.message_user(request, "Choose exactly one framework.", messages.WARNING)
        return None
    framework = queryset.get()
    response = HttpResponse(
        yaml.safe_dump(framework_as_dict(framework), sort_keys=False, allow_unicode=True),
        content_type="application/yaml",
    )
    response["Content-Disposition"] = f'attachment; filename="{framework.code}.yaml"'
    return response


class ThemeInline(admin.TabularInline):
    model = Theme
    extra = 0


@admin.register(Framework)
class FrameworkAdmin(admin.ModelAdmin):
    list_display = ["short_name", "name", "year", "code"]
    inlines = [ThemeInline]
    actions = [download_yaml]
    change_list_template = "admin/maturity/framework/change_list.html"


class DescriptorInline(admin.TabularInline):
    model = LevelDescriptor
    extra = 0


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "framework", "theme"]
    list_filter = ["framework"]


@admin.register(Objective)
class ObjectiveAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "section", "framework", "scorable"]
    list_filter = ["framework", "scorable"]
    search_fields = ["name"]
    inlines = [DescriptorInline]
