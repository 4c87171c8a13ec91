"""Every action-plan rule, each written once; the plan forms, the services (`actionplans.services`), the seeders
and the dataset generator all call these. Each returns `{field: message}`: empty when the change may go in.

Why these rules:

* **A plan covers a period of whole years** (CPCA's "target 2024, target 2025", seed 004; Leeds' and
  Newcastle's plans run over years too): between 2000 and 2100, ending in or after its start, at most ten years.
  One plan per framework and start year, so "the 2024–2026 plan" names one thing.
* **A line sits in the framework or outside it.** A key-area line, or an objective line inside that key area;
  or a council's own area (CPCA's "Resourcing levels" and "Procurement Hub", seed 004 §3.3, §3.7) with a title
  and no framework level: its current state and targets are written in words.
* **The current level comes from the assessment.** A line's current level is the latest assessed one (a key
  area stands at its weakest objective: `maturity.rules`); writing another needs a note saying why, and with no
  assessment yet a note saying where it comes from.
* **One target per year, inside the plan.** A line's targets ascend year by year; a target below the current
  level, or below the year before, is allowed only with a reason (plans record planned slips, but say why).
  A framework line's target has a level; an area outside the framework's has none.
* **KPIs as councils keep them** (Leeds, seed 001; Newcastle, seed 000): a value per period on the measure's
  own grid (the financial year, its halves, quarters or months), each period once; a percentage lies between
  0 and 100; a baseline period needs its value; a KPI tied to a plan line is in that line's key area; once
  values are recorded the frequency is fixed (their periods follow it). Numbers fit 12 digits and 2 decimals.
* **Goals' level ranges run upwards**; a progress-and-development record is kept once per year.
* Every text obeys `maturity.rules.text_problem`: no control characters, within its length.

This module is pure: plain values in, plain values out; the callers look up what they need (clashing plans,
target years, assessed levels) and pass it in.
"""

from decimal import Decimal, InvalidOperation

from common.numbers import YEAR_RANGE
from maturity import rules
from maturity.levels import Level

from .periods import Frequency, on_grid, period_label

MAX_PLAN_YEARS = 10
MAX_TEXT_LENGTH = rules.MAX_TEXT_LENGTH
MAX_DIGITS, DECIMAL_PLACES = 14, 2  # as the KPI columns store them
PERCENT, WORDS = "percent", "words"
LEVELS = {level.value for level in Level}
FREQUENCIES = {value for value, _ in Frequency.choices}


def _texts(problems, texts):
    """text_problem for each (field, label, value, limit) not already refused."""
    for field, label, value, limit in texts:
        if field in problems:
            continue
        message = rules.text_problem(label, value or "", limit)
        if message:
            problems[field] = message
    return problems


def _year_problem(year):
    if year is None:
        return "Enter a year."
    if not isinstance(year, int) or not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
        return f"Enter a year between {YEAR_RANGE[0]} and {YEAR_RANGE[1]}."
    return None


def _level_problem(level, *, required=False, what="level"):
    if level is None:
        return f"Choose a {what}." if required else None
    if level not in LEVELS:
        return f"Choose a {what} from 1 Minimum to 5 Innovator."
    return None


def plan_problems(*, title, start_year, end_year, target_years=(), clash=None):
    """A plan's title and period. `target_years`: the years its lines already have targets for; `clash`: the
    name of another plan of the council for this framework starting that year, if any."""
    problems = {}
    if not (title or "").strip():
        problems["title"] = "Give the plan a title."
    start, end = _year_problem(start_year), _year_problem(end_year)
    if start:
        problems["start_year"] = start
    elif end:
        problems["end_year"] = end
    elif end_year < start_year:
        problems["end_year"] = "The plan must end in or after the year it starts."
    elif end_year - start_year + 1 > MAX_PLAN_YEARS:
        problems["end_year"] = f"A plan covers at most {MAX_PLAN_YEARS} years."
    else:
        outside = sorted({year for year in target_years if not start_year <= year <= end_year})
        if outside:
            problems["__all__"] = f"Lines have targets for {', '.join(map(str, outside))}, outside {start_year}–{end_year}. Change those targets first."
        if clash:
            problems["start_year"] = f"There is already a {clash} plan starting in {start_year}."
    return _texts(problems, [("title", "The title", title, 200)])


