"""Assessments to and from spreadsheets (XLSX and CSV): our own layout and Medway-like ones.

Parsing never raises anything but SpreadsheetError, whose message is for the user.
"""

import csv
import io
import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from xml.parsers import expat

from openpyxl.utils import get_column_letter

from common.sheets import csv_unescape
from maturity import rules

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_ROWS = 2000
MAX_COLUMNS = 200
MAX_CELLS = 20_000  # Medway's six-year history is about 1,000
MAX_PARTS = 500
MAX_PART_BYTES = 8 * 1024 * 1024  # uncompressed, any one part the importer reads (our own export: about 100 KB)
MAX_UNZIPPED_BYTES = 60 * 1024 * 1024  # what the whole workbook says it unzips to (the other parts are never read)
MAX_ELEMENTS = 100_000  # XML elements over every part read: a cell is two or three, a shared string two
MAX_CHARACTERS = 4_000_000  # text over every part read
MAX_CELL_CHARACTERS = 32_767  # Excel's own limit for one cell
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


NOT_XLSX = "This file is not a valid .xlsx workbook (it may be damaged, or another kind of file renamed)."
UNREADABLE = "This workbook could not be read; save it again from Excel as .xlsx and retry."
TOO_BIG = "The workbook is far bigger than a scores sheet (a few thousand cells). Save just the scores as a new workbook."
SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _open_zip(data):
    """The archive, after checking its directory (how many parts, what each says it unzips to). Nothing is unzipped
    here; the parts read later are read through a counter that stops at their stated size."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise SpreadsheetError(NOT_XLSX) from error
    if len(infos) > MAX_PARTS:
        raise SpreadsheetError(f"The workbook holds {len(infos):,} parts; a scores sheet needs a few dozen. Save just the scores as a new workbook.")
    total = sum(info.file_size for info in infos)
    if total > MAX_UNZIPPED_BYTES:
        raise SpreadsheetError(f"The workbook unzips to {total / 1024 / 1024:,.0f} MB; a scores sheet is well under {MAX_PART_BYTES // 1024 // 1024} MB. Save just the scores as a new workbook.")
    return archive


class _Budget:
    """What one upload may cost while it is parsed: XML elements and characters over every part read. Each count is
    checked as it grows (in _parse_part), so a bomb stops within milliseconds of crossing a cap, whatever its shape."""

    def __init__(self):
        self.elements = 0
        self.characters = 0


def _parse_part(archive, name, handler, budget):
    """Stream one part of the archive through expat into `handler` (start(local, attrs), end(local), text(data)).
    Element names are matched by local name under any namespace prefix; a DTD or entity declaration is refused
    (no entity expansion, no external entities)."""
    try:
        info = archive.getinfo(name)
    except KeyError as error:
        raise SpreadsheetError(NOT_XLSX) from error
    if info.file_size > MAX_PART_BYTES:
        raise SpreadsheetError(f"A part of the workbook unzips to {info.file_size / 1024 / 1024:,.0f} MB; a scores sheet is well under {MAX_PART_BYTES // 1024 // 1024} MB. Save just the scores as a new workbook.")
    parser = expat.ParserCreate(namespace_separator=" ")
    wanted = handler.names

    def refuse(*args):
        raise SpreadsheetError(UNREADABLE)

    def start(tag, attrs):
        budget.elements += 1
        if budget.elements > MAX_ELEMENTS:
            raise SpreadsheetError(TOO_BIG)
        local = tag.rpartition(" ")[2]
        if local in wanted:
            handler.start(local, {key.rpartition(" ")[2]: value for key, value in attrs.items()})

    def end(tag):
        local = tag.rpartition(" ")[2]
        if local in wanted:
            handler.end(local)

    def text(data):
        budget.characters += len(data)
        if budget.characters > MAX_CHARACTERS:
            raise SpreadsheetError(TOO_BIG)
        handler.text(data)

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    read = 0
    try:
        with archive.open(info) as part:
            while chunk := part.read(64 * 1024):
                read += len(chunk)
                if read > info.file_size:  # a part that unzips to more than its directory says
                    raise SpreadsheetError(TOO_BIG)
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except SpreadsheetError:
        raise
    except expat.ExpatError as error:
        raise SpreadsheetError(UNREADABLE) from error
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError, RuntimeError) as error:
        raise SpreadsheetError(NOT_XLSX) from error


class _Collect:
    """Elements with their attributes, for the small parts (workbook and its relationships)."""

    def __init__(self, *names):
        self.names, self.found = set(names), []

    def start(self, name, attrs):
        if name in self.names:
            self.found.append((name, attrs))

    def end(self, name):
        pass

    def text(self, data):
        pass


class _SharedStrings:
    """The shared strings table: each <si>'s text (its runs joined, phonetic hints left out), within the caps."""

    names = {"si", "t", "rPh", "phoneticPr"}

    def __init__(self):
        self.strings, self.current, self.length, self.in_text, self.skip = [], None, 0, False, 0

    def start(self, name, attrs):
        if name == "si":
            if len(self.strings) >= MAX_CELLS:
                raise SpreadsheetError(f"The workbook holds more than {MAX_CELLS:,} texts; a scores sheet has a few thousand. Save just the scores as a new workbook.")
            self.current, self.length = [], 0
        elif name in ("rPh", "phoneticPr"):
            self.skip += 1
        elif name == "t" and self.current is not None and not self.skip:
            self.in_text = True

    def end(self, name):
        if name == "si" and self.current is not None:
            self.strings.append("".join(self.current))
            self.current = None
        elif name in ("rPh", "phoneticPr"):
            self.skip -= 1
        elif name == "t":
            self.in_text = False

    def text(self, data):
        if self.in_text:
            self.current.append(data)
            self.length += len(data)
            if self.length > MAX_CELL_CHARACTERS:
                raise SpreadsheetError(f"A text in the workbook is longer than {MAX_CELL_CHARACTERS:,} characters, Excel's own limit for a cell.")


