"""Writing spreadsheets (XLSX and CSV) that carry text as text.

* XLSX: a cell holding text is always a string cell, never a formula, whatever it starts with; characters
  XML cannot hold (control characters) are dropped rather than breaking the file.
* CSV: a cell that starts with `=`, `+`, `-`, `@`, tab or carriage return is prefixed with a single quote, as
  OWASP's CSV-injection guidance says, so a spreadsheet program shows it as text. A cell that already starts
  with a quote before one of those (or before another quote) gets one more, so `csv_unescape` gives back every
  text exactly: export → import is the identity.
"""

import csv
import io

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _needs_quote(text):
    return text.startswith(FORMULA_STARTS) or (text.startswith("'") and text[1:2] in (*FORMULA_STARTS, "'"))


def csv_escape(value):
    if isinstance(value, str) and _needs_quote(value):
        return "'" + value
    return value


def csv_unescape(text):
    """Undo csv_escape: one leading quote before a formula character or another quote goes."""
    if text.startswith("'") and text[1:2] in (*FORMULA_STARTS, "'"):
        return text[1:]
    return text


def _write_sheet(sheet, header, rows):
    sheet.append([ILLEGAL_CHARACTERS_RE.sub("", str(h)) for h in header])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE6EE")
    for row in rows:
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value for value in row])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text stays text: "=HYPERLINK(…)" is shown, never evaluated
    sheet.freeze_panes = "A2"
    for column in sheet.columns:
        letter = column[0].column_letter
        width = max(len(str(c.value or "")) for c in column[:50])
        sheet.column_dimensions[letter].width = min(max(width + 2, 8), 60)
        for c in column[1:]:
            c.alignment = Alignment(wrap_text=True, vertical="top")


def workbook_bytes(sheets):
    """sheets: [(title, header, rows)] → XLSX bytes."""
    book = Workbook()
    book.remove(book.active)
    for title, header, rows in sheets:
        _write_sheet(book.create_sheet(title), header, rows)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(header, rows):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([csv_escape(h) for h in header])
    writer.writerows([csv_escape(value) for value in row] for row in rows)
    return out.getvalue().encode("utf-8-sig")  # the BOM tells Excel it is UTF-8
