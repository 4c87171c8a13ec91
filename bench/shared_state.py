"""Nothing correct only in one process (issue #17): two gunicorn servers, each its own process with its own memory
(its own LocMemCache), over one database. A head signs off through one; the next benchmarking page read through
the other counts that council at once, and the other's report link knows the year changed.

    .venv/bin/python bench/shared_state.py        # a fresh SQLite file by default, or DATABASE_URL's database

Exits 0 when both servers agree with the database after every step; prints what each served.
"""

import http.client
import os
import re
import secrets
import signal
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='nps-shared-')}/shared.sqlite3"
os.environ.update({
    "DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "0", "ALLOWED_HOSTS": "127.0.0.1,localhost", "SECURE_SSL_REDIRECT": "0",
    "SESSION_COOKIE_SECURE": "0", "CSRF_COOKIE_SECURE": "0", "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
})
os.environ.setdefault("SECRET_KEY", "shared-state-check-only-secret-key-0123456789abcdef")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from assessments.models import Assessment, Evidence, Score  # noqa: E402
from assessments.services import assessment_start, assessment_submit  # noqa: E402
from councils.models import Council, Membership  # noqa: E402
from maturity.loading import framework_load_file  # noqa: E402
from maturity.models import Framework  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
from load import free_port  # noqa: E402

YEAR = 2031


def setup():
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # the production profile (DEBUG off): whitenoise's manifest
    framework_load_file(ROOT / "fixtures" / "nps-2018.yaml")
    framework = Framework.objects.get(code="nps-2018")
    User = get_user_model()
    heads = []
    for i in range(6):
        council, _ = Council.objects.get_or_create(slug=f"shared-{i}", defaults={"name": f"Shared State Council {i}", "kind": "unitary", "region": "london"})
        Assessment.objects.filter(council=council).delete()
        head, created = User.objects.get_or_create(username=f"shared-head-{i}")
        if created:
            Membership.objects.create(user=head, council=council, role=Membership.Role.HEAD)
        assessment = assessment_start(council_id=council.pk, framework_id=framework.pk, year=YEAR, user=head, carry_forward=False)
        Score.objects.filter(assessment=assessment).update(level=2 + i % 3)
        if i < 5:
            assessment_submit(assessment_id=assessment.pk, user=head)
        heads.append((head, assessment))
    return heads


def session_of(user):
    """A signed-in session for `user`, as after their password and second factor (heads must have one)."""
    from signin.signals import ENROLLED

    client = Client()
    client.force_login(user)
    session = client.session
    session[ENROLLED] = True
    session.save()
    return client.cookies["sessionid"].value


def start_server(port):
    """One gunicorn server with a local evidence folder of its own, as two machines would have."""
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1", "--timeout", "60", "--log-level", "warning"],
        cwd=ROOT, env={**os.environ, "PYTHONWARNINGS": "ignore", "EVIDENCE_ROOT": tempfile.mkdtemp(prefix=f"nps-machine-{port}-")},
    )


def wait_for(port):
    ready_by = time.monotonic() + 120
    while time.monotonic() < ready_by:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/health/")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"gunicorn on {port} did not start")


def request(port, method, path, session, body=None):
    csrf = secrets.token_hex(16)
    headers = {"Cookie": f"sessionid={session}; csrftoken={csrf}", "Host": "127.0.0.1", "X-CSRFToken": csrf}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        body = f"csrfmiddlewaretoken={csrf}&{body}"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request(method, path, body, headers)
    response = connection.getresponse()
    return response.status, response.read().decode()