_CELL_REF = re.compile(r"([A-Z]{1,3})([0-9]{1,7})")


def _column_number(ref):
    match = _CELL_REF.fullmatch(ref or "")
    if not match:
        return None, None
    number = 0
    for letter in match.group(1):
        number = number * 26 + ord(letter) - 64
    return number, int(match.group(2))


class _Sheet:
    """One worksheet's cells as rows of text, refused at the first row, column, cell or character past the caps."""

    names = {"row", "c", "f", "v", "t", "mergeCell"}

    def __init__(self, shared):
        self.shared, self.rows, self.cells = shared, [], 0
        self.row, self.cell, self.value, self.inline, self.reading, self.length = None, None, None, None, None, 0

    def start(self, name, attrs):
        if name == "row":
            number = self._number(attrs.get("r"), len(self.rows) + 1)
            if number > MAX_ROWS:
                raise SpreadsheetError(f"The sheet has more than {MAX_ROWS:,} rows; an assessment has at most a few hundred.")
            while len(self.rows) < number - 1:
                self.rows.append([])
            self.row = []
        elif name == "c" and self.row is not None:
            column, _ = _column_number(attrs.get("r"))
            column = column or len(self.row) + 1
            if column > MAX_COLUMNS:
                raise SpreadsheetError(f"Row {len(self.rows) + 1} has {column:,} columns; a scores sheet has at most {MAX_COLUMNS}.")
            self.cells += 1
            if self.cells > MAX_CELLS:
                raise SpreadsheetError(f"The sheet has more than {MAX_CELLS:,} cells; a scores sheet has a few thousand. Save just the scores as a new workbook.")
            self.cell = {"column": column, "type": attrs.get("t", "n")}
            self.value, self.inline, self.length = [], [], 0
        elif name == "f" and self.cell is not None:
            raise SpreadsheetError(f"Cell {get_column_letter(self.cell['column'])}{len(self.rows) + 1} holds a formula. Paste the sheet as values only, and try again.")
        elif name == "v" and self.cell is not None:
            self.reading = self.value
        elif name == "t" and self.cell is not None:
            self.reading = self.inline
        elif name == "mergeCell":
            raise SpreadsheetError(f"The sheet has merged cells ({attrs.get('ref', '')[:20]}). Unmerge them so that each objective is one row, and try again.")

    def end(self, name):
        if name in ("v", "t"):
            self.reading = None
        elif name == "c" and self.cell is not None:
            while len(self.row) < self.cell["column"] - 1:
                self.row.append("")
            self.row.append(self._text())
            self.cell = None
        elif name == "row" and self.row is not None:
            self.rows.append(self.row)
            self.row = None

    def text(self, data):
        if self.reading is not None:
            self.reading.append(data)
            self.length += len(data)
            if self.length > MAX_CELL_CHARACTERS:
                raise SpreadsheetError(f"A cell in row {len(self.rows) + 1} holds more than {MAX_CELL_CHARACTERS:,} characters, Excel's own limit.")

    def _text(self):
        kind, value = self.cell["type"], "".join(self.value).strip()
        if kind == "s":
            try:
                return self.shared[int(value)].strip()
            except (ValueError, IndexError) as error:
                raise SpreadsheetError(UNREADABLE) from error
        if kind == "inlineStr":
            return "".join(self.inline).strip()
        if kind == "b":
            return "TRUE" if value == "1" else "FALSE"
        if kind in ("str", "e"):
            return value
        try:
            number = float(value)
        except ValueError:
            return value
        return str(int(number)) if number.is_integer() and abs(number) < 1e15 else value

    @staticmethod
    def _number(text, default):
        if text is None:
            return default
        if not text.isascii() or not text.isdigit() or len(text) > 7:
            raise SpreadsheetError(UNREADABLE)
        return int(text)


