from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Dashboards and reports"

    def ready(self):
        from assessments.signals import assessment_submitted

        from . import pdf_writer

        pdf_writer.install()

        from .services import reports_queue_for_submission

        def queue_reports(sender, assessment_id, user_id=None, **kwargs):
            # Both editions of the signed-off year, made before anyone asks; the head hears when they are ready.
            reports_queue_for_submission(assessment_id=assessment_id, user_id=user_id)

        assessment_submitted.connect(queue_reports, weak=False, dispatch_uid="reports-queue-on-submit")
