"""Background jobs: the annual PDF, made by a db_worker process (django-tasks-db) instead of in the web request.

The worker's whole side lives here (`report_job_run` and its helpers); reports.services asks for jobs and queues
this task, and this module never imports the services.
"""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

try:
    from django.tasks import task
except ImportError:  # Django 5.2: the django-tasks backport
    from django_tasks import task

from .models import ReportJob
from .pdf import EDITIONS, cached_pdf, render_report, report_fingerprint

logger = logging.getLogger(__name__)


@task()
def render_report_job(job_id):
    """Make one report's PDF, reporting each stage on its ReportJob so the waiting page can show progress."""
    report_job_run(job_id=job_id)


def _tell_watchers(job_id, *, ready):
    """The 'your report is ready' (or 'could not be made') e-mail to everyone who asked; then forget them.
    A mail server that is down is logged: the report itself is made either way."""
    job = ReportJob.objects.select_related("assessment__council", "assessment__framework").get(pk=job_id)
    people = [user for user in job.notify.all() if user.email]
    if not people:
        return 0
    assessment = job.assessment
    base = (job.site_url or settings.SITE_URL).rstrip("/")
    links = {edition: f"{base}{reverse('reports:pdf', args=[assessment.pk])}?edition={edition}" for edition in EDITIONS}
    context = {"assessment": assessment, "edition": EDITIONS[job.edition], "ready": ready, "link": links[job.edition], "edition_links": [(EDITIONS[e], links[e]) for e in EDITIONS], "submitted": not assessment.is_draft}
    title = f"{assessment.council}: {assessment.framework} {assessment.year} {EDITIONS[job.edition].lower()}"
    subject = f"Your report is ready – {title}" if ready else f"Your report could not be made – {title}"
    sent = 0
    for user in people:
        try:
            sent += send_mail(subject, render_to_string("reports/report_ready_email.txt", {**context, "user": user}), None, [user.email])
        except OSError:
            logger.exception("Could not e-mail %s that report job %s is %s", user.email, job.pk, "ready" if ready else "failed")
    job.notify.clear()
    return sent


def _stage(job_id):
    def report(name, percent):
        ReportJob.objects.filter(pk=job_id).update(stage=name, progress=percent, updated_at=timezone.now())

    return report


def report_job_run(*, job_id):
    """The worker's side: make the PDF for this job's fingerprint, recording each stage, success or failure."""
    job = ReportJob.objects.select_related("assessment__council", "assessment__framework").filter(pk=job_id).first()
    if job is None:
        logger.info("Report job %s no longer exists (its assessment was deleted); nothing to make.", job_id)
        return
    if job.status == ReportJob.Status.DONE and cached_pdf(job.assessment_id, job.edition, job.fingerprint) is not None:
        return
    ReportJob.objects.filter(pk=job.pk).update(status=ReportJob.Status.RUNNING, attempts=job.attempts + 1, error="", updated_at=timezone.now())
    assessment = job.assessment
    try:
        current = report_fingerprint(assessment)
        render_report(assessment, job.edition, fingerprint=current, stage=_stage(job.pk))
    except Exception as error:
        logger.exception("Report job %s (%s, %s) failed", job.pk, assessment, job.edition)
        ReportJob.objects.filter(pk=job.pk).update(
            status=ReportJob.Status.FAILED, stage="Failed", error=f"The report could not be made ({type(error).__name__}). It has been logged; try again.", updated_at=timezone.now()
        )
        _tell_watchers(job.pk, ready=False)
        raise
    if current != job.fingerprint:
        # The assessment changed while the job waited: the PDF made is of the newer state; record it under both.
        ReportJob.objects.filter(assessment_id=job.assessment_id, edition=job.edition, fingerprint=current).update(status=ReportJob.Status.DONE, stage="Ready", progress=100)
    ReportJob.objects.filter(pk=job.pk).update(status=ReportJob.Status.DONE, stage="Ready", progress=100, updated_at=timezone.now())
    _tell_watchers(job.pk, ready=True)
