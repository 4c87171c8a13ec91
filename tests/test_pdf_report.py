import io
import re
import shutil
import subprocess
import zlib

import pydyf
import pytest
from django.db import transaction
from django.urls import reverse
from pypdf import PdfReader

from actionplans.models import LineTarget
from actionplans.services import plan_create
from assessments.services import assessment_reopen, assessment_start
from councils.models import Membership
from maturity.models import Framework
from reports import pdf_writer
from reports.models import CachedReport
from reports.pdf import report_html, report_pdf

from .conftest import ROOT, load_frameworks, make_council, make_user, publish, run_worker
from .test_dashboards import medway_assessment

pytestmark = pytest.mark.slow

ARTIFACTS = ROOT / "test-artifacts"


def pages_text(pdf):
    reader = PdfReader(io.BytesIO(pdf))
    return [re.sub(r"\s+", " ", page.extract_text()) for page in reader.pages]


@pytest.fixture
def medway(council_a, nps2018, head):
    years = {year: medway_assessment(council_a, nps2018, year, head) for year in (2022, 2023)}
    plan = plan_create(council_id=council_a.pk, framework_id=nps2018.pk, title="Procurement improvement plan", start_year=2024, end_year=2026, user=head, line_per_key_area=True)
    line = plan.lines.get(section__number=2)
    LineTarget.objects.create(line=line, year=2025, level=3, narrative="Commercial training for senior managers")
    plan.kpis.create(name="On-contract spend", kind="quantity", unit="percent", baseline_value="96.6").values.create(period_start="2024-04-01", actual="97.1")
    publish(plan, before=years[2023])
    return years


@pytest.fixture(scope="module")
def medway_pdf(django_db_blocker, django_db_setup):
    """One full report of Medway's 59-objective 2023 assessment, shared by the read-back tests (it takes seconds)."""
    with django_db_blocker.unblock():
        with transaction.atomic():
            if not Framework.objects.filter(code="nps-2018").exists():  # flushed by a transactional test
                load_frameworks()
            council = make_council("Medway Test Council", "medway-test")
            head = make_user("medway-head", council, Membership.Role.HEAD)
            nps2018 = Framework.objects.get(code="nps-2018")
            medway_assessment(council, nps2018, 2022, head)
            assessment = medway_assessment(council, nps2018, 2023, head)
            draft = assessment_start(council_id=council.pk, framework_id=nps2018.pk, year=2024, user=head, carry_forward=True)
            result = {"submitted": report_pdf(assessment), "draft": report_pdf(draft), "assessment": assessment, "objectives": list(nps2018.objectives.order_by("number"))}
            transaction.set_rollback(True)
    return result


def test_full_report_names_the_council_year_and_every_objective(medway_pdf):
    pages = pages_text(medway_pdf["submitted"])
    text = " ".join(pages)
    assert "Medway Test Council" in pages[0] and "2023" in pages[0]
    assert "Submitted on" in pages[0]
    missing = [o.name for o in medway_pdf["objectives"] if re.sub(r"\s+", " ", o.name) not in text]
    assert missing == []
    assert len(pages) > 25  # 59 objectives with their descriptor tables


def test_full_report_shows_chosen_levels(medway_pdf):
    text = " ".join(pages_text(medway_pdf["submitted"]))
    objectives = {o.number: o for o in medway_pdf["objectives"]}
    # Medway 2023: objective 3 "2/3", objective 4 at 4, objective 9 at 3.
    assert f"3. {objectives[3].name} 2/3 Developing" in text
    assert f"4. {objectives[4].name} 4 Leader" in text
    assert f"9. {objectives[9].name} 3 Mature" in text
    assert "2 Developing (chosen)" in text and "Working towards the next level: 2 Developing / Mature (2/3)" in text


def test_the_previous_years_split_score_reads_in_words_as_year_on_year_shows_it(medway_pdf):
    """Issue 26: the year before is printed through the same shown level as every page ("2/3" is "2 Developing /
    Mature (2/3)", never a bare "2"): the 2024 draft's previous year is Medway's 2023, objective 3 at 2/3."""
    text = re.sub(r"\s+", " ", " ".join(pages_text(medway_pdf["draft"])))
    assert "2023: 2 Developing / Mature (2/3)." in text
    assert "2023: 2." not in text


def test_draft_is_marked_on_every_page_and_submitted_on_none(medway_pdf):
    draft_pages = pages_text(medway_pdf["draft"])
    assert all("DRAFT" in page for page in draft_pages), [i for i, p in enumerate(draft_pages) if "DRAFT" not in p]
    assert not any("DRAFT" in page for page in pages_text(medway_pdf["submitted"]))


