"""Reports without the wait: the PDF is made by a background worker (Django Tasks, django-tasks-db), never in the request."""

import os
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from assessments.services import assessment_submit
from reports.models import CachedReport, ReportJob
from reports.services import report_request

from .conftest import ROOT, run_worker

pytestmark = pytest.mark.slow


def pdf_url(assessment, edition="councillor"):
    return reverse("reports:pdf", args=[assessment.pk]) + f"?edition={edition}"


def test_a_job_goes_from_queued_to_running_to_done(client, officer, last_year):
    client.force_login(officer)
    page = client.get(pdf_url(last_year))
    assert page.status_code == 200 and "is being prepared" in page.content.decode()
    job = ReportJob.objects.get()
    assert job.status == ReportJob.Status.QUEUED and job.task_id
    run_worker()
    job.refresh_from_db()
    assert job.status == ReportJob.Status.DONE and job.progress == 100 and job.attempts == 1
    response = client.get(pdf_url(last_year))
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")


def test_two_clicks_on_the_same_report_make_one_job(client, officer, last_year):
    from django_tasks_db.models import DBTaskResult

    client.force_login(officer)
    client.get(pdf_url(last_year))
    client.get(pdf_url(last_year))
    client.get(reverse("reports:pdf_status", args=[last_year.pk]) + "?edition=councillor")
    assert ReportJob.objects.count() == 1 and DBTaskResult.objects.count() == 1


def test_the_progress_partial_shows_the_stage_and_turns_into_the_download(client, officer, last_year):
    client.force_login(officer)
    client.get(pdf_url(last_year))
    status_url = reverse("reports:pdf_status", args=[last_year.pk]) + "?edition=councillor"
    waiting = client.get(status_url).content.decode()
    assert "<progress" in waiting and "Waiting to start" in waiting and 'hx-trigger="every 1s"' in waiting
    run_worker()
    ready = client.get(status_url).content.decode()
    assert "data-auto-download" in ready and "hx-trigger" not in ready


def test_a_failed_job_says_so_offers_a_retry_and_the_retry_succeeds(client, officer, last_year, monkeypatch, caplog):
    import reports.pdf

    real = reports.pdf.render_pdf
    monkeypatch.setattr(reports.pdf, "render_pdf", lambda html: (_ for _ in ()).throw(RuntimeError("font cache broken")))
    client.force_login(officer)
    client.get(pdf_url(last_year))
    run_worker()
    job = ReportJob.objects.get()
    assert job.status == ReportJob.Status.FAILED and "could not be made" in job.error
    assert "Report job" in caplog.text  # logged for the operator
    page = client.get(pdf_url(last_year)).content.decode()
    assert "could not be made" in page and "Try again" in page
    monkeypatch.setattr(reports.pdf, "render_pdf", real)
    assert client.post(reverse("reports:pdf_retry", args=[last_year.pk]) + "?edition=councillor").status_code == 302
    run_worker()
    job.refresh_from_db()
    assert job.status == ReportJob.Status.DONE and job.attempts == 2


def test_a_job_whose_worker_died_is_queued_again(officer, last_year, settings):
    _, job = report_request(assessment_id=last_year.pk, edition="councillor")
    ReportJob.objects.filter(pk=job.pk).update(status=ReportJob.Status.RUNNING, stage="Laying out pages")
    ReportJob.objects.filter(pk=job.pk).update(updated_at=timezone.now() - timedelta(seconds=settings.REPORT_JOB_STALE_SECONDS + 5))
    _, again = report_request(assessment_id=last_year.pk, edition="councillor")
    assert again.pk == job.pk and again.status == ReportJob.Status.QUEUED
    run_worker()
    again.refresh_from_db()
    assert again.status == ReportJob.Status.DONE


def test_signing_off_queues_both_editions_at_once(blank_draft, head, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assessment_submit(assessment_id=blank_draft.pk, user=head)
    assert set(ReportJob.objects.filter(assessment=blank_draft).values_list("edition", flat=True)) == {"full", "councillor"}
    run_worker()
    assert CachedReport.objects.filter(assessment=blank_draft).count() == 2


def test_the_report_link_answers_about_as_fast_as_a_normal_page(client, officer, last_year):
    client.force_login(officer)
    detail = reverse("assessments:detail", args=[last_year.pk])
    client.get(detail)
    started = time.perf_counter()
    client.get(detail)
    normal = time.perf_counter() - started
    started = time.perf_counter()
    response = client.get(pdf_url(last_year, "full"))
    link = time.perf_counter() - started
    assert response.status_code == 200 and b"%PDF" not in response.content[:10]
    assert link < max(5 * normal, 0.5), (link, normal)  # rendering the full report takes seconds


def test_render_report_writes_the_pdf_now(last_year, tmp_path):
    from django.core.management import call_command

    out = tmp_path / "report.pdf"
    call_command("render_report", str(last_year.pk), "--edition", "councillor", "--output", str(out), stdout=open(os.devnull, "w"))
    assert out.read_bytes().startswith(b"%PDF")


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a second process needs a database it can reach: the test database on PostgreSQL")
def test_a_real_db_worker_process_makes_the_report(nps2018, tmp_path):
    from .conftest import make_council, make_user, submitted_assessment

    council = make_council("Worker Borough Council", "worker")
    head = make_user("worker-head", council, "head")
    assessment = submitted_assessment(council, nps2018, 2023, head)
    _, job = report_request(assessment_id=assessment.pk, edition="councillor")
    db = connection.settings_dict
    env = dict(os.environ, DATABASE_URL=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}", DJANGO_SETTINGS_MODULE="config.test_settings")
    result = subprocess.run([sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay", "--no-reload"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    job.refresh_from_db()
    assert job.status == ReportJob.Status.DONE
    assert CachedReport.objects.filter(assessment=assessment, edition="councillor").exists()


def test_the_waiting_bar_moves_on_the_last_render_time_and_never_claims_to_be_done(db, nps2018, council_a, head):
    """Issue 29, item 10: the worker says nothing while it lays out the pages, so the bar moves on how long the
    last render took; it never passes 95 % before the report is made, nor goes back."""
    from datetime import timedelta

    from django.utils import timezone

    from reports.models import ReportJob

    from .conftest import submitted_assessment

    assessment = submitted_assessment(council_a, nps2018, 2023, head)
    now = timezone.now()
    job = ReportJob.objects.create(assessment=assessment, edition="full", fingerprint="x", status=ReportJob.Status.RUNNING, stage="Laying out pages", progress=50, started_at=now - timedelta(seconds=3))
    assert job.shown_progress(now) == (50, None)  # nothing to go on yet: what the worker said
    assert ReportJob.typical_seconds("full") is None
    ReportJob.objects.create(assessment=submitted_assessment(council_a, nps2018, 2022, head), edition="full", fingerprint="y", status=ReportJob.Status.DONE, took_seconds=10)
    job.took_seconds = ReportJob.typical_seconds("full")  # as the worker sets it when it starts a report never made before
    assert job.shown_progress(now) == (50, 7)  # 3 s of a typical 10: the worker's 50 % stands, 7 s left
    assert job.shown_progress(now + timedelta(seconds=4)) == (70, 3)
    assert job.shown_progress(now + timedelta(seconds=60)) == (95, None)  # overdue: never "100 %" before it is
    job.status = ReportJob.Status.QUEUED
    assert job.shown_progress(now + timedelta(seconds=4)) == (50, None)
