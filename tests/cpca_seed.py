"""Cambridgeshire & Peterborough Combined Authority's action plan (seed 004, §3.3–3.10), read row by row as written.

Used by the tests that enter the plan through the plan pages and read it back: each row's area, its current
position and its targets for 2024 and 2025, with any level ("Minimum/ Developing") split from the words.
"""

import html
import re

LEVEL_WORDS = {"Minimum": 1, "Developing": 2, "Mature": 3, "Leader": 4, "Innovator": 5}
LEVEL_AT_START = re.compile(r"^(Minimum|Developing|Mature|Leader|Innovator)(?:\s*/\s*(Minimum|Developing|Mature|Leader|Innovator))?(?=\s|$)\s*")
SECTION = re.compile(r"^[#*\s]*(3\.(?:[3-9]|10))\s+(?!\d)")
HEADERS = {"areas", "area", "consideration"}


def clean(cell):
    """HTML cell to the words as written: paragraphs and list items on their own lines."""
    text = html.unescape(cell)
    text = re.sub(r"</p>\s*<p[^>]*>|<li>|<br\s*/?>", "\n", text)
    text = re.sub(r"<[^>]+>", " ", text)
    text = text.replace("•", " ")
    lines = [re.sub(r"\s+", " ", line).strip() for line in text.split("\n")]
    return "\n".join(line for line in lines if line)


def split_level(text):
    """('Minimum/ Developing …') -> (1, True, '…'): a level written at the start, as CPCA writes it; else (None, False, text)."""
    match = LEVEL_AT_START.match(text)
    if not match:
        return None, False, text
    low, high = LEVEL_WORDS[match[1]], LEVEL_WORDS.get(match[2]) if match[2] else None
    return low, high is not None and high == low + 1, text[match.end() :].strip()


def plan_rows(path):
    """[{'section': '3.8', 'area': …, 'current': …, 'targets': {2024: …, 2025: …}}] with cells cleaned."""
    rows, section, in_table = [], None, False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("## **4 Monitoring"):
            break
        match = SECTION.match(line)
        if match:
            section, in_table = match[1], False
            continue
        if section is None:
            continue
        cells = line.split("\t")
        if cells[0].strip().lower() in HEADERS:
            in_table = True
            continue
        if not in_table or len(cells) < 3:
            continue
        if cells[0].strip() == "" and rows and rows[-1]["section"] == section:
            for key, cell in zip(("current", 2024, 2025), cells[1:4], strict=False):
                if cell.strip():
                    row = rows[-1]
                    if key == "current":
                        row["current"] = f"{row['current']} {cell.strip()}"
                    else:
                        row["targets"][key] = f"{row['targets'][key]} {cell.strip()}"
            continue
        if "Delivery Considerations" in line or cells[0].startswith("---") or re.match(r"^3\.\d+\.\d+$", cells[0].strip()):
            in_table = False
            continue
        rows.append({"section": section, "area": cells[0].strip(), "current": cells[1], "targets": {2024: cells[2], 2025: cells[3] if len(cells) > 3 else ""}})
    for row in rows:
        row["area"] = clean(row["area"]).replace("\n", " ")
        row["current"] = clean(row["current"])
        row["targets"] = {year: clean(text) for year, text in row["targets"].items()}
    return rows
