"""Page timings against a generated national data set, each beside the floor of the same stack.

    DATABASE_URL=postgres://… .venv/bin/python manage.py generate_dataset --councils 400 --years 6
    DATABASE_URL=postgres://… .venv/bin/python bench/run.py [--runs 30] [--write docs/benchmarks.md]

Requests go through Django's full middleware stack in-process (the test client), one at a time, with DEBUG off.
The floor is a bare view through that same stack (/health/), and for the PDF, WeasyPrint alone on the same HTML.
"""

import argparse
import gc
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-not-for-production-use-0123456789")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("SECOND_FACTOR_REQUIRED", "0")  # the head's pages are timed with a forced sign-in, which proves no second factor

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django_tasks_db.models import DBTaskResult  # noqa: E402

from assessments.models import Assessment, Score  # noqa: E402
from assessments.services import assessment_start  # noqa: E402
from councils.models import Council  # noqa: E402
from reports.models import CachedReport, ReportJob  # noqa: E402
from reports.pdf import render_pdf, render_report, report_html  # noqa: E402

settings.STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # no collectstatic needed


def timed(fn, runs, before=None, after=None):
    """Median and p95 of `fn` in ms; `before` and `after` run around each call, untimed."""
    samples = []
    for i in range(runs + 1):
        if before:
            before()
        start = time.perf_counter()
        fn()
        if i:  # the first is a warm-up
            samples.append((time.perf_counter() - start) * 1000)
        if after:
            after()
    samples.sort()
    return {"median": statistics.median(samples), "p95": samples[min(len(samples) - 1, round(0.95 * len(samples)) - 1)], "runs": runs}


def queries(fn, statements=False):
    """How many queries `fn` makes (with statements=True: leaving out transaction control, BEGIN and COMMIT)."""
    with CaptureQueriesContext(connection) as captured:
        fn()
    if statements:
        return sum(1 for q in captured.captured_queries if not q["sql"].startswith(("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE SAVEPOINT")))
    return len(captured.captured_queries)


