"""Background jobs: the annual PDF, made by a db_worker process (django-tasks-db) instead of in the web request.

The worker's whole side lives here (`report_job_run` and its helpers); reports.services asks for jobs and queues
this task, and this module never imports the services.
"""

import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Subquery
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

try:
    from django.tasks import task
except ImportError:  # Django 5.2: the django-tasks backport
    from django_tasks import task

from assessments.models import Assessment
from outbox.services import mail_queue

from .models import ReportJob
from .pdf import EDITIONS, cached_pdf, render_report, report_fingerprint

logger = logging.getLogger(__name__)


@task()
def render_report_job(job_id):
    """Make one report's PDF, reporting each stage on its ReportJob so the waiting page can show progress."""
    report_job_run(job_id=job_id)


def job_enqueue(job):
    """Give the job to the worker queue, fairly: a council's jobs already waiting push its next one back (lower
    priority), so another council's first report goes ahead of them; beyond REPORT_JOBS_WAITING_PER_COUNCIL waiting
    it is held (no task) until one of that council's jobs ends. The queue is a table in this same database, so the
    task commits (or rolls back) with the job. Called inside the caller's transaction, with the job's row locked."""
    council = Subquery(Assessment.objects.filter(pk=job.assessment_id).values("council_id")[:1])
    waiting = ReportJob.objects.filter(assessment__council_id=council, status=ReportJob.Status.QUEUED).exclude(task_id="").exclude(pk=job.pk).count()
    if waiting >= settings.REPORT_JOBS_WAITING_PER_COUNCIL:
        ReportJob.objects.filter(pk=job.pk).update(task_id="", stage=HELD_STAGE)
        job.task_id, job.stage = "", HELD_STAGE
        return
    result = render_report_job.using(priority=-min(waiting, 100)).enqueue(job.pk)
    job.task_id = str(result.id)[:64]
    ReportJob.objects.filter(pk=job.pk).update(task_id=job.task_id)


HELD_STAGE = "Waiting to start: the council's other reports are being made first"


def _release_held(council_id):
    """One of the council's held jobs (the oldest) to the queue, now that one of its jobs has ended."""
    with transaction.atomic():
        held = ReportJob.objects.select_for_update().filter(assessment__council_id=council_id, status=ReportJob.Status.QUEUED, task_id="").order_by("created_at").first()
        if held is not None:
            ReportJob.objects.filter(pk=held.pk).update(stage=ReportJob.Status.QUEUED.label)
            job_enqueue(held)


def _tell_watchers(job_id, *, ready):
    """The 'your report is ready' (or 'could not be made') e-mail to everyone who asked; then forget them.
    A mail server that is down is logged: the report itself is made either way."""
    job = ReportJob.objects.select_related("assessment__council", "assessment__framework").get(pk=job_id)
    people = [user for user in job.notify.all() if user.email]
    if not people:
        return 0
    assessment = job.assessment
    base = settings.SITE_URL.rstrip("/")  # never a request's Host: one watcher's address is not another's
    links = {edition: f"{base}{reverse('reports:pdf', args=[assessment.pk])}?edition={edition}" for edition in EDITIONS}
    context = {"assessment": assessment, "edition": EDITIONS[job.edition], "ready": ready, "link": links[job.edition], "edition_links": [(EDITIONS[e], links[e]) for e in EDITIONS], "submitted": not assessment.is_draft}
    title = f"{assessment.council}: {assessment.framework} {assessment.year} {EDITIONS[job.edition].lower()}"
    subject = f"Your report is ready – {title}" if ready else f"Your report could not be made – {title}"
    for user in people:  # each recorded once (the key), sent after this commits, retried by the worker if need be
        key = f"report-{'ready' if ready else 'failed'}:{job.pk}:{job.fingerprint}:{user.pk}"
        mail_queue(to=user.email, subject=subject, body=render_to_string("reports/report_ready_email.txt", {**context, "user": user}), key=key)
    job.notify.clear()
    return len(people)


def _stage(job_id):
    def report(name, percent):
        ReportJob.objects.filter(pk=job_id).update(stage=name, progress=percent, updated_at=timezone.now())

    return report


def report_job_run(*, job_id):
    """The worker's side: make the PDF of the report's newest state, recording each stage, success or failure; if
    someone asked for a newer state while it was made, queue the job once more."""
    job = ReportJob.objects.select_related("assessment__council", "assessment__framework").filter(pk=job_id).first()
    if job is None:
        logger.info("Report job %s no longer exists (its assessment was deleted); nothing to make.", job_id)
        return
    if job.status == ReportJob.Status.DONE and cached_pdf(job.assessment_id, job.edition, job.fingerprint) is not None:
        return
    asked = job.fingerprint
    started = timezone.now()
    estimate = job.took_seconds or ReportJob.typical_seconds(job.edition)
    ReportJob.objects.filter(pk=job.pk).update(status=ReportJob.Status.RUNNING, attempts=job.attempts + 1, error="", started_at=started, took_seconds=estimate, updated_at=started)
    assessment = job.assessment
    try:
        made = report_fingerprint(assessment.pk)
        render_report(assessment, job.edition, fingerprint=made, stage=_stage(job.pk))
    except Exception as error:
        logger.exception("Report job %s (%s, %s) failed", job.pk, assessment, job.edition)
        ReportJob.objects.filter(pk=job.pk).update(
            status=ReportJob.Status.FAILED, stage="Failed", error=f"The report could not be made ({type(error).__name__}). It has been logged; try again.", updated_at=timezone.now()
        )
        _tell_watchers(job.pk, ready=False)
        _release_held(assessment.council_id)
        raise
    finished = timezone.now()
    took = (finished - started).total_seconds()
    done = ReportJob.objects.filter(pk=job.pk, fingerprint__in={asked, made}).update(status=ReportJob.Status.DONE, fingerprint=made, stage="Ready", progress=100, took_seconds=took, updated_at=finished)
    if not done:  # a newer state was asked for while this one was made: make that one too (still one job)
        with transaction.atomic():
            again = ReportJob.objects.select_for_update().get(pk=job.pk)
            ReportJob.objects.filter(pk=job.pk).update(status=ReportJob.Status.QUEUED, stage=ReportJob.Status.QUEUED.label, progress=0, took_seconds=took, updated_at=timezone.now())
            job_enqueue(again)
        return
    _tell_watchers(job.pk, ready=True)
    _release_held(assessment.council_id)
