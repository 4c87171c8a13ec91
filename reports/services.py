"""Report jobs: ask for a PDF without waiting for it, run the job in a worker, retry it.

A request for a report answers at once: the kept PDF if it was made from the current state (its fingerprint), or
else the job that is making it. One job per report and fingerprint, however many people ask. A job whose worker
died (no word for REPORT_JOB_STALE_SECONDS) or that failed is queued again.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from assessments.models import Assessment

from .models import ReportJob
from .pdf import EDITIONS, cached_pdf, report_fingerprint
from .tasks import render_report_job

logger = logging.getLogger(__name__)


def _enqueue(job):
    """Queue the job's task. The queue is a table in this same database, so the task commits (or rolls back) with the job."""
    result = render_report_job.enqueue(job.pk)
    ReportJob.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])


def report_request(*, assessment_id, edition):
    """(pdf, None) when the report is ready, else (None, job) with the job making it (queued here if need be)."""
    assessment = Assessment.objects.select_related("council", "framework").get(pk=assessment_id)
    fingerprint = report_fingerprint(assessment)
    pdf = cached_pdf(assessment_id, edition, fingerprint)
    if pdf is not None:
        return pdf, None
    try:
        with transaction.atomic():
            job, created = ReportJob.objects.get_or_create(assessment_id=assessment_id, edition=edition, fingerprint=fingerprint)
    except IntegrityError:  # the same click twice at once: one job
        job, created = ReportJob.objects.get(assessment_id=assessment_id, edition=edition, fingerprint=fingerprint), False
    if created:
        _enqueue(job)
    elif job.status == ReportJob.Status.DONE:  # made, but its PDF has since been replaced by another version's
        _requeue(job)
    elif job.status == ReportJob.Status.RUNNING and job.updated_at < timezone.now() - timedelta(seconds=settings.REPORT_JOB_STALE_SECONDS):
        logger.warning("Report job %s was silent for %s s; its worker is taken to have died. Queued again.", job.pk, settings.REPORT_JOB_STALE_SECONDS)
        _requeue(job)
    return None, job


def _requeue(job):
    with transaction.atomic():
        updated = ReportJob.objects.filter(pk=job.pk, updated_at=job.updated_at).update(
            status=ReportJob.Status.QUEUED, stage="Waiting for a worker", progress=0, error="", updated_at=timezone.now()
        )
        if updated:
            _enqueue(job)
    job.refresh_from_db()


def report_job_retry(*, job_id):
    """Queue a failed (or stalled) job again, at a person's request."""
    job = ReportJob.objects.get(pk=job_id)
    if job.status in (ReportJob.Status.FAILED, ReportJob.Status.RUNNING, ReportJob.Status.DONE):
        _requeue(job)
    return job


def reports_queue_for_submission(*, assessment_id, user_id=None):
    """Both editions of a signed-off year, queued at once so that nobody waits for them; the person who signed it
    off hears when the full report is ready."""
    for edition in EDITIONS:
        _, job = report_request(assessment_id=assessment_id, edition=edition)
        if job is not None and user_id is not None and edition == "full":
            report_job_watch(job_id=job.pk, user_id=user_id)


def report_job_watch(*, job_id, user_id, site_url=""):
    """E-mail this person when the job is done (or has failed). Returns False if they have no e-mail address."""
    User = get_user_model()
    user = User.objects.get(pk=user_id)
    if not user.email:
        return False
    job = ReportJob.objects.get(pk=job_id)
    job.notify.add(user)
    if site_url and not job.site_url:
        ReportJob.objects.filter(pk=job_id, site_url="").update(site_url=site_url[:200])
    return True
