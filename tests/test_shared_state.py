"""Nothing correct only in one process (issue #17): two gunicorn servers, one database (bench/shared_state.py)."""

import os
import subprocess
import sys

import pytest

from .conftest import ROOT

pytestmark = pytest.mark.slow


def test_a_sign_off_through_one_server_shows_in_benchmarking_through_the_other(tmp_path):
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp_path / 'shared.sqlite3'}")
    for key in ("SECRET_KEY", "EMAIL_BACKEND", "DJANGO_SETTINGS_MODULE"):
        env.pop(key, None)
    result = subprocess.run([sys.executable, "-W", "ignore", "bench/shared_state.py"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "after: B counts (6, 6)" in result.stdout
