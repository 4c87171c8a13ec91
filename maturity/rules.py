"""The NPS level rules, each written once; every form, service, chart, plan, rating, export and badge calls these.

Why these rules (seed 003, the LGA's NPS 2018 diagnostic guidance):

* **Weakest level, not an average.** "Score the weakest level of attainment in the council": where parts of
  the council (directorates, raters) are at different levels, the council stands at the lowest. A key area
  likewise stands at its weakest objective; its mean is shown beside it, labelled as a mean.
* **A 5 means a case study.** Innovator means being ready to act as a case study for others, so a 5 needs
  evidence: a written evidence note, an attached file or a link each count.
* **Working towards.** Councils' own sheets write split scores such as "2/3" (seed 002, Medway): level 2,
  working towards 3. It is kept as a level plus a flag, and written back exactly as "2/3".
* **Out of scope.** An objective that does not apply to the council (the LGA notes district councils may have
  different objectives) has no level, needs a reason, and is left out of every roll-up.

This module is pure: plain values in, plain values out; no database.
"""

import re
import unicodedata

from .levels import Level

MAX_TEXT_LENGTH = 10_000  # every free-text field of a score, plan or rating; forms show the same limit
MAX_LEVEL_TEXT = 20  # a level as written in a sheet ("3 Mature", "2/3"); anything longer is not a level

OUT_OF_SCOPE = "out of scope"  # a roll-up entry for an objective that is left out

UNSCORED_WORDS = {"", "na", "n a", "n/a", "-", "–", "not scored", "unscored", "none"}
LEVEL_NAMES = {level.label.lower(): level.value for level in Level}


class LevelError(ValueError):
    """A level as written that is not one; the message is for the user."""


# The weakest of several -----------------------------------------------------------------------


def weakest(items, *, level_of=lambda item: item, order_of=lambda item: ()):
    """The item at the lowest level, or None if none has a level.

    Ties go to the first by `order_of` (for directorates: their order, then name), so the same directorate is
    named every time.
    """
    rated = [item for item in items if level_of(item) is not None]
    return min(rated, key=lambda item: (level_of(item), order_of(item)), default=None)


def directorate_order(directorate):
    return (directorate.order, directorate.name)


def roll_up(levels):
    """A key area's (or the council's) figures: the weakest level and the mean over scored objectives.

    `levels` holds a level, None (unscored) or OUT_OF_SCOPE per objective; out-of-scope objectives count nowhere.
    """
    in_scope = [level for level in levels if level != OUT_OF_SCOPE]
    scored = [level for level in in_scope if level is not None]
    return {
        "weakest": min(scored) if scored else None,
        "mean": round(sum(scored) / len(scored), 1) if scored else None,  # integers: the same float as statistics.mean, far cheaper
        "scored": len(scored),
        "total": len(in_scope),
    }


def is_reviewed(*, level, out_of_scope, carried_forward):
    """An objective counts as reviewed this year once it is scored and not merely carried forward unchanged from
    last year (touching it clears carried_forward). Out of scope counts nowhere."""
    return bool(level is not None and not out_of_scope and not carried_forward)


def review_state(*, reviewed, total):
    """A key area's (or the year's) state in the task list: ('not_started' | 'in_progress' | 'reviewed', words)."""
    if total and reviewed >= total:
        return "reviewed", "Reviewed this year"
    if reviewed:
        return "in_progress", "In progress"
    return "not_started", "Not started"


def spread(levels):
    """Lowest, highest, median, range and the weakest (the council's score) of some ratings' levels; None if none."""
    levels = sorted(level for level in levels if level is not None)
    if not levels:
        return None
    middle = len(levels) // 2
    median = levels[middle] if len(levels) % 2 else (levels[middle - 1] + levels[middle]) / 2
    return {"lowest": levels[0], "highest": levels[-1], "median": median, "range": levels[-1] - levels[0], "weakest": levels[0], "count": len(levels)}


# Split scores: "2/3" as written <-> level 2 working towards 3 ---------------------------------


def format_level(level, working_towards=False, *, out_of_scope=False, unscored="–"):
    """'2', '2/3' (level 2 working towards 3), 'n/a' when out of scope, or `unscored`."""
    if out_of_scope:
        return "n/a"
    if level is None:
        return unscored
    return f"{level}/{level + 1}" if working_towards and level < Level.INNOVATOR else str(level)


