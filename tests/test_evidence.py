import io
import zipfile

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments.models import Evidence
from assessments.services import assessment_submit

from .conftest import a_pdf, a_png

PDF = a_pdf()
PNG = a_png()


def docx():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def add(client, assessment, name, content, title="Cabinet report", number=1):
    return client.post(reverse("assessments:evidence", args=[assessment.pk, number]), {"title": title, "file": SimpleUploadedFile(name, content)})


@pytest.mark.parametrize(("name", "content", "kind"), [("report.pdf", PDF, "pdf"), ("chart.png", PNG, "png"), ("plan.docx", docx(), "docx")])
def test_accepted_files_are_stored_outside_the_web_root_under_a_random_name(client, officer, draft, name, content, kind):
    client.force_login(officer)
    assert add(client, draft, name, content).status_code == 302
    evidence = Evidence.objects.get()
    assert evidence.kind == kind and evidence.original_name == name and evidence.size == len(content)
    stored = evidence.file.path
    assert stored.startswith(str(settings.EVIDENCE_ROOT)) and name not in stored
    assert not stored.startswith(str(settings.BASE_DIR / "static"))
    response = client.get(reverse("assessments:evidence_download", args=[draft.pk, evidence.pk]))
    assert b"".join(response.streaming_content) == content
    assert response["Content-Disposition"].startswith("attachment") and response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("report.pdf", PNG, "is a PNG by its content but is named"),
        ("script.pdf", b"#!/bin/sh\nrm -rf /\n", "content is not one we accept"),
        ("macro.docx", b"PK\x03\x04not really a zip", "content is not one we accept"),
        ("empty.pdf", b"", "The submitted file is empty."),
    ],
)
def test_files_are_checked_by_content_and_refused_with_a_reason(client, officer, draft, name, content, message):
    client.force_login(officer)
    response = add(client, draft, name, content)
    assert response.status_code == 200 and message in response.content.decode()
    assert not Evidence.objects.exists()


def test_oversized_files_are_refused(client, officer, draft, settings):
    settings.EVIDENCE_MAX_BYTES = 1024 * 1024
    client.force_login(officer)
    response = add(client, draft, "big.pdf", PDF + b"0" * (1024 * 1024))
    assert "the limit is 1 MB" in response.content.decode() and not Evidence.objects.exists()


def test_links_are_evidence_too_but_only_web_links(client, officer, draft):
    client.force_login(officer)
    url = reverse("assessments:evidence", args=[draft.pk, 1])
    client.post(url, {"title": "Published strategy", "url": "https://example.org/strategy.pdf"})
    bad = client.post(url, {"title": "Sneaky", "url": "javascript:alert(1)"})
    assert "Enter a valid URL" in bad.content.decode() or "must start with https://" in bad.content.decode()
    assert list(Evidence.objects.values_list("title", flat=True)) == ["Published strategy"]


def test_another_council_cannot_download_and_councillors_only_once_submitted(client, officer, councillor, other_officer, draft, head):
    client.force_login(officer)
    add(client, draft, "report.pdf", PDF)
    evidence = Evidence.objects.get()
    url = reverse("assessments:evidence_download", args=[draft.pk, evidence.pk])
    client.force_login(other_officer)
    assert client.get(url).status_code == 404
    client.force_login(councillor)
    assert client.get(url).status_code == 403
    assessment_submit(assessment_id=draft.pk, user=head)
    assert client.get(url).status_code == 200


def test_submitted_assessments_keep_their_evidence(client, officer, draft, head):
    client.force_login(officer)
    add(client, draft, "report.pdf", PDF)
    assessment_submit(assessment_id=draft.pk, user=head)
    evidence = Evidence.objects.get()
    client.post(reverse("assessments:evidence_delete", args=[draft.pk, evidence.pk]))
    add(client, draft, "more.pdf", PDF)
    assert list(Evidence.objects.all()) == [evidence]


def test_evidence_is_listed_in_the_pdf_and_the_export(client, officer, draft):
    from reports.pdf import report_html

    client.force_login(officer)
    add(client, draft, "report.pdf", PDF, title="Cabinet report")
    client.post(reverse("assessments:evidence", args=[draft.pk, 1]), {"title": "Strategy", "url": "https://example.org/s"})
    assert "Evidence attached:</span> Cabinet report (report.pdf); Strategy (https://example.org/s)" in report_html(draft)
    export = client.get(reverse("assessments:export", args=[draft.pk]), {"format": "csv"}).content.decode("utf-8-sig")
    assert "Cabinet report | file: report.pdf\nStrategy | https://example.org/s" in export.replace("\r\n", "\n")


def office(extra, content_types="<Types/>"):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("word/document.xml", "<w:document/>")
        for name, body in extra.items():
            archive.writestr(name, body)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("report.pdf", b"%PDF-1.4\n<html><script>alert(1)</script></html>", "not a valid PDF"),
        ("chart.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "not a valid PNG image"),
        ("photo.jpg", b"\xff\xd8\xff" + b"<html>" * 20, "not a valid JPEG image"),
        ("plan.docx", office({"word/vbaProject.bin": b"\xd0\xcf\x11\xe0macro"}), "holds macros"),
        ("plan.docx", office({}, '<Types><Override ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"/></Types>'), "holds macros"),
        ("plan.docx", office({"word/embeddings/setup.exe": b"MZ\x90\x00" + b"\x00" * 100}), "embedded in it"),
        ("plan.docx", office({"word/embeddings/oleObject1.bin": b"\xd0\xcf\x11\xe0" + b"\x00" * 100}), "embedded in it"),
        ("plan.docx", office({"word/media/big.xml": b" " * (120 * 1024 * 1024)}), "unzips to far more"),
    ],
    ids=["pdf-html-polyglot", "fake-png", "fake-jpeg", "docm-renamed", "macro-content-type", "exe-inside", "ole-inside", "unzip-bomb"],
)
def test_evidence_is_checked_beyond_its_first_bytes_and_refused_with_the_reason(client, officer, draft, name, content, message):
    client.force_login(officer)
    page = add(client, draft, name, content).content.decode()
    assert message in page and not Evidence.objects.exists()
