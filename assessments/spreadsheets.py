"""Assessments to and from spreadsheets (XLSX and CSV): our own layout and Medway-like ones.

Parsing never raises anything but SpreadsheetError, whose message is for the user.
"""

import csv
import io
import itertools
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from common.sheets import csv_unescape
from maturity import rules

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_ROWS = 2000
MAX_COLUMNS = 200
MAX_CELLS = 50_000  # Medway's six-year history is about 1,000
MAX_PARTS = 500
MAX_PART_BYTES = 20 * 1024 * 1024  # uncompressed, any one part of the workbook
MAX_UNZIPPED_BYTES = 60 * 1024 * 1024
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted .xlsx and old .xls
ZIP_SIGNATURE = b"PK\x03\x04"
HEADER_SCAN_ROWS = 15
OUR_COLUMNS = [
    "Framework", "Number", "Key area", "Objective", "Level", "Level name", "Working towards", "Comment", "Action", "Evidence",
    "Previous level", "Score as imported", "Out of scope", "Why out of scope", "Evidence attached",
    "Key area matters most", "Key area support needed",
]
FILE_PREFIX = "file: "


def evidence_cell(items):
    """The 'Evidence attached' cell: one line per item, 'title | address' or 'title | file: name' (read back by evidence_lines)."""
    return "\n".join(f"{e.title} | {e.url}" if e.url else f"{e.title} | {FILE_PREFIX}{e.original_name}" for e in items)


def evidence_lines(text):
    """[(title, url or '', file name or '')] from an 'Evidence attached' cell; also our earlier 'title (address); …'.
    SpreadsheetError-free: a line it cannot read comes back as (line, '', '') for the caller to report."""
    items = []
    lines = [line.strip() for line in str(text or "").splitlines() if line.strip()]
    if len(lines) == 1 and " | " not in lines[0]:
        lines = [part.strip() for part in lines[0].split("; ") if part.strip()]
    for line in lines:
        if " | " in line:
            title, target = (part.strip() for part in line.rsplit(" | ", 1))
        else:
            match = re.fullmatch(r"(.*) \(([^()]*)\)", line)
            title, target = (match[1].strip(), match[2].strip()) if match else (line, "")
        if target.startswith(FILE_PREFIX):
            items.append((title, "", target[len(FILE_PREFIX) :]))
        elif target.lower().startswith(("http://", "https://")):
            items.append((title, target, ""))
        elif target and "." in target and " " not in target:
            items.append((title, "", target))  # an earlier export's file name
        else:
            items.append((line, "", ""))
    return items


class SpreadsheetError(ValueError):
    pass


# Reading ---------------------------------------------------------------------------------


def read_table(name, data):
    """(rows as lists of strings, notes) from an uploaded XLSX or CSV."""
    if not data:
        raise SpreadsheetError("The file is empty.")
    if len(data) > MAX_UPLOAD_BYTES:
        raise SpreadsheetError(f"The file is {len(data) / 1024 / 1024:.1f} MB; the limit is {MAX_UPLOAD_BYTES // 1024 // 1024} MB.")
    if data.startswith(OLE_SIGNATURE):
        raise SpreadsheetError("This looks like a password-protected workbook or an old .xls file. Remove the password, or save it as .xlsx, and try again.")
    if data.startswith(ZIP_SIGNATURE):
        return _read_xlsx(data)
    if name.lower().endswith((".xlsx", ".xlsm")):
        raise SpreadsheetError("This file is not a valid .xlsx workbook (it may be damaged, or another kind of file renamed).")
    return _read_csv(data), []


