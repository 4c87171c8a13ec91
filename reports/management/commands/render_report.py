"""Render one annual report now, without the queue: for operators, batch runs and benchmarks."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessments.models import Assessment
from reports.pdf import EDITIONS, report_filename, report_pdf


class Command(BaseCommand):
    help = "Render an assessment's annual PDF report synchronously (and keep it, as the background job would)."

    def add_arguments(self, parser):
        parser.add_argument("assessment_id", type=int)
        parser.add_argument("--edition", choices=sorted(EDITIONS), default="full")
        parser.add_argument("--output", help="Where to write the PDF (default: its usual file name in the current directory)")

    def handle(self, *args, assessment_id, edition, output, **options):
        assessment = Assessment.objects.select_related("council", "framework").filter(pk=assessment_id).first()
        if assessment is None:
            raise CommandError(f"There is no assessment {assessment_id}.")
        pdf = report_pdf(assessment, edition)
        path = Path(output or report_filename(assessment, edition))
        path.write_bytes(pdf)
        self.stdout.write(f"Wrote {path} ({len(pdf) / 1024:,.0f} KB): {assessment}, {EDITIONS[edition].lower()}.")