def parse_level(text):
    """(level, working_towards) from '3', '3.0', '2/3', 'Mature', '3 Mature', 'NA' or blank; LevelError otherwise.

    Only the next level may follow the slash, and never after 5: "5/6" and "2/4" are refused.
    """
    raw = str(text).strip()
    lowered = raw.lower()
    if lowered in UNSCORED_WORDS or re.sub(r"[\s/.\-–]+", " ", lowered).strip() in UNSCORED_WORDS:
        return None, False
    if len(raw) > MAX_LEVEL_TEXT:
        raise LevelError(f"“{raw[:MAX_LEVEL_TEXT]}…” is not a level: use 1 to 5, a split score like 2/3, or NA.")
    if lowered in LEVEL_NAMES:
        return LEVEL_NAMES[lowered], False
    match = re.fullmatch(r"([0-9]+)(?:\.0+)?\s*(?:/\s*([0-9]+)(?:\.0+)?)?(?:\s+([a-z]+))?", lowered)
    if not match:
        raise LevelError(f"“{raw}” is not a level: use 1 to 5, a split score like 2/3, or NA.")
    low, high, name = int(match[1]), match[2], match[3]
    if not 1 <= low <= 5:
        raise LevelError(f"Level {low} is out of range: levels run from 1 Minimum to 5 Innovator.")
    if high is not None and (int(high) != low + 1 or low >= Level.INNOVATOR):
        raise LevelError(f"“{raw}” is not a split score: the second level must be the next one, like 2/3, and 5 is the highest.")
    if name and name not in LEVEL_NAMES:
        raise LevelError(f"“{raw}” is not a level: use 1 to 5, a split score like 2/3, or NA.")
    if name and LEVEL_NAMES[name] != low:
        raise LevelError(f"“{raw}” names two different levels.")
    return low, high is not None


# Up, same or down between years ---------------------------------------------------------------

CHANGES = {"up": "Improved", "down": "Declined", "same": "Unchanged", "new": "No previous score"}


def change(before, after):
    """'up', 'same' or 'down' from last year's level to this year's; 'new' when either is missing."""
    if before is None or after is None:
        return "new"
    return "up" if after > before else "down" if after < before else "same"


# The rules a score must keep ------------------------------------------------------------------

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Unicode's other line and paragraph separators (NEL is a C1 control, above): a stored text breaks lines with \n only,
# so that every export re-imports to the same text and no page or PDF shows a break the editor did not.
SEPARATORS = re.compile("[\u2028\u2029]")
# Bidirectional controls (embeddings, overrides, isolates, marks): they make text display in another order than it is
# stored ("Trojan Source"), so a comment could read as something else on screen, in a spreadsheet or in the PDF.
BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# Characters that show as nothing (zero-width spaces and joiners, soft hyphen, word joiner, BOM): refused in names.
INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200d\u2060-\u2064\ufeff]")
MAX_NAME_LENGTH = 200
MAX_USERNAME_LENGTH = 64
USERNAME = re.compile(r"[A-Za-z0-9.@+_-]{1,64}")


def text_problem(label, text, limit=MAX_TEXT_LENGTH):
    """A message if free text is too long, holds control characters (other than tab and newline), line separators
    other than newline, or bidirectional controls, else None. Every stored text passes this one rule."""
    if len(text) > limit:
        return f"{label} can be at most {limit:,} characters (it has {len(text):,})."
    if CONTROL_CHARACTERS.search(text) or any(unicodedata.category(ch) == "Cs" for ch in text):
        return f"{label} contains a control character (such as one pasted from another program); remove it and try again."
    if SEPARATORS.search(text):
        return f"{label} contains a Unicode line or paragraph separator; use an ordinary line break instead."
    if BIDI_CONTROLS.search(text):
        return f"{label} contains an invisible character that changes the direction text is shown in; remove it and try again."
    return None


def name_problem(label, text, limit=MAX_NAME_LENGTH):
    """A name (a council's, a directorate's, a person's): one line, as it reaches e-mail subjects and headers, with
    nothing invisible in it; and the text rule."""
    if "\r" in text or "\n" in text or "\t" in text:
        return f"{label} must be on one line."
    if INVISIBLE.search(text):
        return f"{label} contains an invisible character; type it again without it."
    return text_problem(label, text, limit)


def username_problem(username):
    """Usernames: letters, digits and . - _ @ + only (ASCII, so no look-alike letters from other scripts), at most 64."""
    if not USERNAME.fullmatch(username):
        return f"A username may use only letters A–Z, digits and . - _ @ + (at most {MAX_USERNAME_LENGTH} characters)."
    return None


SCORE_TEXTS = {"comment": "Comment", "action": "Action", "evidence": "Evidence or case study", "out_of_scope_reason": "Why it is out of scope"}

