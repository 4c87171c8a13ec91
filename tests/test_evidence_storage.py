"""Evidence in storage every machine shares: Azure Blob Storage (tested against Azurite, Microsoft's emulator, on
loopback), kept private, deleted with its evidence, and an outage that gives a clear message and loses nothing."""

import os
import subprocess
import sys

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments.models import Evidence
from assessments.services import STORAGE_DOWN

from .conftest import ROOT, a_pdf

sys.path.insert(0, str(ROOT / "bench"))
import azurite as emulator  # noqa: E402

pytestmark = pytest.mark.slow

PDF = a_pdf()


@pytest.fixture(scope="module")
def blob_store():
    if emulator.executable() is None:
        if os.environ.get("CI"):
            pytest.fail("Azurite is not installed: bin/setup test installs it (npm).")
        pytest.skip("Azurite is not installed: run bin/setup test")
    with emulator.azurite() as connection:
        yield connection


def azure(settings, connection):
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {"BACKEND": "storages.backends.azure_storage.AzureStorage", "OPTIONS": {"connection_string": connection, "azure_container": emulator.CONTAINER, "overwrite_files": False, "timeout": 5, "client_options": {"retry_total": 0}}},
    }


def blobs(connection):
    from azure.storage.blob import BlobServiceClient

    return {blob.name for blob in BlobServiceClient.from_connection_string(connection).get_container_client(emulator.CONTAINER).list_blobs()}


def add(client, assessment, content=PDF, title="Cabinet report"):
    return client.post(reverse("assessments:evidence", args=[assessment.pk, 1]), {"title": title, "file": SimpleUploadedFile("report.pdf", content)})


def test_evidence_goes_to_the_blob_store_is_served_only_through_the_view_and_leaves_with_its_evidence(client, officer, councillor, draft, settings, blob_store, django_capture_on_commit_callbacks):
    azure(settings, blob_store)
    client.force_login(officer)
    assert add(client, draft).status_code == 302
    evidence = Evidence.objects.get()
    assert evidence.file.name in blobs(blob_store)
    download = client.get(reverse("assessments:evidence_download", args=[draft.pk, evidence.pk]))
    assert b"".join(download.streaming_content) == PDF and download["Content-Disposition"].startswith("attachment")
    from azure.storage.blob import BlobServiceClient

    container = BlobServiceClient.from_connection_string(blob_store).get_container_client(emulator.CONTAINER)
    assert container.get_container_access_policy().get("public_access") is None  # private: no anonymous reads
    client.force_login(councillor)  # a draft's evidence is not theirs to read
    assert client.get(reverse("assessments:evidence_download", args=[draft.pk, evidence.pk])).status_code in (403, 404)
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("assessments:evidence_delete", args=[draft.pk, evidence.pk]))
    assert not Evidence.objects.exists() and evidence.file.name not in blobs(blob_store)


def test_a_storage_outage_gives_a_clear_message_and_loses_nothing(client, officer, draft, settings, blob_store):
    azure(settings, blob_store)
    client.force_login(officer)
    add(client, draft, title="Kept before the outage")
    kept = Evidence.objects.get()
    azure(settings, emulator.connection_string(emulator.free_port()))  # nothing listens there: the store is down
    page = add(client, draft, title="During the outage").content.decode()
    assert "The evidence store cannot be reached just now" in page and STORAGE_DOWN.split(",")[0] in page
    assert list(Evidence.objects.values_list("title", flat=True)) == ["Kept before the outage"]
    response = client.get(reverse("assessments:evidence_download", args=[draft.pk, kept.pk]))
    assert response.status_code == 503 and "cannot be fetched just now" in response.content.decode()
    azure(settings, blob_store)  # back again: the file is there
    assert b"".join(client.get(reverse("assessments:evidence_download", args=[draft.pk, kept.pk])).streaming_content) == PDF


def test_evidence_uploaded_through_one_server_downloads_through_another(tmp_path, blob_store):
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp_path / 'shared.sqlite3'}", AZURE_STORAGE_CONNECTION_STRING=blob_store)
    for key in ("SECRET_KEY", "EMAIL_BACKEND", "DJANGO_SETTINGS_MODULE"):
        env.pop(key, None)
    result = subprocess.run([sys.executable, "-W", "ignore", "bench/shared_state.py"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "evidence downloaded through B: HTTP 200, the same bytes" in result.stdout