def test_report_embeds_only_our_own_font(medway_pdf):
    reader = PdfReader(io.BytesIO(medway_pdf["submitted"]))
    fonts = set()
    for page in reader.pages[:6]:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = descendant["/FontDescriptor"].get_object()
            assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")), font["/BaseFont"]
            fonts.add(str(font["/BaseFont"]).split("+")[-1])
    assert fonts and all(name.startswith("Report-Sans") for name in fonts), fonts


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="poppler-utils not installed (bin/setup test installs it)")
def test_summary_page_renders_with_the_level_colours(medway_pdf, tmp_path):
    from PIL import Image

    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(medway_pdf["submitted"])
    subprocess.run(["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "6", str(pdf), str(tmp_path / "page")], check=True)
    ARTIFACTS.mkdir(exist_ok=True)
    pngs = sorted(tmp_path.glob("page-*.png"))
    for png in pngs:
        shutil.copy(png, ARTIFACTS / f"report-{png.name}")
    summary = Image.open(pngs[2]).convert("RGB")  # cover, contents, summary
    colours = {colour for _, colour in summary.getcolors(maxcolors=1 << 20)}
    assert (0x22, 0xA8, 0x84) in colours and (0x2A, 0x78, 0x8E) in colours  # 3 Mature and 4 Leader bars


def test_councillor_edition_is_summary_and_action_plan_only(medway):
    html = report_html(medway[2023], "councillor")
    assert "Councillor edition" in html and "Action plan 2024–2026" in html and "Commercial training for senior managers" in html
    assert 'class="objective"' not in html and "What it is:" not in html


def test_download_is_named_and_councillors_get_only_submitted(client, councillor, officer, medway, council_a, nps2018, head):
    draft = assessment_start(council_id=council_a.pk, framework_id=nps2018.pk, year=2024, user=head, carry_forward=True)
    client.force_login(councillor)
    waiting = client.get(reverse("reports:pdf", args=[medway[2023].pk]), {"edition": "councillor"})
    assert waiting.status_code == 200 and "is being prepared" in waiting.content.decode()
    run_worker()
    response = client.get(reverse("reports:pdf", args=[medway[2023].pk]), {"edition": "councillor"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    # It opens in the browser's own viewer (a phone included); "download" saves it instead.
    assert response["Content-Disposition"] == 'inline; filename="alpha-nps-2018-2023-councillor.pdf"'
    saved = client.get(reverse("reports:pdf", args=[medway[2023].pk]), {"edition": "councillor", "download": "1"})
    assert saved["Content-Disposition"] == 'attachment; filename="alpha-nps-2018-2023-councillor.pdf"'
    assert client.get(reverse("reports:pdf", args=[draft.pk])).status_code == 403
    client.force_login(officer)
    assert client.get(reverse("reports:pdf", args=[medway[2023].pk]), {"edition": "nonsense"}).status_code == 404


def test_submitted_report_is_cached_until_reopened_or_the_plan_changes(medway, head):
    assessment = medway[2023]
    first = report_pdf(assessment, "councillor")
    cached = CachedReport.objects.get(assessment=assessment, edition="councillor")
    assert report_pdf(assessment, "councillor") == first
    assert CachedReport.objects.get(pk=cached.pk).fingerprint == cached.fingerprint
    plan = assessment.council.action_plans.get()
    plan.touch()
    report_pdf(assessment, "councillor")
    assert CachedReport.objects.get(assessment=assessment, edition="councillor").fingerprint != cached.fingerprint
    assessment_reopen(assessment_id=assessment.pk, user=head, reason="Late evidence from Place")
    assert not CachedReport.objects.filter(assessment=assessment).exists()


def test_report_html_takes_a_bounded_number_of_queries(medway, django_assert_max_num_queries):
    with django_assert_max_num_queries(30):
        report_html(medway[2023])


def structure(pdf):
    """[(tag, alt)] of the PDF's structure tree, depth first."""
    reader = PdfReader(io.BytesIO(pdf))
    found = []

    def walk(node):
        node = node.get_object()
        if isinstance(node, list):
            for kid in node:
                walk(kid)
            return
        if hasattr(node, "get") and node.get("/S"):
            found.append((str(node["/S"]), str(node.get("/Alt", ""))))
            if node.get("/K") is not None:
                walk(node["/K"])

    walk(reader.trailer["/Root"]["/StructTreeRoot"]["/K"])
    return reader, found


def test_the_report_is_a_tagged_accessible_pdf(medway_pdf):
    reader, tags = structure(medway_pdf["submitted"])
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en-GB" and root["/MarkInfo"]["/Marked"]
    assert "maturity report" in reader.metadata.title
    names = [tag for tag, _ in tags]
    assert {"/H1", "/H2", "/Table", "/TH", "/TD"} <= set(names)
    figures = [alt for tag, alt in tags if tag == "/Figure"]
    assert len(figures) >= 3 and all(figures), figures  # every chart says what it shows
    assert any(alt.startswith("Overall score distribution:") and "at 3 Mature" in alt for alt in figures)


def test_the_blank_response_sheet_is_tagged_too(client, officer, draft):
    client.force_login(officer)
    response = client.get(reverse("ratings:response_sheet", args=[draft.pk]), {"format": "pdf"})
    reader, tags = structure(response.content)
    assert reader.trailer["/Root"]["/Lang"] and any(tag == "/Table" for tag, _ in tags)


def test_the_collector_pause_ends_with_the_layout_even_when_it_fails(monkeypatch):
    import gc

    from reports import pdf

    seen = []

    class Exploding:
        def __init__(self, **kwargs):
            pass

        def write_pdf(self, **kwargs):
            seen.append(gc.isenabled())
            raise RuntimeError("layout failed")

    monkeypatch.setattr(pdf, "HTML", Exploding)
    assert gc.isenabled()
    with pytest.raises(RuntimeError):
        pdf.render_pdf("<p>x</p>")
    assert seen == [False] and gc.isenabled()
    gc.disable()  # a caller that had it off keeps it off
    try:
        with pytest.raises(RuntimeError):
            pdf.render_pdf("<p>x</p>")
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_contents_lists_each_key_area_with_the_page_it_starts_on(medway_pdf):
    pages = pages_text(medway_pdf["submitted"])
    contents = pages[1]
    assert "Contents" in contents
    starts = {}
    for number, name in ((1, "Engaging Councillors"), (4, "Engaging strategic suppliers"), (11, "Enablers")):
        listed = re.search(rf"{number}\. {name} (\d+)", contents)
        assert listed, f"{name} is not in the contents with a page number"
        starts[number] = int(listed.group(1))
        assert pages[starts[number] - 1].count(f"{number}. {name}") >= 1  # its heading (and running footer) are there
    assert 2 < starts[1] < starts[4] < starts[11] <= len(pages)


def test_pdf_writer_compresses_at_the_default_level_and_inflates_to_the_same_bytes():
    pdf_writer.install()
    pdf_writer.install()  # twice is the same as once
    content = b"<</Type/StructElem/S/Span/K[0]/Pg 12 0 R/P 345 0 R>>\n" * 4000
    stream = pydyf.Stream([content], compress=True)
    deflated = re.search(rb"stream\n(.*)\nendstream", stream.data, re.S).group(1)
    inflated = zlib.decompress(deflated)
    assert inflated.strip() == content.strip()
    level6 = zlib.compressobj(6)
    assert deflated == level6.compress(inflated) + level6.flush()  # pydyf alone would have used level 9


def test_pdf_writer_page_references_follow_pages_as_they_are_added():
    pdf_writer.install()
    document = pydyf.PDF()
    first = pydyf.Dictionary({"Type": "/Page"})
    document.add_page(first)
    assert document.page_references == (first.reference,)
    second = pydyf.Dictionary({"Type": "/Page"})
    document.add_page(second)
    assert document.page_references == (first.reference, second.reference)


def test_pdf_writer_writes_every_kind_of_value_as_pydyf_does():
    pdf_writer.install()
    assert pydyf._to_bytes is pdf_writer._to_bytes
    values = [b"/Span", "/P", 0, 7, -12, 10**20, True, False, 0.5, 2.0, -1.25, None, pydyf.String("Comment: (draft)"), pydyf.Array([1, "/Name", 3.5])]
    for value in values:
        assert pdf_writer._to_bytes(value) == pdf_writer._pydyf_to_bytes(value), value
    element = pydyf.Dictionary({"Type": "/StructElem", "S": "/Span", "K": pydyf.Array([0, 1]), "Pg": b"12 0 R", "Alt": pydyf.String("Chart")})
    assert element.data == b"<</Type /StructElem/S /Span/K [0 1]/Pg 12 0 R/Alt (Chart)>>"
    with pytest.raises(UnicodeEncodeError):
        pdf_writer._to_bytes("é")  # pydyf's own error for text that is not ASCII, so String still falls back to UTF-16
    assert pydyf.String("é").data == b"<feff00e9>"