MESSAGES = {
    "innovator_needs_evidence": "A 5 (Innovator) means the council is ready to act as a case study for others: "
    "describe the case study or evidence, or attach it, before choosing 5.",
    "working_towards_needs_level": "Working towards the next level needs a level from 1 to 4.",
    "out_of_scope_has_no_level": "An objective out of scope has no level: clear the level (and directorate levels) first, or untick “out of scope”.",
    "out_of_scope_needs_reason": "Say why this objective does not apply to the council; the reason appears in reports.",
    "level_range": "Choose a level from 1 (Minimum) to 5 (Innovator), or leave it unscored.",
}


def has_evidence(*, evidence_text, attached=0):
    """A 5 needs evidence: a written evidence note, or at least one attached file or link (`attached`), each count."""
    return bool((evidence_text or "").strip()) or attached > 0


def weakest_level_message(directorate_name, level):
    return (
        f"Score the weakest level in the council, not an average: {directorate_name} is at "
        f"{Level.label_of(level)}, so the council score must be {level}."
    )


def score_problems(*, level, working_towards, out_of_scope, out_of_scope_reason, has_evidence, directorate_levels=(), texts=None):
    """{field: message} for every rule a score breaks; empty when it keeps them all.

    `directorate_levels`: [(directorate, level)] for the directorates given a level (directorates have .order and .name).
    `texts`: {field: text} for the free-text fields (comment, action, evidence, out_of_scope_reason).
    """
    problems = {}
    for field, text in (texts or {}).items():
        message = text_problem(SCORE_TEXTS.get(field, field.replace("_", " ").capitalize()), text)
        if message:
            problems[field] = message
    if level is not None and level not in Level.values:
        problems["level"] = MESSAGES["level_range"]
        return problems
    if any(rated not in Level.values for _, rated in directorate_levels):
        problems["level"] = MESSAGES["level_range"]
        return problems
    lowest = weakest(directorate_levels, level_of=lambda pair: pair[1], order_of=lambda pair: directorate_order(pair[0]))
    if lowest is not None and level != lowest[1]:
        problems["level"] = weakest_level_message(lowest[0].name, lowest[1])
    if level == Level.INNOVATOR and not has_evidence:
        problems["evidence"] = MESSAGES["innovator_needs_evidence"]
    if out_of_scope:
        if level is not None or directorate_levels:
            problems["out_of_scope"] = MESSAGES["out_of_scope_has_no_level"]
        if not (out_of_scope_reason or "").strip():
            problems["out_of_scope_reason"] = MESSAGES["out_of_scope_needs_reason"]
    if working_towards and (level is None or level >= Level.INNOVATOR):
        problems["working_towards"] = MESSAGES["working_towards_needs_level"]
    return problems


def level_words(level, working_towards=False):
    """'2 Developing', or '2 Developing / Mature' between two levels (as plans write "Developing/ Mature")."""
    label = Level.label_of(level)
    if working_towards and level is not None and level < Level.INNOVATOR:
        return f"{label} / {Level(level + 1).label}"
    return label


def written_form(text, level):
    """What a sheet wrote for a level, worth keeping when it says more than the plain number ("2/3", "3 Mature"); else ''."""
    text = str(text or "").strip()
    if level is None or text in ("", str(level)):
        return ""
    return text


def shown_level(*, level, working_towards=False, out_of_scope=False):
    """An objective's level as every page, export and the PDF shows it.

    {"level", "working_towards", "written": "2/3" ('n/a', '–'), "words": "2 Developing / Mature" ('Out of scope', 'Unscored')}
    """
    if out_of_scope:
        return {"level": None, "working_towards": False, "written": "n/a", "words": "Out of scope"}
    working_towards = bool(working_towards) and level is not None and level < Level.INNOVATOR
    return {
        "level": level,
        "working_towards": working_towards,
        "written": format_level(level, working_towards),
        "words": level_words(level, working_towards) if level is not None else "Unscored",
    }


def deadline_problem(*, deadline, raters_due, today):
    """A year's deadline and its raters' due date: from today to two years ahead, the raters' no later than the
    deadline. A message, or None."""
    from datetime import timedelta

    for label, day in (("The deadline", deadline), ("The date ratings are due", raters_due)):
        if day is not None and not (today <= day <= today + timedelta(days=731)):
            return f"{label} must be from today to two years ahead."
    if deadline is not None and raters_due is not None and raters_due > deadline:
        return "Ratings must be due on or before the deadline, so there is time to consolidate them."
    return None
