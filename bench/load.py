"""Bounded load test on loopback: many officers autosaving at once against gunicorn + PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:PORT/postgres .venv/bin/python bench/load.py --seconds 60
    … --restart-db DIR     also restarts the PostgreSQL server in DIR (bin/pg-scratch) half way through
    … --reports 20         20 report jobs rendering in report workers (as production runs them: `nice`d db_worker
                           processes). After a warm-up that counts for neither, the workers are paused and resumed
                           in alternating windows (SIGSTOP/SIGCONT), so "with reports" and "without" share the same
                           warm server and the same moment of the run; autosave p95 with them may rise ≤ 20 %

Checks afterwards: no server errors (503 only while the database is down), and for every objective the stored
level, comment and version equal its last acknowledged write: no lost or phantom writes; stale writes refused.
Outcomes are judged, not timing: on a busy machine each officer goes on past --seconds (up to a bounded extra
time) until it has had answers, and the server must answer /health/ before the clock starts.
Stops by itself; binds 127.0.0.1 only.
"""

import argparse
import http.client
import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "SECRET_KEY": "load-test-only-secret-key-not-for-production-0123456789abcdef",
    "DEBUG": "0",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SECURE_SSL_REDIRECT": "0",
    "SESSION_COOKIE_SECURE": "0",
    "CSRF_COOKIE_SECURE": "0",
}
os.environ.update({k: v for k, v in ENV.items() if k not in os.environ})

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from assessments.models import Assessment, Score  # noqa: E402
from assessments.services import assessment_start  # noqa: E402
from councils.models import Council, Membership  # noqa: E402
from maturity.loading import framework_load_file  # noqa: E402
from maturity.models import Framework  # noqa: E402

