"""Production settings, security headers, CSRF, login throttling."""

import os
import subprocess
import sys

import pytest
from django.test import Client
from django.urls import reverse

from .conftest import PASSWORD, ROOT


@pytest.mark.slow
def test_check_deploy_is_clean_under_production_settings():
    env = dict(os.environ, DEBUG="0", SECRET_KEY="x" * 60 + "production-like-key-Q9!", ALLOWED_HOSTS="nps.example.org", DJANGO_SETTINGS_MODULE="config.settings")
    env.pop("SECURE_SSL_REDIRECT", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.pop("EMAIL_BACKEND", None)  # production's default: SMTP
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.slow
def test_production_refuses_to_start_without_a_secret_key():
    env = dict(os.environ, DEBUG="0", DJANGO_SETTINGS_MODULE="config.settings")
    env.pop("SECRET_KEY", None)
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode != 0 and "Set SECRET_KEY" in result.stderr


def test_pages_send_security_headers(client, officer):
    client.force_login(officer)
    response = client.get(reverse("home"))
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_autosave_requires_a_csrf_token(officer, blank_draft):
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)
    response = client.post(reverse("assessments:autosave", args=[blank_draft.pk, 1]), {"o1-level": "3", "o1-version": "1"})
    assert response.status_code == 403
    assert blank_draft.scores.get(objective__number=1).level is None


def test_repeated_failed_logins_lock_the_account(client, officer):
    for _ in range(5):
        client.post(reverse("login"), {"username": "officer", "password": "wrong"}, REMOTE_ADDR="10.0.0.1")
    response = client.post(reverse("login"), {"username": "officer", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1")
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_correct_password_signs_in(client, officer):
    response = client.post(reverse("login"), {"username": "officer", "password": PASSWORD}, REMOTE_ADDR="10.0.0.2")
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(officer.pk)