def machine():
    cores = os.cpu_count()
    try:
        kb = next(int(line.split()[1]) for line in open("/proc/meminfo") if line.startswith("MemTotal"))
        memory = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration):
        memory = "unknown"
    return f"{platform.machine()}, {cores} cores, {memory} RAM, Python {platform.python_version()}, {connection.vendor} {connection.Database.__name__}"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--pdf-runs", type=int, default=5)
    parser.add_argument("--write", help="append the results to this Markdown file")
    args = parser.parse_args()

    council = Council.objects.filter(slug="gen-0000").first()
    if council is None:
        sys.exit("No generated data: run manage.py generate_dataset first.")
    councils = Council.objects.count()
    scores = Score.objects.count()
    latest = Assessment.objects.submitted().filter(council=council).order_by("-year").first()
    draft = Assessment.objects.filter(council=council, year=latest.year + 1).first() or assessment_start(
        council_id=council.pk, framework_id=latest.framework_id, year=latest.year + 1, user=council.memberships.get(role="head").user, carry_forward=True
    )
    officer = council.memberships.get(role="officer").user
    client = Client()
    client.force_login(officer)
    head_client = Client()
    head_client.force_login(council.memberships.get(role="head").user)
    plan = council.action_plans.exclude(status="draft").first() or council.action_plans.first()
    line_form = f"/plans/{plan.pk}/lines/{plan.lines.first().pk}/"

    def get(url):
        return lambda: client.get(url)

    state = {"level": 2}

    def next_change():
        """The change the next autosave posts, from the version the page holds (read by the bench, untimed)."""
        state["version"] = Score.objects.only("version").get(assessment=draft, objective__number=20).version
        state["level"] = 3 if state["level"] == 2 else 2

    def autosave():
        data = {"o20-level": state["level"], "o20-comment": "Benchmark", "o20-action": "", "o20-evidence": "", "o20-version": state["version"]}
        response = client.post(f"/assessments/{draft.pk}/objectives/20/autosave/", data, HTTP_HX_REQUEST="true")
        assert response["X-Autosave-State"] == "saved", response["X-Autosave-State"]

    pages = [
        ("Floor: bare view (/health/)", get("/health/"), args.runs),
        ("Scoring page, one key area", get(f"/assessments/{draft.pk}/sections/8/"), args.runs),
        ("Scoring page, whole framework", get(f"/assessments/{draft.pk}/all/"), args.runs),
        ("Autosave POST", autosave, args.runs, next_change),
        ("Council dashboard", get(f"/dashboard/?assessment={latest.pk}"), args.runs),
        ("Benchmarking", get(f"/dashboard/benchmarking/?framework=nps-2018&year={latest.year}"), args.runs),
        ("Year on year", get(f"/assessments/{latest.pk}/year-on-year/"), args.runs),
        ("Landing page", get("/"), args.runs),
        ("Action plan", get(f"/plans/{plan.pk}/"), args.runs),
        ("Landing page (head: what waits for them)", lambda: head_client.get("/"), args.runs),
        ("Action plan line form (head)", lambda: head_client.get(line_form), args.runs),
        ("Objective history (autosave's records, paged)", get(f"/assessments/{draft.pk}/objectives/20/history/"), args.runs),
    ]
    # As gunicorn.conf.py does once a worker has loaded the app: what is loaded by now lives as long as the process,
    # so the garbage collector leaves it be (a full collection over it paused a request for about 80 ms).
    for _name, fn, _runs, *before in pages:
        if before:
            before[0]()
        fn()
    gc.freeze()
    results = []
    floor = None
    for name, fn, runs, *before in pages:
        stats = timed(fn, runs, before=before[0] if before else None)
        if before:
            before[0]()
        stats["queries"] = queries(fn) if not name.startswith("Floor") else 0
        floor = floor or stats
        results.append((name, stats))

    html = report_html(latest)
    weasy = timed(lambda: render_pdf(html), args.pdf_runs)

    def full_pdf():
        """What the worker does for a report nobody has made yet (gather, draw, lay out, keep)."""
        CachedReport.objects.filter(assessment=latest).delete()
        render_report(latest, "full")

    def no_report_yet():
        CachedReport.objects.filter(assessment=latest).delete()
        ReportJob.objects.filter(assessment=latest).delete()

    def pdf_link():
        """The report link when the PDF is not ready: it answers at once with the progress page (no click waits)."""
        response = client.get(f"/reports/{latest.pk}/pdf/")
        assert response.status_code == 200 and b"being prepared" in response.content

    def leave_no_work():
        DBTaskResult.objects.filter(task_path="reports.tasks.render_report_job", status="READY").delete()  # for a later worker

    pdf = timed(full_pdf, args.pdf_runs)
    pdf["queries"] = queries(full_pdf)
    # The link's own request only, timed and counted apart from the bench's deletes between clicks: the first click
    # (which writes the job and its task), then a click or poll while the report is being made.
    link = timed(pdf_link, args.runs, before=no_report_yet, after=leave_no_work)
    no_report_yet()
    link["queries"] = queries(pdf_link)
    no_report_yet()
    link["statements"] = queries(pdf_link, statements=True)
    link["again"] = queries(pdf_link)
    leave_no_work()
    render_report(latest, "full")
    cached = timed(get(f"/reports/{latest.pk}/pdf/"), args.runs)
    cached["queries"] = queries(get(f"/reports/{latest.pk}/pdf/"))

    lines = [
        f"### {time.strftime('%Y-%m-%d %H:%M')} — {machine()}",
        "",
        f"Data: {councils} councils, {scores:,} scores. One request at a time through the full middleware stack, DEBUG off.",
        "",
        "| page | median ms | p95 ms | p95 / floor | queries |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, stats in results:
        lines.append(f"| {name} | {stats['median']:.1f} | {stats['p95']:.1f} | {stats['p95'] / floor['p95']:.1f}× | {stats['queries']} |")
    lines += [
        f"| PDF link, report not made yet (answers with its progress page; queries: first click, then each click or poll) | {link['median']:.1f} | {link['p95']:.1f} | {link['p95'] / floor['p95']:.1f}× | {link['queries']} ({link['statements']} besides BEGIN and COMMIT), then {link['again']} |",
        f"| Full PDF report, made by the worker (render_report) | {pdf['median']:.0f} | {pdf['p95']:.0f} | {pdf['p95'] / weasy['p95']:.2f}× WeasyPrint alone | {pdf['queries']} |",
        f"| Floor: WeasyPrint alone, same HTML | {weasy['median']:.0f} | {weasy['p95']:.0f} | 1.00× | 0 |",
        f"| Submitted PDF from the cache | {cached['median']:.1f} | {cached['p95']:.1f} | {cached['p95'] / floor['p95']:.1f}× | {cached['queries']} |",
        "",
    ]
    report = "\n".join(lines)
    print(report)
    if args.write:
        with open(args.write, "a", encoding="utf-8") as handle:
            handle.write("\n" + report)


if __name__ == "__main__":
    main()