def line_problems(*, section_id, objective_section_id=None, has_objective=False, title="", current_level=None, current_working_towards=False,
                  current_level_note="", assessed=None, texts=(), names=None):
    """A plan line. `objective_section_id`: the key area of its objective (if it has one); `assessed`: the
    latest assessed level of what it covers (None if none). `texts`: (field, label, value, limit) of its texts;
    `names`: (objective number, its key area, the chosen key area) for the message when they do not match."""
    problems = {}
    if section_id is None:
        if has_objective:
            problems["objective"] = "An objective belongs to a key area: choose its key area, or leave the objective empty for an area of your own."
        if not (title or "").strip():
            problems["title"] = "Give an area outside the framework a title, e.g. “Resourcing levels”."
        if current_level is not None or current_working_towards:
            problems["current_level"] = "An area outside the framework has no framework level: describe where you are now in words."
        return _texts(problems, texts)
    if has_objective and objective_section_id != section_id:
        problems["objective"] = (
            f"Objective {names[0]} belongs to key area {names[1]}, not {names[2]}." if names else "That objective belongs to another key area: choose the key area it is in."
        )
    level = _level_problem(current_level)
    if level:
        problems["current_level"] = level
    elif current_level is not None and current_level != assessed and not (current_level_note or "").strip():
        if assessed is None:
            problems["current_level_note"] = "There is no assessed level to go by: say where this current level comes from."
        else:
            problems["current_level_note"] = f"The latest assessment puts this at {Level.label_of(assessed)}; say why the current level differs."
    return _texts(problems, texts)


TARGET_TEXTS = (("narrative", "What will be done"), ("reason", "The reason"))


def target_problems(*, start_year, end_year, custom, current_level, targets):
    """A line's whole set of targets, `targets` a list of {year, level, working_towards, narrative, reason}.
    Keys are "<index>.<field>" (the index in `targets`)."""
    problems, rows = {}, []
    if len(targets) > end_year - start_year + 1:
        problems["__all__"] = f"A line has one target per plan year: at most {end_year - start_year + 1}."
    for index, target in enumerate(targets):
        year = target.get("year")
        year_message = _year_problem(year)
        if year_message:
            problems[f"{index}.year"] = year_message
        elif not start_year <= year <= end_year:
            problems[f"{index}.year"] = f"{year} is outside the plan period {start_year}–{end_year}."
        else:
            rows.append((year, index, target))
        for field, label in TARGET_TEXTS:
            message = rules.text_problem(label, target.get(field) or "")
            if message:
                problems[f"{index}.{field}"] = message
    rows.sort(key=lambda row: (row[0], row[1]))
    previous_year = previous_level = None
    for year, index, target in rows:
        level, reason = target.get("level"), (target.get("reason") or "").strip()
        key = f"{index}.level"
        if custom and (level is not None or target.get("working_towards")):
            problems[key] = "An area outside the framework has no framework level: write the target in words."
        elif not custom and level is None:
            problems[key] = f"Choose the level to reach by {year}, or clear this row."
        elif not custom and level not in LEVELS:
            problems[key] = "Choose a level from 1 Minimum to 5 Innovator."
        if year == previous_year:
            problems[f"{index}.year"] = f"There is already a target for {year}: the years of a line's targets must ascend, one target per year."
        elif key not in problems and level is not None and not reason:
            if current_level is not None and level < current_level:
                problems[f"{index}.reason"] = f"This target is below the current level ({Level.label_of(current_level)}): give a reason."
            elif previous_level is not None and level < previous_level:
                problems[f"{index}.reason"] = f"This target is below the previous year's ({Level.label_of(previous_level)}): give a reason."
        previous_year = year
        if level in LEVELS:
            previous_level = level
    return problems


def goal_problems(*, text, level_from=None, level_to=None):
    problems = {}
    if not (text or "").strip():
        problems["text"] = "Write the goal."
    for field, level in (("level_from", level_from), ("level_to", level_to)):
        message = _level_problem(level)
        if message:
            problems[field] = message
    if not problems.keys() & {"level_from", "level_to"} and level_from and level_to and level_from > level_to:
        problems["level_to"] = f"The range runs upwards: from {Level.label_of(level_from)} to a level at or above it."
    return _texts(problems, [("text", "The goal", text, rules.MAX_TEXT_LENGTH)])


