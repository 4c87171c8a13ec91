"""Plans in the admin: to read, never to change. Every change goes through actionplans.services, where the plan
rules and versioning are (an admin edit could publish without superseding, or store a 140% KPI)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from common.admin import ReadOnly

from .models import ActionPlan, DeliveryConsideration, Kpi, KpiValue, LineTarget, PlanGoal, PlanLine, PlanReview


class PlanLineInline(ReadOnly, admin.TabularInline):
    model = PlanLine
    fields = ["section", "objective", "title", "current_level", "status"]
    extra = 0


@admin.register(ActionPlan)
class ActionPlanAdmin(ReadOnly, SimpleHistoryAdmin):
    read_only_reason = "Plans change only on the plan pages, where every rule is checked and a published change is a new version."
    list_display = ["title", "council", "framework", "start_year", "end_year", "status", "version"]
    ordering = ["council__name", "-start_year", "framework__year"]  # by name here; the model's own ordering joins nothing
    list_filter = ["framework", "status"]
    inlines = [PlanLineInline]


class LineTargetInline(ReadOnly, admin.TabularInline):
    model = LineTarget
    extra = 0


@admin.register(PlanLine)
class PlanLineAdmin(ReadOnly, SimpleHistoryAdmin):
    list_display = ["label", "plan", "section", "current_level", "status"]
    list_filter = ["status"]
    inlines = [LineTargetInline]


class KpiValueInline(ReadOnly, admin.TabularInline):
    model = KpiValue
    extra = 0


@admin.register(Kpi)
class KpiAdmin(ReadOnly, SimpleHistoryAdmin):
    list_display = ["name", "plan", "kind", "frequency", "unit"]
    inlines = [KpiValueInline]


for model in (DeliveryConsideration, PlanGoal, PlanReview):
    admin.site.register(model, type(f"{model.__name__}Admin", (ReadOnly, SimpleHistoryAdmin), {}))
