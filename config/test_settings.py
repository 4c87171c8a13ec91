"""Settings for the test suite: production settings with a throwaway key and fast hashing."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-0123456789")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")

import tempfile  # noqa: E402

from .settings import *  # noqa: E402,F403

EVIDENCE_ROOT = Path(tempfile.mkdtemp(prefix="nps-evidence-"))  # noqa: F405
if STORAGES["evidence"]["BACKEND"].endswith("FileSystemStorage"):  # noqa: F405
    STORAGES["evidence"]["OPTIONS"]["location"] = EVIDENCE_ROOT  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
# Heads and staff signed in by the tests' force_login have no second factor; tests/test_mfa.py turns this on.
SECOND_FACTOR_REQUIRED = False
