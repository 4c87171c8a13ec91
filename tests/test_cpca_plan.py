"""Cambridgeshire & Peterborough's NPS 2022 action plan (seed 004, §3.3–3.10), every row, entered as its officers
would through the plan pages, and read back as written: on the page, in the export and in the PDF (issue #19).

Rows in the NPS areas become key-area lines with their levels ("Minimum/ Developing" included); §3.3 (resourcing,
training) and §3.7 (the Procurement Hub, "not based on the NPS behaviour/ areas") become lines outside the
framework, their current position and targets in words.
"""

import io
import re
from html import unescape

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from actionplans.models import ActionPlan
from assessments.services import assessment_start
from councils.models import Council, Membership
from maturity.models import Framework
from reports.pdf import render_pdf, report_html

from .conftest import SEEDS, make_council, make_user
from .cpca_seed import plan_rows, split_level

pytestmark = pytest.mark.skipif(not SEEDS.exists(), reason="the source documents (shared/seeds) are not beside this checkout")

OUTSIDE = {"3.3", "3.7"}  # "Procurement Capability & Talent" resourcing, and the Procurement Hub
KEY_AREA = {
    "3.4": "Enablers",
    "3.5": "Engaging senior managers",
    "3.6": "Creating commercial opportunities",
    "3.8": "Contract and relationship management",
    "3.9": "Managing strategic risk",
    "3.10": "Obtaining social value",
}
BY_NAME = {"Engaging Councillors": "Engaging Councillors", "Working With Partners – Culture": "Working with partners"}


def words(text):
    return re.sub(r"\s+", " ", text).strip()


def page_text(html):
    return words(unescape(re.sub(r"<[^>]+>", " ", html)))


@pytest.fixture
def rows():
    return plan_rows(SEEDS / "004_490c3f4d7b420f9b.txt")


def line_post(row, sections):
    """The line form as an officer fills it in for one of CPCA's rows."""
    outside = row["section"] in OUTSIDE
    data = {
        "section": "" if outside else sections[BY_NAME.get(row["area"], KEY_AREA[row["section"]])].pk,
        "objective": "", "title": row["area"], "current_level": "", "current_level_note": "", "current_text": row["current"],
        "owner": "", "due_date": "", "status": "not_started", "progress_notes": "",
    }
    if not outside:
        level, towards, rest = split_level(row["current"])
        data.update(current_level=level or "", current_text=rest, current_level_note=f"CPCA Procurement Strategy 2023-2025, §{row['section']}")
        if towards:
            data["current_working_towards"] = "on"
    targets = [(year, text) for year, text in row["targets"].items() if text and text != "N/A"]
    data.update({"targets-TOTAL_FORMS": len(targets), "targets-INITIAL_FORMS": 0, "targets-MIN_NUM_FORMS": 0, "targets-MAX_NUM_FORMS": 1000})
    for i, (year, text) in enumerate(targets):
        level, towards, rest = (None, False, text) if outside else split_level(text)
        data.update({f"targets-{i}-year": year, f"targets-{i}-level": level or "", f"targets-{i}-narrative": rest, f"targets-{i}-reason": ""})
        if towards:
            data[f"targets-{i}-working_towards"] = "on"
    return data


def test_every_row_of_cpcas_plan_goes_in_and_comes_back_out_as_written(client, db, rows):
    assert len(rows) == 34 and {row["section"] for row in rows} == {"3.3", "3.4", "3.5", "3.6", "3.7", "3.8", "3.9", "3.10"}
    nps2022 = Framework.objects.get(code="nps-2022")
    sections = {s.name: s for s in nps2022.sections.all()}
    council = make_council("Cambridgeshire & Peterborough Combined Authority", "cpca", directorates=())
    Council.objects.filter(pk=council.pk).update(kind=Council.Kind.COMBINED)
    head = make_user("cpca-head", council, Membership.Role.HEAD)
    client.force_login(head)
    client.post(reverse("actionplans:new"), {"title": "Procurement Strategy 2023-2025 action plan", "framework": nps2022.pk, "start_year": 2024, "end_year": 2025})
    plan = ActionPlan.objects.get(council=council)
    goal = "Over the next two years the aim is to increase the authority's maturity level to between Developing to Mature (2-3)"
    assert client.post(reverse("actionplans:goal_new", args=[plan.pk]), {"text": goal, "level_from": "2", "level_to": "3", "review_date": "2024-12-31"}).status_code == 302
    for row in rows:
        response = client.post(reverse("actionplans:line_new", args=[plan.pk]), line_post(row, sections))
        assert response.status_code == 302, (row["area"], page_text(response.content.decode())[:2000])
    assert "Plan published" in client.post(reverse("actionplans:publish", args=[plan.pk]), {"confirm": "yes"}).content.decode()

    lines = {line.title: line for line in plan.lines.prefetch_related("targets")}
    assert len(lines) == len(rows)
    distress = lines["Supplier Financial Distress (Refresh legal templates)"]
    assert (distress.current_level, distress.current_working_towards, distress.current_label) == (1, True, "1 Minimum / Developing")
    hub = lines["Gateway Process (Improve procurement scrutiny)"]
    assert hub.is_custom and hub.current_text == "No current process in place" and hub.current_level is None
    resourcing = lines["Resourcing levels (Procurement operating model)"]
    assert resourcing.is_custom and resourcing.current_text.startswith("Current team\n1 No FTE Procurement & Contracts Manager")

    # Every text CPCA wrote, on the plan page, in the workbook and in the PDF's HTML; the PDF carries every word.
    written = [row["area"] for row in rows]
    for row in rows:
        outside = row["section"] in OUTSIDE
        written.append(row["current"] if outside else split_level(row["current"])[2])
        for text in row["targets"].values():
            if text and text != "N/A":
                written.append(text if outside else split_level(text)[2])
    written = [words(text) for text in written if text]
    page = page_text(client.get(reverse("actionplans:detail", args=[plan.pk])).content.decode())
    missing = [text for text in written if text not in page]
    assert not missing, missing[:3]
    assert "1 Minimum / Developing" in page and "2 Developing / Mature" in page and "Outside the framework" in page

    book = load_workbook(io.BytesIO(client.get(reverse("actionplans:export", args=[plan.pk])).content))
    cells = words(" ".join(str(value) for row in book["Lines"].values for value in row if value is not None))
    assert not [text for text in written if text not in cells]
    assert "Outside the framework" in cells and "1 Minimum / Developing" in cells

    draft = assessment_start(council_id=council.pk, framework_id=nps2022.pk, year=2024, user=head)
    html = page_text(report_html(draft, "full"))
    assert not [text for text in written if text not in html]
    assert goal in html and "Version 1, published" in html
    pdf_words = set(words(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(render_pdf(report_html(draft, "councillor")))).pages)).split())
    every_word = {word for text in written for word in text.split()}
    unseen = {word for word in every_word if word not in pdf_words}
    assert not unseen, sorted(unseen)[:20]
