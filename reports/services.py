"""Report jobs: ask for a PDF without waiting for it, run the job in a worker, retry it.

A request for a report answers at once: the kept PDF if it was made from the current state (its fingerprint), or
else the job that is making it. There is one job per report (assessment and edition), however many people ask and
however often the assessment changes: a job waiting for a worker just takes the newer state, and a job being made
when the state changes is made once more afterwards. Jobs are fair across councils (reports.tasks.job_enqueue):
one council's many reports wait behind another council's first. A job whose worker died (no word for
REPORT_JOB_STALE_SECONDS) or that failed is queued again.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import ReportJob
from .pdf import EDITIONS, cached_pdf, report_fingerprint
from .tasks import job_enqueue

logger = logging.getLogger(__name__)


def _is_stale(job):
    return job.status == ReportJob.Status.RUNNING and job.updated_at < timezone.now() - timedelta(seconds=settings.REPORT_JOB_STALE_SECONDS)


def report_request(*, assessment_id, edition):
    """(pdf, None) when the report is ready, else (None, job) with the job making it (queued here if need be)."""
    fingerprint = report_fingerprint(assessment_id)
    pdf = cached_pdf(assessment_id, edition, fingerprint)
    if pdf is not None:
        return pdf, None
    job = ReportJob.objects.filter(assessment_id=assessment_id, edition=edition).first()
    if job is not None and job.status in (ReportJob.Status.QUEUED, ReportJob.Status.RUNNING) and not _is_stale(job):
        if job.fingerprint != fingerprint:
            # Waiting: the worker makes the newest state anyway. Being made: it is made once more when this one ends.
            ReportJob.objects.filter(pk=job.pk, status=job.status).update(fingerprint=fingerprint)
            job.fingerprint = fingerprint
        return None, job
    if job is not None and job.status == ReportJob.Status.FAILED and job.fingerprint == fingerprint:
        return None, job  # says it failed and offers "Try again"
    if job is not None and _is_stale(job):
        logger.warning("Report job %s was silent for %s s; its worker is taken to have died. Queued again.", job.pk, settings.REPORT_JOB_STALE_SECONDS)
    return None, _job_queue(assessment_id, edition, fingerprint, first=job is None)


def _job_queue(assessment_id, edition, fingerprint, first=False):
    """The report's one job, queued for `fingerprint` (made, or taken back from done, failed or a dead worker).

    `first`: the report has no job yet (just looked up), so it is made without locking a row that is not there; the
    same first click twice at once makes one job (the unique constraint), and the other click takes it."""
    try:
        with transaction.atomic():
            job = None if first else ReportJob.objects.select_for_update().filter(assessment_id=assessment_id, edition=edition).first()
            if job is None:
                job = ReportJob.objects.create(assessment_id=assessment_id, edition=edition, fingerprint=fingerprint)
                job.nobody_watching = True  # made just now: nobody has asked to hear of it yet
            elif (job.status == ReportJob.Status.QUEUED and job.task_id) or (job.status == ReportJob.Status.RUNNING and not _is_stale(job)):
                return job  # someone else queued it meanwhile
            else:
                job.fingerprint, job.status, job.stage, job.progress, job.error = fingerprint, ReportJob.Status.QUEUED, ReportJob.Status.QUEUED.label, 0, ""
                job.save(update_fields=["fingerprint", "status", "stage", "progress", "error", "updated_at"])
            job_enqueue(job)
            return job
    except IntegrityError:  # the same first click twice at once: one job
        return ReportJob.objects.get(assessment_id=assessment_id, edition=edition)


def report_job_retry(*, job_id):
    """Queue a failed (or stalled) job again, at a person's request."""
    job = ReportJob.objects.get(pk=job_id)
    if job.status == ReportJob.Status.FAILED or _is_stale(job):
        return _job_queue(job.assessment_id, job.edition, report_fingerprint(job.assessment_id))
    return job


def reports_queue_for_submission(*, assessment_id, user_id=None):
    """Both editions of a signed-off year, queued at once so that nobody waits for them; the person who signed it
    off hears when the full report is ready."""
    for edition in EDITIONS:
        _, job = report_request(assessment_id=assessment_id, edition=edition)
        if job is not None and user_id is not None and edition == "full":
            report_job_watch(job_id=job.pk, user_id=user_id)


def report_job_watch(*, job_id, user_id):
    """E-mail this person when the job is done (or has failed). Returns False if they have no e-mail address.
    The link in that e-mail is built from SITE_URL, never from the address a request came in by."""
    User = get_user_model()
    user = User.objects.get(pk=user_id)
    if not user.email:
        return False
    ReportJob.objects.get(pk=job_id).notify.add(user)
    return True
