from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import ActionPlan, DeliveryConsideration, Kpi, KpiValue, LineTarget, PlanLine


class PlanLineInline(admin.TabularInline):
    model = PlanLine
    fields = ["section", "objective", "title", "current_level", "status"]
    extra = 0


@admin.register(ActionPlan)
class ActionPlanAdmin(SimpleHistoryAdmin):
    list_display = ["title", "council", "framework", "start_year", "end_year"]
    list_filter = ["framework", "council"]
    inlines = [PlanLineInline]


class LineTargetInline(admin.TabularInline):
    model = LineTarget
    extra = 0


@admin.register(PlanLine)
class PlanLineAdmin(SimpleHistoryAdmin):
    list_display = ["label", "plan", "section", "current_level", "status"]
    list_filter = ["status"]
    inlines = [LineTargetInline]


class KpiValueInline(admin.TabularInline):
    model = KpiValue
    extra = 0


@admin.register(Kpi)
class KpiAdmin(SimpleHistoryAdmin):
    list_display = ["name", "plan", "kind", "frequency", "unit"]
    inlines = [KpiValueInline]


admin.site.register(DeliveryConsideration, SimpleHistoryAdmin)