REVIEW_TEXTS = (("previous_priorities", "Previous priorities"), ("progress", "Progress"), ("new_priorities", "New priorities"), ("development_plans", "Development plans"))


def review_problems(*, year, taken_years=(), texts):
    """A year's progress-and-development record; `taken_years`: the years the plan already has one for (not this)."""
    problems = {}
    message = _year_problem(year)
    if message:
        problems["year"] = message
    elif year in taken_years:
        problems["year"] = f"There is already a record for {year}; edit that one."
    return _texts(problems, [(field, label, texts.get(field), rules.MAX_TEXT_LENGTH) for field, label in REVIEW_TEXTS])


def consideration_problems(*, description, owner=""):
    problems = {} if (description or "").strip() else {"description": "Describe what the plan depends on."}
    return _texts(problems, [("description", "The description", description, rules.MAX_TEXT_LENGTH), ("owner", "The owner", owner, 200)])


def measure_problem(value, unit):
    """A KPI figure: a number that fits the column (12 digits, 2 decimals); a percentage within 0–100."""
    if value is None:
        return None
    try:
        value = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return "Enter a number, like 185,000 or 96.6%."
    if not value.is_finite():
        return "Enter a number, like 185,000 or 96.6%."
    if abs(value) >= Decimal(10) ** (MAX_DIGITS - DECIMAL_PLACES):
        return "That number is too large: at most 12 digits before the decimal point."
    if value != value.quantize(Decimal(1).scaleb(-DECIMAL_PLACES)):
        return "Give at most two decimal places."
    if unit == PERCENT and not Decimal(0) <= value <= Decimal(100):
        return f"A percentage lies between 0 and 100; {value.normalize():f} does not."
    return None


def kpi_problems(*, name, frequency, unit, baseline_value=None, baseline_period=None, section_id=None, line_section_id=None, has_line=False,
                 frequency_locked=False, texts=()):
    """A KPI. `line_section_id`: the key area of the plan line it measures (if any); `frequency_locked`: values are
    recorded and the frequency would change."""
    problems = {}
    if not (name or "").strip():
        problems["name"] = "Name the KPI."
    if frequency not in FREQUENCIES:
        problems["frequency"] = "Choose how often it is measured."
    elif frequency_locked:
        problems["frequency"] = "The frequency is fixed once values are recorded: their periods follow it."
    if baseline_period is not None and frequency in FREQUENCIES and not on_grid(frequency, baseline_period):
        problems["baseline_period"] = "The baseline period is not a period of this measure's frequency."
    elif baseline_period is not None and baseline_value is None:
        problems["baseline_value"] = "Give the baseline value for the baseline period."
    message = measure_problem(baseline_value, unit)
    if message:
        problems["baseline_value"] = message
    if has_line and section_id is not None and line_section_id != section_id:
        problems["line"] = "That plan line is in another key area: choose the line's key area, or leave the key area empty."
    return _texts(problems, [("name", "The name", name, 300), *texts])


def kpi_value_problems(*, frequency, unit, values):
    """A KPI's whole set of values, `values` a list of {period_start, target, actual, note}; keys "<index>.<field>"."""
    problems, seen = {}, set()
    for index, value in enumerate(values):
        start = value.get("period_start")
        if start is None:
            problems[f"{index}.period"] = "Enter the period."
        elif frequency in FREQUENCIES and not on_grid(frequency, start):
            problems[f"{index}.period"] = "That is not a period of this measure's frequency."
        elif start in seen:
            problems[f"{index}.period"] = f"{period_label(frequency, start)} is entered twice."
        else:
            seen.add(start)
        for field in ("target", "actual"):
            message = measure_problem(value.get(field), unit)
            if message:
                problems[f"{index}.{field}"] = message
        message = rules.text_problem("The note", value.get("note") or "", 500)
        if message:
            problems[f"{index}.note"] = message
    return problems
