"""One officer cannot crowd out other councils' reports: one job per report however often the year changes, a
newer state replaces a waiting one, and one council's many reports wait behind another council's first."""

from django_tasks_db.models import DBTaskResult

from assessments.services import Door, score_write
from reports.models import ReportJob
from reports.services import report_request
from reports.tasks import HELD_STAGE, report_job_run

from .conftest import make_user, submitted_assessment


def _change(draft, officer, level):
    score = draft.scores.get(objective__number=1)
    score_write(score_id=score.pk, version=score.version, user=officer, door=Door.AUTOSAVE, level=level)


def test_thirty_changes_and_clicks_on_a_draft_make_one_job_per_edition_and_one_task_each(draft, officer):
    for i in range(30):
        _change(draft, officer, 2 + i % 2)
        for edition in ("full", "councillor"):
            report_request(assessment_id=draft.pk, edition=edition)
    assert ReportJob.objects.filter(assessment=draft).count() == 2
    assert DBTaskResult.objects.count() == 2
    # the waiting job now asks for the newest state
    from reports.pdf import report_fingerprint

    assert set(ReportJob.objects.values_list("fingerprint", flat=True)) == {report_fingerprint(draft.pk)}


def test_a_change_while_the_report_is_made_makes_it_once_more_not_once_per_change(draft, officer, monkeypatch):
    import reports.tasks

    _, job = report_request(assessment_id=draft.pk, edition="councillor")
    real = reports.tasks.render_report
    calls = []

    def render_while_someone_edits(assessment, edition, **kwargs):
        calls.append(kwargs["fingerprint"])
        if len(calls) == 1:
            for level in (1, 2, 3):
                _change(draft, officer, level)
                report_request(assessment_id=draft.pk, edition="councillor")
        return real(assessment, edition, **kwargs)

    monkeypatch.setattr(reports.tasks, "render_report", render_while_someone_edits)
    report_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ReportJob.Status.QUEUED and DBTaskResult.objects.count() == 2  # queued once more, once
    report_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ReportJob.Status.DONE and len(calls) == 2
    pdf, _ = report_request(assessment_id=draft.pk, edition="councillor")
    assert pdf.startswith(b"%PDF")  # the newest state, kept


def test_another_councils_first_report_goes_ahead_of_one_councils_many(nps2018, council_a, council_b, head, settings):
    settings.REPORT_JOBS_WAITING_PER_COUNCIL = 4
    years = [submitted_assessment(council_a, nps2018, year, head) for year in (2019, 2020, 2021)]
    for assessment in years:
        for edition in ("full", "councillor"):
            report_request(assessment_id=assessment.pk, edition=edition)
    theirs = submitted_assessment(council_b, nps2018, 2023, make_user("bhead", council_b, "head"))
    _, first_of_b = report_request(assessment_id=theirs.pk, edition="councillor")
    queue = list(DBTaskResult.objects.order_by(*DBTaskResult._meta.ordering))  # the worker's own order
    position = [task.args_kwargs["args"][0] for task in queue].index(first_of_b.pk)
    assert position <= 1, position  # behind at most council A's first report: one render
    held = ReportJob.objects.filter(assessment__council=council_a, task_id="")
    assert held.count() == 2 and set(held.values_list("stage", flat=True)) == {HELD_STAGE}
    # when one of council A's reports ends, one held report goes to the queue
    report_job_run(job_id=ReportJob.objects.filter(assessment__council=council_a).exclude(task_id="").first().pk)
    assert ReportJob.objects.filter(assessment__council=council_a, task_id="").count() == 1


def test_the_report_link_answers_in_a_bounded_number_of_queries(client, officer, last_year, django_assert_max_num_queries):
    from django.urls import reverse

    client.force_login(officer)
    url = reverse("reports:pdf", args=[last_year.pk]) + "?edition=full"
    def statements(captured):  # transaction control is not a query (BEGIN/COMMIT here, savepoints inside a test's transaction)
        return [q["sql"] for q in captured.captured_queries if not q["sql"].startswith(("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE SAVEPOINT"))]

    with django_assert_max_num_queries(12) as first:  # the first click: the job and its task written
        assert b"being prepared" in client.get(url).content
    assert len(statements(first)) <= 10
    with django_assert_max_num_queries(8) as again:  # every click and poll after it
        assert b"being prepared" in client.get(url).content
    assert len(statements(again)) <= 7
    assert b"We will e-mail" not in client.get(url).content