def _target(base, target):
    """A relationship's target as a part name (relative to the workbook's folder, or absolute from the root)."""
    path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(base, target))
    return path


def _read_xlsx(data):
    """Only the parts the importer needs are read (the workbook's sheet list, its relationships, the chosen sheet and
    the shared strings; never styles, themes, other sheets or anything else), each streamed within the caps."""
    archive = _open_zip(data)
    budget = _Budget()
    names = {info.filename: info for info in archive.infolist()}
    workbook_name = next((name for name in names if name.lower() == "xl/workbook.xml"), None)
    if workbook_name is None:
        raise SpreadsheetError(NOT_XLSX)
    folder = posixpath.dirname(workbook_name)
    rels_name = posixpath.join(folder, "_rels", "workbook.xml.rels")
    sheets = _Collect("sheet")
    _parse_part(archive, workbook_name, sheets, budget)
    rels = _Collect("Relationship")
    if rels_name in names:
        _parse_part(archive, rels_name, rels, budget)
    targets = {attrs.get("Id"): _target(folder, attrs.get("Target", "")) for _, attrs in rels.found}
    shared_name = next((_target(folder, attrs.get("Target", "")) for _, attrs in rels.found if attrs.get("Type", "").endswith("/sharedStrings")), None)
    listed = [(attrs.get("name", ""), targets.get(attrs.get("id"))) for _, attrs in sheets.found]
    if not listed:
        raise SpreadsheetError(NOT_XLSX)
    title, sheet_name = next((entry for entry in listed if entry[0] == "Scores"), listed[0])
    if sheet_name not in names:
        raise SpreadsheetError(NOT_XLSX)
    shared = _SharedStrings()
    if shared_name in names:
        _parse_part(archive, shared_name, shared, budget)
    sheet = _Sheet(shared.strings)
    _parse_part(archive, sheet_name, sheet, budget)
    notes = []
    if len(listed) > 1:
        notes.append(f"Read the sheet “{title}”; ignored the other sheets: {', '.join(name for name, _ in listed if name != title)}.")
    return sheet.rows, notes


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
        for row in csv.reader(_lines(text), csv.excel, delimiter=delimiter):
            if len(rows) >= MAX_ROWS:
                raise SpreadsheetError(f"The file has more than {MAX_ROWS:,} rows; an assessment has at most a few hundred.")
            if len(row) > MAX_COLUMNS:
                raise SpreadsheetError(f"Row {len(rows) + 1} has {len(row):,} columns; a scores sheet has at most {MAX_COLUMNS}.")
            rows.append([csv_unescape(cell.strip()) for cell in row])
    except csv.Error as error:
        raise SpreadsheetError(f"The CSV file could not be read: {error}.") from error
    return rows


def _lines(text):
    """The text's lines one at a time, each with its line end (so quoted fields may span lines): no copy of the
    whole text is made, however it is shaped (one 5 MB line, a million empty ones)."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end + 1
        yield text[start:end]
        start = end


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

