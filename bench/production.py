"""The production profile the browser benchmarks measure (bench/first_chart.py, bench/lighthouse.py): DEBUG off,
static files collected and compressed (whitenoise's manifest storage), gunicorn with two workers, the demo data in a
fresh SQLite file."""

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MANAGE = [sys.executable, "manage.py"]


@contextlib.contextmanager
def demo_server(name):
    """Yields (base URL, environment) of a gunicorn serving the demo in the production profile; stops it after."""
    sys.path.insert(0, str(ROOT / "bench"))
    from load import free_port

    workdir = Path(tempfile.mkdtemp(prefix=f"nps-{name}-"))
    env = {
        **os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "0", "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}",
        "SECRET_KEY": f"{name}-benchmark-only-secret-key-0123456789abcdef", "ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0", "CSRF_COOKIE_SECURE": "0", "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    for command in (["migrate", "-v0"], ["collectstatic", "--noinput", "-v0"], ["seed_demo", "--force"]):
        subprocess.run(MANAGE + command, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "config.wsgi", "-b", f"127.0.0.1:{port}", "-w", "2", "--log-level", "warning"], cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"{base}/health/", timeout=5)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.3)
        yield base, env
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(60)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(workdir, ignore_errors=True)


def finish(lines, *, write, ok):
    """Print a benchmark's table, append it to `write` (docs/benchmarks.md) if asked, and exit 0 only if its targets were met."""
    lines.append("")
    print("\n".join(lines))
    if write:
        with open(write, "a", encoding="utf-8") as handle:
            handle.write("\n" + "\n".join(lines))
    sys.exit(0 if ok else 1)