def tiny_png():
    """A real 1×1 PNG (evidence must be a file of the type it says it is)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b"")


def upload(port, path, session, fields, name, content):
    """A multipart POST, as a browser sends a file."""
    csrf, boundary = secrets.token_hex(16), "----nps" + secrets.token_hex(8)
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode() for key, value in {**fields, "csrfmiddlewaretoken": csrf}.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode() + content + b"\r\n")
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    headers = {"Cookie": f"sessionid={session}; csrftoken={csrf}", "Host": "127.0.0.1", "Content-Type": f"multipart/form-data; boundary={boundary}"}
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("POST", path, body, headers)
    response = connection.getresponse()
    return response.status, response.read()


def fetch(port, path, session):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", path, headers={"Cookie": f"sessionid={session}", "Host": "127.0.0.1"})
    response = connection.getresponse()
    return response.status, response.read()


def counted(page):
    """(councils counted, councils in key area 1's quartiles): the first is counted afresh, the second is the
    group's cached histogram, the part a per-process cache would leave stale."""
    match = re.search(r"(\d+) councils submitted", page) or re.search(r"assessment number (\d+)", page)
    spread = re.search(r'<th scope="row" class="fw-normal">1\. [^<]*</th><td>(\d+)</td>', page)
    return (int(match[1]) if match else None, int(spread[1]) if spread else None)


def main():
    heads = setup()
    reader, _ = heads[0]
    signer, draft = heads[5]
    ports = free_port(), free_port()
    servers = [start_server(port) for port in ports]
    problems = []
    try:
        for port in ports:
            wait_for(port)
        a, b = ports
        reader_session, signer_session = session_of(reader), session_of(signer)
        benchmark = f"/dashboard/benchmarking/?framework=nps-2018&year={YEAR}"
        before = [counted(request(port, "GET", benchmark, reader_session)[1]) for port in ports]  # both caches warm
        print(f"before: A counts {before[0]}, B counts {before[1]}")
        if before != [(5, 5), (5, 5)]:
            problems.append(f"expected 5 councils through both before the sign-off, got {before}")
        if os.environ.get("AZURE_STORAGE_CONNECTION_STRING"):
            # Evidence uploaded through A, downloaded through B (each server has its own local folder; the blob
            # store is the one place both see).
            png = tiny_png()
            status, _ = upload(a, f"/assessments/{draft.pk}/objectives/1/evidence/", signer_session, {"title": "Board minutes"}, "minutes.png", png)
            item = Evidence.objects.filter(score__assessment=draft, title="Board minutes").first()
            print(f"evidence uploaded through A: HTTP {status}, stored as {item.file.name if item else None}")
            if status != 302 or item is None:
                problems.append(f"the upload through A did not happen (HTTP {status})")
            else:
                status, content = fetch(b, f"/assessments/{draft.pk}/evidence/{item.pk}/", signer_session)
                print(f"evidence downloaded through B: HTTP {status}, {'the same bytes' if content == png else 'different bytes'}")
                if status != 200 or content != png:
                    problems.append(f"B could not give back the evidence uploaded through A (HTTP {status})")
        report = f"/reports/{draft.pk}/pdf/?edition=councillor"
        request(b, "GET", report, signer_session)  # B has asked for the draft's report: it knows a fingerprint
        status, _ = request(a, "POST", f"/assessments/{draft.pk}/submit/", signer_session, "confirm=on")
        print(f"signed off through A: HTTP {status}")
        if status != 302 or not Assessment.objects.get(pk=draft.pk).submitted_at:
            problems.append(f"the sign-off through A did not happen (HTTP {status})")
        after = counted(request(b, "GET", benchmark, reader_session)[1])
        print(f"after: B counts {after}")
        if after != (6, 6):
            problems.append(f"B still counts {after} councils after a sign-off through A: a stale cache")
        _, page = request(b, "GET", report, signer_session)
        if "(draft)" in page or "DRAFT" in page:
            problems.append("B's report page still speaks of the draft after the sign-off through A")
    finally:
        for server in servers:
            server.send_signal(signal.SIGTERM)
        for server in servers:
            try:
                server.wait(60)
            except subprocess.TimeoutExpired:
                server.kill()
    for problem in problems:
        print("PROBLEM:", problem)
    print("OK: both servers follow the database" if not problems else "FAILED")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