def _open_zip(data):
    """The archive, after checking what it would unzip to: a few KB must not become gigabytes of XML."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise SpreadsheetError("This file is not a valid .xlsx workbook (it may be damaged, or another kind of file renamed).") from error
    if len(infos) > MAX_PARTS:
        raise SpreadsheetError(f"The workbook holds {len(infos):,} parts; a scores sheet needs a few dozen. Save just the scores as a new workbook.")
    biggest = max((info.file_size for info in infos), default=0)
    total = sum(info.file_size for info in infos)
    if biggest > MAX_PART_BYTES or total > MAX_UNZIPPED_BYTES:
        raise SpreadsheetError(
            f"The workbook unzips to {total / 1024 / 1024:,.0f} MB; a scores sheet is well under {MAX_PART_BYTES // 1024 // 1024} MB. Save just the scores as a new workbook."
        )
    # Count rows and cells in the raw XML before any parser sees it (openpyxl scans a whole sheet that lacks a
    # <dimension> just to open it), decompressing in chunks so memory stays flat whatever the sheet unzips to.
    try:
        for info in infos:
            if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                _scan_sheet(archive, info)
    except SpreadsheetError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError, RuntimeError) as error:
        raise SpreadsheetError("This file is not a valid .xlsx workbook (it may be damaged, or another kind of file renamed).") from error
    return archive


def _scan_sheet(archive, info):
    rows = cells = 0
    tail = b""
    with archive.open(info) as part:
        while chunk := part.read(256 * 1024):
            window = tail + chunk
            cut = max(window.rfind(b"<"), 0)  # a tag split across chunks is counted in the next window
            body, tail = window[:cut], window[cut:]
            rows += _count(_ROW_TAG, body, MAX_ROWS + 1)
            cells += _count(_CELL_TAG, body, MAX_CELLS + 1)
            if rows > MAX_ROWS:
                raise SpreadsheetError(f"The sheet has more than {MAX_ROWS:,} rows; an assessment has at most a few hundred.")
            if cells > MAX_CELLS:
                raise SpreadsheetError(f"The sheet has more than {MAX_CELLS:,} cells; a scores sheet has a few thousand. Save just the scores as a new workbook.")
            merged = _MERGED.findall(body)
            if merged:
                ranges = ", ".join(ref.decode() for ref in merged[:5])
                raise SpreadsheetError(f"The sheet has merged cells ({ranges}). Unmerge them so that each objective is one row, and try again.")


def _count(pattern, xml, limit):
    """How often `pattern` occurs, counting no further than `limit`."""
    return sum(1 for _ in itertools.islice(pattern.finditer(xml), limit))


_ROW_TAG = re.compile(rb"<(?:[A-Za-z]+:)?row[\s>/]")
_CELL_TAG = re.compile(rb"<(?:[A-Za-z]+:)?c[\s>/]")
_MERGED = re.compile(rb'<(?:[A-Za-z]+:)?mergeCell ref="([A-Z0-9:]{1,20})"')


def _read_xlsx(data):
    """Streamed (openpyxl read-only mode) with hard caps applied while reading: rows, columns per row, cells."""
    _open_zip(data)
    try:
        book = load_workbook(io.BytesIO(data), data_only=False, read_only=True)
        names = book.sheetnames
        sheet = book["Scores"] if "Scores" in names else book[names[0]]
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, IndexError, AttributeError) as error:
        raise SpreadsheetError("This file is not a valid .xlsx workbook (it may be damaged, or another kind of file renamed).") from error
    except Exception as error:  # openpyxl raises many kinds on malformed XML
        raise SpreadsheetError("This workbook could not be read; save it again from Excel as .xlsx and retry.") from error
    notes = []
    if len(names) > 1:
        notes.append(f"Read the sheet “{sheet.title}”; ignored the other sheets: {', '.join(n for n in names if n != sheet.title)}.")
    try:
        rows, cells = [], 0
        for row_number, row in enumerate(sheet.iter_rows(), start=1):
            if row_number > MAX_ROWS:
                raise SpreadsheetError(f"The sheet has more than {MAX_ROWS:,} rows; an assessment has at most a few hundred.")
            if len(row) > MAX_COLUMNS:
                raise SpreadsheetError(f"Row {row_number} has {len(row):,} columns; a scores sheet has at most {MAX_COLUMNS}.")
            cells += len(row)
            if cells > MAX_CELLS:
                raise SpreadsheetError(f"The sheet has more than {MAX_CELLS:,} cells; a scores sheet has a few thousand. Save just the scores as a new workbook.")
            values = []
            for column_number, cell in enumerate(row, start=1):
                if getattr(cell, "data_type", None) == "f":
                    raise SpreadsheetError(f"Cell {get_column_letter(column_number)}{row_number} holds a formula. Paste the sheet as values only, and try again.")
                values.append(_cell_text(cell.value))
            rows.append(values)
    except SpreadsheetError:
        raise
    except Exception as error:  # malformed XML inside the sheet
        raise SpreadsheetError("This workbook could not be read; save it again from Excel as .xlsx and retry.") from error
    finally:
        book.close()
    return rows, notes


def _cell_text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_csv(data):
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = _decode(data, "utf-16")
    elif b"\x00" in data:
        raise SpreadsheetError("This file is neither a spreadsheet nor a text CSV file.")
    else:
        text = None
        for encoding in ("utf-8-sig", "cp1252"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        if text is None:
            raise SpreadsheetError("The CSV file's text encoding is not recognised. Save it as “CSV UTF-8” and try again.")
    if "\x00" in text:
        raise SpreadsheetError("This file is neither a spreadsheet nor a text CSV file.")
    # The standard dialect (quote "), never guessed from the content: a comment with an apostrophe must not
    # become a quote character. Only the separator varies (Excel writes ";" in some locales): the commonest
    # of , ; and tab on the first line.
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    rows = []
    try:
        for row in csv.reader(io.StringIO(text, newline=""), csv.excel, delimiter=delimiter):
            if len(rows) >= MAX_ROWS:
                raise SpreadsheetError(f"The file has more than {MAX_ROWS:,} rows; an assessment has at most a few hundred.")
            if len(row) > MAX_COLUMNS:
                raise SpreadsheetError(f"Row {len(rows) + 1} has {len(row):,} columns; a scores sheet has at most {MAX_COLUMNS}.")
            rows.append([csv_unescape(cell.strip()) for cell in row])
    except csv.Error as error:
        raise SpreadsheetError(f"The CSV file could not be read: {error}.") from error
    return rows


def _decode(data, encoding):
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        raise SpreadsheetError("The CSV file's text encoding is not recognised. Save it as “CSV UTF-8” and try again.") from error


# Understanding the columns ---------------------------------------------------------------


@dataclass
class Columns:
    number: int
    level: int
    name: int | None = None
    comment: int | None = None
    action: int | None = None
    evidence: int | None = None
    working_towards: int | None = None
    out_of_scope: int | None = None
    out_of_scope_reason: int | None = None
    evidence_links: int | None = None
    written: int | None = None
    matters_most: int | None = None
    support_needed: int | None = None


def _norm(text):
    text = str(text).strip()
    if text in ("#", "No.", "No"):  # Medway's sheet heads its number column "#"
        return "number"
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def _find(headers, *candidates, contains=None):
    for wanted in candidates:
        if wanted in headers:
            return headers.index(wanted)
    if contains:
        for i, header in enumerate(headers):
            if all(part in header for part in contains):
                return i
    return None


def _columns_in(headers, year, overrides):
    """Columns if this header row has a number and a level column (by override or by name), else None."""

    def pick(key, found):
        return headers.index(_norm(overrides[key])) if key in overrides and _norm(overrides[key]) in headers else (None if key in overrides else found)

    y = str(year) if year else None
    year_score = [f"{y} score", f"score {y}"] if y else []
    number = pick("number", _find(headers, "number", "objective number", "objective code", "objective ref", "ref", "reference", "objective no", "code"))
    level = pick("level", _find(headers, "level", "score", *year_score, "current level", "council score", contains=[y, "score"] if y else None))
    if number is None or level is None:
        return None
    year_comment = [f"{y} comments and action", f"{y} comments"] if y else []
    return Columns(
        number=number,
        level=level,
        name=pick("name", _find(headers, "objective", "objective name", "name")),
        comment=pick("comment", _find(headers, "comment", "comments", "comments and action", "comments and actions", *year_comment, contains=[y, "comment"] if y else None)),
        action=pick("action", _find(headers, "action", "actions")),
        evidence=pick("evidence", _find(headers, "evidence")),
        working_towards=_find(headers, "working towards"),
        out_of_scope=_find(headers, "out of scope", "not applicable"),
        out_of_scope_reason=_find(headers, "why out of scope", "out of scope reason"),
        evidence_links=_find(headers, "evidence attached", "evidence links"),
        written=_find(headers, "score as imported") if _find(headers, "level") == level else None,
        matters_most=_find(headers, "key area matters most", "matters most"),
        support_needed=_find(headers, "key area support needed", "support needed"),
    )


def find_columns(rows, year=None, overrides=None):
    """(header row index, Columns) recognised by header, for our layout and Medway's ('2023 Score', '2023 Comments and action').

    `overrides` maps number/level/name/comment/action/evidence to header texts the user typed.
    """
    overrides = {key: value for key, value in (overrides or {}).items() if value}
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        headers = [_norm(cell) for cell in row]
        if not any(headers):
            continue
        columns = _columns_in(headers, year, overrides)
        if columns is not None:
            missing = [f"“{text}” (for {key})" for key, text in overrides.items() if _norm(text) not in headers]
            if missing:
                raise SpreadsheetError(f"There is no column headed {', '.join(missing)}. The headers are: {', '.join(c for c in row if c)}.")
            return index, columns
    wanted = f"a level (or “{year} Score”) column" if year else "a level column"
    raise SpreadsheetError(f"No header row names an objective number column and {wanted}. Name the columns on the form, or use the layout of our export.")


# Reading the values ----------------------------------------------------------------------

def _truthy(text):
    return _norm(text) in {"yes", "y", "true", "1", "x"}


@dataclass
class ImportRow:
    line: int
    number: int | None
    values: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)
    original: str = ""
    extras: dict = field(default_factory=dict)


def parse_rows(rows, columns, header_index):
    """ImportRows for every non-blank data row; each problem recorded against its row."""
    result, seen = [], {}
    for offset, row in enumerate(rows[header_index + 1 :], start=header_index + 2):

        def cell(index, row=row):
            return row[index].strip() if index is not None and index < len(row) else ""

        if not any(str(value).strip() for value in row):
            continue
        item = ImportRow(line=offset, number=None)
        number_text = cell(columns.number)
        match = re.fullmatch(r"(\d+)(?:\.0+)?", number_text)
        if not match:
            item.problems.append(f"“{number_text}” is not an objective number." if number_text else "No objective number.")
        else:
            item.number = int(match[1])
            if item.number in seen:
                item.problems.append(f"Objective {item.number} appears twice (rows {seen[item.number]} and {offset}).")
            seen.setdefault(item.number, offset)
        level_text = cell(columns.level)
        item.original = level_text
        try:
            item.values["level"], item.values["working_towards"] = rules.parse_level(level_text)
        except rules.LevelError as error:
            item.problems.append(str(error))
        if columns.working_towards is not None and _truthy(cell(columns.working_towards)):
            item.values["working_towards"] = True
        if columns.written is not None and cell(columns.written) and "level" in item.values:
            # Our export's "Score as imported" ("2/3" as Medway wrote it) is kept when it says the same as the level columns.
            try:
                if rules.parse_level(cell(columns.written)) == (item.values["level"], item.values["working_towards"]):
                    item.original = cell(columns.written)
            except rules.LevelError:
                pass
        if columns.out_of_scope is not None:
            item.values["out_of_scope"] = _truthy(cell(columns.out_of_scope))
        if columns.out_of_scope_reason is not None:
            item.values["out_of_scope_reason"] = cell(columns.out_of_scope_reason)
        for key in ("comment", "action", "evidence"):
            index = getattr(columns, key)
            if index is None:
                continue
            item.values[key] = cell(index)
        if columns.name is not None:
            item.values["name"] = cell(columns.name)
        # Not fields of the score: the evidence behind it, and its key area's value-code answers.
        if columns.evidence_links is not None:
            item.extras["evidence_links"] = evidence_lines(cell(columns.evidence_links))
        for key in ("matters_most", "support_needed"):
            if getattr(columns, key) is not None:
                item.extras[key] = _truthy(cell(getattr(columns, key)))
        result.append(item)
    if not result:
        raise SpreadsheetError("The sheet has a header row but no objectives under it.")
    return result


def names_match(given, expected):
    a, b = _norm(given), _norm(expected)
    return not a or a == b or a in b or b in a or SequenceMatcher(None, a, b).ratio() >= 0.6

