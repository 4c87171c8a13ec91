"""Spreadsheets parsed within a budget, whatever their shape (issue 27's catalogue): each bomb is refused with the
importer's plain message, changes nothing, and costs a small multiple of a normal re-upload of the app's own export
(measured in the same run) and a few MB of memory."""

import io
import time
import tracemalloc
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments.models import Score
from assessments.spreadsheets import SpreadsheetError, read_table

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def workbook(parts, *, sheet_target="worksheets/sheet1.xml", shared=False, sheets=1):
    """A workbook with these extra parts, its sheet list and relationships written as Excel writes them."""
    out = io.BytesIO()
    listed = "".join(f'<sheet name="Sheet{i}" sheetId="{i}" r:id="rId{i}"/>' for i in range(1, sheets + 1))
    rels = "".join(f'<Relationship Id="rId{i}" Type="{RELS}/worksheet" Target="{sheet_target if i == 1 else f"worksheets/sheet{i}.xml"}"/>' for i in range(1, sheets + 1))
    if shared:
        rels += f'<Relationship Id="rIdS" Type="{RELS}/sharedStrings" Target="sharedStrings.xml"/>'
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", f'<?xml version="1.0"?><workbook {NS} xmlns:r="{RELS}"><sheets>{listed}</sheets></workbook>')
        archive.writestr("xl/_rels/workbook.xml.rels", f'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>')
        for name, body in parts.items():
            archive.writestr(name, body)
    return out.getvalue()


def sheet(rows, *, cell="<c><v>1</v></c>", prefix="", tag="row"):
    p = f"{prefix}:" if prefix else ""
    ns = f'xmlns:{prefix}="http://schemas.openxmlformats.org/spreadsheetml/2006/main"' if prefix else NS
    return f'<?xml version="1.0"?><{p}worksheet {ns}><{p}sheetData>{rows}</{p}sheetData></{p}worksheet>'


def one_row(cells, cell="<c><v>1</v></c>", prefix=""):
    p = f"{prefix}:" if prefix else ""
    return f"<{p}row>" + cell.replace("<c>", f"<{p}c>").replace("</c>", f"</{p}c>").replace("<v>", f"<{p}v>").replace("</v>", f"</{p}v>") * cells + f"</{p}row>"


BOMBS = {
    "4,000,000 cells in a part outside xl/worksheets/": lambda: workbook({"xl/other/data.xml": sheet(one_row(4_000_000))}, sheet_target="other/data.xml"),
    "2,800,000 cells with prefixed references": lambda: workbook({"xl/worksheets/sheet1.xml": sheet(one_row(2_800_000, prefix="x0"), prefix="x0")}),
    "three sheets of 20 MB each": lambda: workbook({f"xl/worksheets/sheet{i}.xml": sheet(one_row(1, cell=f"<c t=\"inlineStr\"><is><t>{'x' * 20_000_000}</t></is></c>")) for i in (1, 2, 3)}, sheets=3),
    "1,000,000 shared strings": lambda: workbook(
        {"xl/sharedStrings.xml": f"<?xml version=\"1.0\"?><sst {NS}>" + "<si><t>a</t></si>" * 1_000_000 + "</sst>", "xl/worksheets/sheet1.xml": sheet(one_row(2, cell='<c t="s"><v>0</v></c>'))},
        shared=True,
    ),
    "100,000 rows with upper-case tags": lambda: workbook({"xl/worksheets/sheet1.xml": sheet("<ROW><C><V>1</V></C></ROW>" * 100_000)}),
    "300,000 cell styles": lambda: workbook(
        {"xl/styles.xml": f"<?xml version=\"1.0\"?><styleSheet {NS}><cellXfs>" + '<xf numFmtId="0"/>' * 300_000 + "</cellXfs></styleSheet>", "xl/worksheets/sheet1.xml": sheet(one_row(2))}
    ),
    "a cell at row 1,000,000": lambda: workbook({"xl/worksheets/sheet1.xml": sheet('<row r="1000000"><c r="A1000000"><v>1</v></c></row>')}),
    "a cell in column XFD": lambda: workbook({"xl/worksheets/sheet1.xml": sheet('<row r="1"><c r="XFD1"><v>1</v></c></row>')}),
    "a billion laughs": lambda: workbook(
        {"xl/worksheets/sheet1.xml": '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>' + sheet("<row><c t=\"inlineStr\"><is><t>&b;</t></is></c></row>").split("?>", 1)[1]}
    ),
    "deep nesting": lambda: workbook({"xl/worksheets/sheet1.xml": sheet("<row>" + "<x>" * 300_000 + "</x>" * 300_000 + "</row>")}),
}
NEVER_READ = {"300,000 cell styles"}  # styles are not read at all: the sheet itself imports, at normal cost
CSV_BOMBS = {
    "a 5 MB CSV of one line": b"Number,Level,Comment\n1,3," + b"x" * (5 * 1024 * 1024 - 40),
    "a million empty lines": b"Number,Level\n" + b"\n" * 1_000_000,
    "a million commas": b"Number,Level\n" + b"," * 1_000_000,
}


def upload(client, assessment, content, name):
    return client.post(reverse("assessments:import", args=[assessment.pk]), {"file": SimpleUploadedFile(name, content)})


def measured(call, memory=True):
    """(result, seconds, peak bytes allocated): time is taken without tracemalloc, which slows Python code tenfold."""
    if memory:
        tracemalloc.start()
    started = time.perf_counter()
    result = call()
    took = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] if memory else 0
    if memory:
        tracemalloc.stop()
    return result, took, peak


def levels(assessment):
    return list(Score.objects.filter(assessment=assessment).order_by("objective__number").values_list("level", "comment", "version"))


@pytest.fixture
def own_export(client, officer, last_year):
    client.force_login(officer)
    return client.get(reverse("assessments:export", args=[last_year.pk])).content


@pytest.mark.parametrize("name", list(BOMBS) + list(CSV_BOMBS))
def test_every_spreadsheet_bomb_is_refused_within_a_budget_and_changes_nothing(client, officer, blank_draft, own_export, name):
    bomb = BOMBS[name]() if name in BOMBS else CSV_BOMBS[name]
    filename = "bomb.xlsx" if name in BOMBS else "bomb.csv"
    assert len(bomb) < 5 * 1024 * 1024
    client.force_login(officer)
    before = levels(blank_draft)
    normal, normal_took, _ = measured(lambda: upload(client, blank_draft, own_export, "export.xlsx"), memory=False)
    assert normal.status_code == 200 and "could not be read" not in normal.content.decode()
    response, took, _ = measured(lambda: upload(client, blank_draft, bomb, filename), memory=False)
    page = response.content.decode()
    assert response.status_code == 200
    if name not in NEVER_READ:
        assert any(m in page for m in ("more than", "at most", "far bigger", "unzips to", "could not be read", "field larger")), page[-1500:]
    assert took < max(6 * normal_took, 0.5), (name, took, normal_took)  # a ratio: the machine may be busy
    assert levels(blank_draft) == before
    # the parser's own memory (the upload itself, at most 5 MB, is held by Django either way)
    _, _, normal_peak = measured(lambda: read_table("export.xlsx", own_export))
    _, _, peak = measured(lambda: _refusal(bomb, filename))
    assert peak < normal_peak + 20 * 1024 * 1024, (name, peak, normal_peak)


def _refusal(data, filename):
    try:
        return read_table(filename, data)
    except SpreadsheetError as error:
        return error