SHARED = [1, 2, 3, 4, 5]  # every officer writes these too: the contended objectives


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def queue_reports(council, framework, user, count):
    """`count` report jobs (both editions of count/2 signed-off years of the load-test council), queued, not run."""
    from django.utils import timezone

    from reports.services import report_request

    years = range(2000, 2000 + (count + 1) // 2)
    for year in years:
        assessment = assessment_start(council_id=council.pk, framework_id=framework.pk, year=year, user=user, carry_forward=False)
        Score.objects.filter(assessment=assessment).update(level=3)
        Assessment.objects.filter(pk=assessment.pk).update(status=Assessment.Status.SUBMITTED, submitted_at=timezone.now(), submitted_by=user)
    # A scratch database may hold tasks from earlier runs; this run's workers make only this run's reports.
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(task_path="reports.tasks.render_report_job", status="READY").delete()
    jobs = []
    for assessment in Assessment.objects.filter(council=council, year__in=years):
        for edition in ("full", "councillor")[: count - len(jobs)]:
            jobs.append(report_request(assessment_id=assessment.pk, edition=edition)[1].pk)
    return jobs[:count]


def setup(officers, reports=0):
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # the production profile: whitenoise serves the collected files
    framework_load_file(ROOT / "fixtures" / "nps-2018.yaml")
    framework = Framework.objects.get(code="nps-2018")
    council, _ = Council.objects.get_or_create(slug="load-test", defaults={"name": "Load Test Council", "kind": "unitary", "region": "london"})
    Assessment.objects.filter(council=council).delete()
    User = get_user_model()
    users = []
    for i in range(officers):
        user, created = User.objects.get_or_create(username=f"load-officer-{i}")
        if created:
            Membership.objects.create(user=user, council=council, role=Membership.Role.OFFICER)
        users.append(user)
    draft = assessment_start(council_id=council.pk, framework_id=framework.pk, year=2099, user=users[0], carry_forward=False)
    jobs = queue_reports(council, framework, users[0], reports) if reports else []
    sessions = []
    for user in users:
        client = Client()
        client.force_login(user)
        sessions.append(client.cookies["sessionid"].value)
    return draft, sessions, jobs


MIN_ANSWERS = 3  # answered autosaves each officer needs before it stops, however slow the machine
EXTRA_SECONDS = 240  # how far past --seconds an officer may go to get them
ANSWER_TIMEOUT = 60  # seconds to wait for one response: a busy machine is slow, not down


class Officer(threading.Thread):
    def __init__(self, index, port, draft, session, deadline, log, page=None):
        super().__init__(daemon=True)
        self.answered = 0
        self.page = page
        self.index, self.port, self.draft, self.session, self.deadline, self.log = index, port, draft, session, deadline, log
        self.csrf = secrets.token_hex(16)
        self.timings = []  # (sent at, seconds) of each answered autosave
        self.versions = defaultdict(lambda: 1)
        self.rng = random.Random(index)
        own = 6 + index % 53
        self.objectives = SHARED + [own]

    def run(self):
        connection = None
        while time.monotonic() < self.deadline or (self.answered < MIN_ANSWERS and time.monotonic() < self.deadline + EXTRA_SECONDS):
            if self.page:
                connection = self.read_page(connection)
                continue
            number = self.rng.choice(self.objectives)
            level = self.rng.randint(1, 4)
            comment = f"officer {self.index} write {secrets.token_hex(4)}"
            body = urlencode({f"o{number}-level": level, f"o{number}-comment": comment, f"o{number}-action": "", f"o{number}-evidence": "", f"o{number}-version": self.versions[number]})
            headers = {
                "Content-Type": "application/x-www-form-urlencoded", "HX-Request": "true", "X-CSRFToken": self.csrf,
                "Cookie": f"sessionid={self.session}; csrftoken={self.csrf}", "Host": "127.0.0.1",
            }
            try:
                connection = connection or http.client.HTTPConnection("127.0.0.1", self.port, timeout=ANSWER_TIMEOUT)
                sent = time.monotonic()
                connection.request("POST", f"/assessments/{self.draft.pk}/objectives/{number}/autosave/", body, headers)
                response = connection.getresponse()
                response.read()
                self.timings.append((sent, time.monotonic() - sent))
                self.answered += 1
                status, state, version = response.status, response.getheader("X-Autosave-State"), response.getheader("X-Score-Version")
            except (OSError, http.client.HTTPException):
                connection = None
                self.log.append(("unknown", number, None, level, comment))  # may or may not have been applied
                time.sleep(0.2)
                continue
            if status == 200 and state == "saved":
                self.versions[number] = int(version)
                self.log.append(("saved", number, int(version), level, comment))
            elif status == 200 and state == "stale":
                self.versions[number] = int(version)
                self.log.append(("stale", number, int(version), level, comment))
            else:
                self.log.append((f"http {status} {state}", number, None, level, comment))
                if status == 503:
                    time.sleep(0.5)


    def read_page(self, connection):
        try:
            connection = connection or http.client.HTTPConnection("127.0.0.1", self.port, timeout=ANSWER_TIMEOUT)
            connection.request("GET", self.page, headers={"Cookie": f"sessionid={self.session}", "Host": "127.0.0.1"})
            response = connection.getresponse()
            response.read()
            self.answered += 1
            self.log.append(("page" if response.status == 200 else f"http {response.status} None", None, None, None, None))
            return connection
        except (OSError, http.client.HTTPException):
            self.log.append(("unknown", None, None, None, None))
            return None


def verify(draft, log):
    acked = defaultdict(list)
    unknown = Counter()
    for kind, number, version, level, comment in log:
        if kind == "saved":
            acked[number].append((version, level, comment))
        elif kind == "unknown":
            unknown[number] += 1
    problems = []
    stored = {s.objective.number: s for s in Score.objects.filter(assessment=draft).select_related("objective")}
    for number, writes in acked.items():
        versions = sorted(v for v, _, _ in writes)
        if len(set(versions)) != len(versions):
            problems.append(f"objective {number}: two writes acknowledged with the same version")
        last_version, level, comment = max(writes)
        score = stored[number]
        if unknown[number] == 0:
            if score.version != 1 + len(writes):
                problems.append(f"objective {number}: version {score.version} but {len(writes)} acknowledged writes")
            if (score.version, score.level, score.comment) != (last_version, level, comment):
                problems.append(f"objective {number}: stored {score.level}/{score.comment!r} v{score.version}, last acknowledged {level}/{comment!r} v{last_version}")
        elif not last_version <= score.version <= 1 + len(writes) + unknown[number]:
            problems.append(f"objective {number}: version {score.version} outside what the acknowledged and unanswered writes allow")
    return problems


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--officers", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--restart-db", metavar="PGDATA", help="restart the bin/pg-scratch server in this directory half way through")
    parser.add_argument("--scoring-page", action="store_true", help="instead of autosaving, read one key area's scoring page (throughput only)")
    parser.add_argument("--reports", type=int, default=0, help="report jobs to run in the second half (20 in the issue)")
    parser.add_argument("--report-workers", type=int, default=1)
    parser.add_argument("--report-nice", type=int, default=10, help="the report workers' niceness (0: the same priority as the web)")
    parser.add_argument("--fairness", action="store_true", help="instead: one officer floods changes and report clicks; another council's report must wait at most one render (bench/report_fairness.py)")
    args, rest = parser.parse_known_args()
    if args.fairness:  # issue 27: the fairness of the report queue, measured through a real worker
        import report_fairness

        sys.argv = [sys.argv[0], *rest]
        return report_fairness.main()
    if rest:
        parser.error(f"unrecognised arguments: {' '.join(rest)}")
    args.seconds = min(args.seconds, 120 if args.reports else 60)

    draft, sessions, jobs = setup(args.officers, args.reports)
    report_workers = []
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "-b", f"127.0.0.1:{port}", "-w", str(args.workers), "--timeout", "30", "--log-level", "warning"],
        cwd=ROOT, env={**os.environ, "PYTHONWARNINGS": "ignore::UserWarning"},  # whitenoise: no collected static files needed here
    )
    try:
        ready_by = time.monotonic() + 300  # a busy machine starts gunicorn slowly; wait for an answer, bounded
        while True:
            try:
                probe = http.client.HTTPConnection("127.0.0.1", port, timeout=ANSWER_TIMEOUT)
                probe.request("GET", "/health/")
                if probe.getresponse().status == 200:
                    break
            except (OSError, http.client.HTTPException):
                pass
            if time.monotonic() > ready_by or server.poll() is not None:
                print("PROBLEM: gunicorn did not answer /health/ (it exited or took over 300 s)")
                sys.exit(1)
            time.sleep(0.2)
        windows = []  # (start, end, reports running) of each alternating window
        log = []
        deadline = time.monotonic() + args.seconds
        page = f"/assessments/{draft.pk}/sections/8/" if args.scoring_page else None
        officers = [Officer(i, port, draft, sessions[i], deadline, log, page) for i in range(args.officers)]
        started = time.monotonic()
        for officer in officers:
            officer.start()
        if args.restart_db:
            time.sleep(args.seconds / 3)
            subprocess.run([str(ROOT / "bin" / "pg-scratch"), "restart", args.restart_db], check=True)
            print(f"restarted PostgreSQL at {time.monotonic() - started:.1f} s")
        if jobs:
            # Report workers as bin/run and README run them: at a lower CPU priority than the web workers.
            report_workers = [
                subprocess.Popen(["nice", "-n", str(args.report_nice), sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay", "--no-reload"], cwd=ROOT, env=os.environ.copy(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                for _ in range(args.report_workers)
            ]
            time.sleep(args.seconds / 6)  # warm-up (workers starting, web workers' first requests): counts for neither condition
            window, running = max(1.0, args.seconds / 20), False
            while any(officer.is_alive() for officer in officers) and time.monotonic() < deadline:
                running = not running
                for worker in report_workers:
                    worker.send_signal(signal.SIGCONT if running else signal.SIGSTOP)
                start = time.monotonic()
                time.sleep(window)
                windows.append((start, time.monotonic(), running))
            for worker in report_workers:
                worker.send_signal(signal.SIGCONT)
        for officer in officers:
            officer.join(args.seconds + EXTRA_SECONDS + 2 * ANSWER_TIMEOUT)
        elapsed = time.monotonic() - started
    finally:
        for worker in report_workers:
            worker.send_signal(signal.SIGCONT)
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(120)
            except subprocess.TimeoutExpired:
                worker.kill()
        # SIGTERM lets gunicorn finish its requests; on a busy machine that can take a while. Then kill, never hang.
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(30)

    outcomes = Counter(entry[0] for entry in log)
    what = "page reads" if args.scoring_page else "autosaves"
    print(f"{len(log)} {what} in {elapsed:.1f} s ({len(log) / elapsed:.0f}/s) by {args.officers} clients, {args.workers} gunicorn workers: {dict(outcomes)}")
    connection.close()  # ours may have been cut by the restart; verify on a fresh one
    problems = [] if args.scoring_page else verify(draft, log)
    errors = {kind: n for kind, n in outcomes.items() if kind.startswith("http 5") and not (args.restart_db and kind.startswith("http 503"))}
    if errors:
        problems.append(f"server errors: {errors}")
    if not args.scoring_page and outcomes["stale"] == 0:
        problems.append("no stale write was refused: the test did not exercise contention")
    if not args.scoring_page and outcomes["saved"] == 0:
        problems.append("nothing was saved")
    if jobs:
        from reports.models import ReportJob

        def p95(samples):
            samples = sorted(samples)
            return samples[min(len(samples) - 1, round(0.95 * len(samples)) - 1)] * 1000 if samples else float("nan")

        timings = [t for officer in officers for t in officer.timings]

        def window_of(sent):
            return next((running for start, end, running in windows if start <= sent < end), None)

        before = [seconds for sent, seconds in timings if window_of(sent) is False]
        during = [seconds for sent, seconds in timings if window_of(sent) is True]
        done = ReportJob.objects.filter(pk__in=jobs, status=ReportJob.Status.DONE).count()
        started = ReportJob.objects.filter(pk__in=jobs, attempts__gt=0).count()
        failed = ReportJob.objects.filter(pk__in=jobs, status=ReportJob.Status.FAILED).count()
        ratio = p95(during) / p95(before)
        print(f"autosave p95: {p95(before):.1f} ms in windows without reports ({len(before)} saves), {p95(during):.1f} ms in windows with {len(jobs)} report jobs running ({len(during)} saves), {len(windows)} alternating windows after a warm-up: {ratio:.2f}×; reports started {started}, made {done}, failed {failed}")
        if ratio > 1.2:
            problems.append(f"autosave p95 rose {ratio:.2f}× with reports running (allowed 1.2×)")
        if failed:
            problems.append(f"{failed} report jobs failed")
        if started == 0:
            problems.append("no report job started while the officers were saving: the test did not exercise reports")
    for problem in problems:
        print("PROBLEM:", problem)
    ok = "OK: no server errors" if args.scoring_page else "OK: stored state equals the last acknowledged write of every objective"
    print(ok if not problems else "FAILED")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
