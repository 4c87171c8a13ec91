import django_tables2 as tables

from .models import ActionPlan


class ActionPlanTable(tables.Table):
    title = tables.Column(linkify=("actionplans:detail", [tables.A("pk")]))
    framework = tables.Column()
    period = tables.Column(accessor="period_label", order_by=("start_year", "end_year"), verbose_name="Period")
    owner = tables.Column(verbose_name="Owner")
    line_count = tables.Column(verbose_name="Lines")
    status = tables.Column(verbose_name="Status")

    class Meta:
        model = ActionPlan
        fields = ["title", "framework", "period", "owner", "line_count", "status"]
        order_by = ["-period"]
        attrs = {"class": "table table-sm align-middle"}
        empty_text = "No action plans yet. The head of procurement starts one with “Start an action plan”."

    def render_owner(self, value):
        return value.get_full_name() or value.username

    def render_status(self, record):
        """'Draft', or 'Published (version 2)' / 'Superseded (version 3)'."""
        return record.get_status_display() if record.is_draft else f"{record.get_status_display()} (version {record.version})"
