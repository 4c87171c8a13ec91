import django_tables2 as tables
from django.utils.html import format_html

from .models import Assessment


class AssessmentTable(tables.Table):
    year = tables.Column(linkify=("assessments:detail", [tables.A("pk")]))
    framework = tables.Column()
    status = tables.Column()
    progress = tables.Column(empty_values=(), orderable=False, verbose_name="Progress")
    submitted_at = tables.DateTimeColumn(format="j M Y", verbose_name="Submitted")
    submitted_by = tables.Column(verbose_name="Signed off by")

    class Meta:
        model = Assessment
        fields = ["year", "framework", "status", "progress", "submitted_at", "submitted_by"]
        order_by = ["-year"]
        attrs = {"class": "table table-sm align-middle"}
        empty_text = "No assessments to show. Officers and the head of procurement start one with “Start an assessment”; councillors see each year once it is signed off."

    def render_status(self, record):
        css = "text-bg-success" if not record.is_draft else "text-bg-warning"
        return format_html('<span class="badge {}">{}</span>', css, record.get_status_display())

    def render_submitted_by(self, value):
        return value.get_full_name() or value.username

    def render_progress(self, record):
        if record.is_draft:
            return f"{record.reviewed_count} of {record.objective_count} reviewed this year"
        return f"{record.scored_count} of {record.objective_count} scored"
