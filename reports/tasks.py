"""Background jobs: the annual PDF, made by a db_worker process (django-tasks-db) instead of in the web request."""

import logging

try:
    from django.tasks import task
except ImportError:  # Django 5.2: the django-tasks backport
    from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def render_report_job(job_id):
    """Make one report's PDF, reporting each stage on its ReportJob so the waiting page can show progress."""
    from .services import report_job_run

    report_job_run(job_id=job_id)
