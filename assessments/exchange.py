"""Assessments to and from spreadsheets: the rows an export holds, and the preview of an import.

Rows are built here, next to the data, so that views only turn them into a download
(`common.downloads`). Reads only: the import itself is `services.assessment_import`.
"""

from maturity import rules
from maturity.levels import Level

from . import spreadsheets
from .models import Assessment, Score
from .selectors import previous_submitted, score_has_evidence, year_levels


def assessment_export_rows(assessment):
    """One row per objective in our export layout (spreadsheets.OUR_COLUMNS); each row carries its key area's
    value-code answers, so a single CSV holds everything an import needs."""
    previous = previous_submitted(assessment=assessment)
    flags = {f.section_id: f for f in assessment.key_area_flags.all()}
    before = {objective_id: rules.format_level(level, wt, unscored="") for objective_id, level, wt in previous.scores.values_list("objective_id", "level", "working_towards")} if previous else {}
    rows = []
    for score in assessment.scores.select_related("objective__section").prefetch_related("evidence_items").order_by("objective__number"):
        rows.append([
            assessment.framework.short_name, score.objective.number, score.objective.section.name, score.objective.name,
            score.level, Level(score.level).label if score.level else "Unscored", "yes" if score.working_towards else "",
            score.comment, score.action, score.evidence, before.get(score.objective_id, ""),
            score.source_text,
            "yes" if score.out_of_scope else "", score.out_of_scope_reason,
            spreadsheets.evidence_cell(sorted(score.evidence_items.all(), key=lambda e: e.pk)),
            "yes" if getattr(flags.get(score.objective.section_id), "matters_most", False) else "",
            "yes" if getattr(flags.get(score.objective.section_id), "support_needed", False) else "",
        ])
    return rows


def assessment_summary_rows(assessment, export_rows):
    """The Summary sheet: the year, its status and its roll-up."""
    overall = year_levels(assessment=assessment)["overall"]
    rows = [
        ["Council", str(assessment.council)], ["Framework", assessment.framework.name], ["Year", assessment.year],
        ["Status", assessment.get_status_display()], ["Submitted", f"{assessment.submitted_at:%d %B %Y}" if assessment.submitted_at else ""],
        ["Objectives scored", f"{overall['scored']} of {overall['total']}"],
        ["Weakest level", Level.label_of(overall["weakest"]) if overall["weakest"] else "Unscored"],
        ["Mean level", overall["mean"] if overall["mean"] is not None else ""],
    ]
    for level in Level:
        rows.append([f"Objectives at {level.value} {level.label}", sum(1 for row in export_rows if row[4] == level.value)])
    return rows


def history_table(assessments, framework):
    """(header, rows): every objective, a score and a comment column per year (Medway's layout)."""
    objectives = list(framework.objectives.select_related("section").order_by("number"))
    scores = {(s.assessment_id, s.objective_id): s for s in Score.objects.filter(assessment__in=assessments)}
    header = ["Objective number", "Key area", "Objective", "Description"]
    for a in assessments:
        header += [f"{a.year} Score", f"{a.year} Comments and action"]
    rows = []
    for objective in objectives:
        row = [objective.number, objective.section.name, objective.name, objective.description]
        for a in assessments:
            score = scores.get((a.pk, objective.pk))
            text = "\n".join(part for part in (score.comment, score.action) if part) if score else ""
            written = (score.source_text or rules.format_level(score.level, score.working_towards, out_of_scope=score.out_of_scope, unscored="NA")) if score else ""
            row += [written, text]
        rows.append(row)
    return header, rows


def assessment_import_preview(assessment: Assessment, items):
    """Match parsed rows to this assessment's scores: (changes, problems by line, flags); nothing is written.

    A row with a problem is left out of the changes (and of the value-code answers), so the good rows can be
    imported without it while the file is fixed (issue 29, item 14).

    Each row is checked by the same rules as every other door (`rules.score_problems`), with the same messages.
    A change is {number, name, score_id, version, old, new, comment_changed, values, links}: `links` are evidence
    links in the file that the score does not have yet. `flags` are the key areas whose value-code answers change.
    """
    scores = {s.objective.number: s for s in assessment.scores.select_related("objective__section").prefetch_related("directorate_ratings__directorate", "evidence_items")}
    changes, problems = [], {}
    answers = {}  # section id -> (first line, {'matters_most': bool, ...}, section)
    for item in items:
        row_problems = list(item.problems)
        score = scores.get(item.number) if item.number is not None else None
        if item.number is not None and score is None:
            row_problems.append(f"There is no objective {item.number} in {assessment.framework}.")
        if score is not None:
            name = item.values.get("name", "")
            if name and not spreadsheets.names_match(name, score.objective.name):
                row_problems.append(f"“{name}” does not match objective {item.number}, “{score.objective.name}”.")
            merged = {key: item.values.get(key, getattr(score, key)) for key in ("level", "working_towards", "comment", "action", "evidence", "out_of_scope", "out_of_scope_reason")}
            if "level" in item.values and not item.problems:
                found = rules.score_problems(
                    level=merged["level"],
                    working_towards=merged["working_towards"],
                    out_of_scope=merged["out_of_scope"],
                    out_of_scope_reason=merged["out_of_scope_reason"],
                    has_evidence=score_has_evidence(score=score, evidence_text=merged["evidence"], more_links=sum(1 for _, url, _ in item.extras.get("evidence_links", []) if url)),
                    directorate_levels=[(r.directorate, r.level) for r in score.directorate_ratings.all()],
                    texts={key: merged[key] for key in ("comment", "action", "evidence", "out_of_scope_reason")},
                )
                row_problems += [f"Objective {item.number}: {message}" for message in found.values()]
        links = []
        if score is not None:
            links, link_problems = _new_links(score, item.extras.get("evidence_links", []))
            row_problems += [f"Objective {item.number}: {message}" for message in link_problems]
            given = {key: item.extras[key] for key in ("matters_most", "support_needed") if key in item.extras}
            if given:
                section = score.objective.section
                first = answers.get(section.pk)
                if first is not None and first[1] != given:
                    row_problems.append(f"Key area {section.number}, {section.name}: its rows disagree on the value-code answers (row {first[0]} says otherwise).")
        if row_problems:
            problems[item.line] = row_problems
            continue  # left out: the good rows can still be imported without it
        if score is not None and given:
            answers.setdefault(section.pk, (item.line, given, section))
        values = {key: value for key, value in item.values.items() if key != "name"}
        values["source_text"] = rules.written_form(item.original, values.get("level"))
        fields_changed = any(key in values and getattr(score, key) != values[key] for key in merged)
        written_changed = "level" in values and values["source_text"] != score.source_text
        if fields_changed or written_changed or links:
            changes.append({
                "line": item.line, "number": score.objective.number, "name": score.objective.name, "score_id": score.pk, "version": score.version,
                "old": score.display_level, "new": rules.format_level(values.get("level", score.level), values.get("working_towards", score.working_towards), out_of_scope=values.get("out_of_scope", score.out_of_scope)),
                "comment_changed": "comment" in values and values["comment"] != score.comment,
                "comment_old": score.comment, "comment_new": values.get("comment", score.comment),
                "values": values if (fields_changed or written_changed) else {},
                "links": links,
            })
    # An objective that is also in a row with a problem (twice in the file, say) is left out too: which row is right
    # is for the person fixing the file to say.
    doubtful = {item.number: item.line for item in items if item.line in problems and item.number is not None}
    for change in [c for c in changes if c["number"] in doubtful]:
        changes.remove(change)
        problems[change["line"]] = [f"Objective {change['number']} is also in row {doubtful[change['number']]}, which has a problem: fix that row and import the file again."]
    stored = {f.section_id: f for f in assessment.key_area_flags.all()}
    flags = []
    for section_id, (_, given, section) in answers.items():
        now = stored.get(section_id)
        wanted = {key: given.get(key, getattr(now, key, False)) for key in ("matters_most", "support_needed")}
        if any(wanted[key] != getattr(now, key, False) for key in wanted):
            flags.append({"section_id": section_id, "number": section.number, "name": section.name, **wanted})
    return changes, problems, flags


def _new_links(score, lines):
    """Evidence links in the file that this score lacks, and problems; files cannot travel in a spreadsheet, so a file
    the score already has is fine and one it lacks is a problem that says so."""
    have_links = {e.url for e in score.evidence_items.all() if e.url}
    have_files = {(e.title, e.original_name) for e in score.evidence_items.all() if not e.url}
    links, problems = [], []
    for title, url, file_name in lines:
        if not url and not file_name:
            problems.append(f"“{title}” is not evidence we can read: write each item on its own line as “title | https://address”.")
        elif file_name:
            if (title, file_name) not in have_files:
                problems.append(f"the file “{file_name}” cannot come in through a spreadsheet: attach it on the evidence page, or remove its line.")
        elif url not in have_links and url not in {link["url"] for link in links}:
            problem = rules.text_problem("An evidence title", title, limit=200) or rules.text_problem("An evidence address", url, limit=500)
            if problem:
                problems.append(problem)
            else:
                links.append({"title": title or url, "url": url})
    return links, problems


def key_area_rows(assessment):
    """The Key areas sheet: each key area's roll-up and the LGA's two value-code questions."""
    flags = {f.section_id: f for f in assessment.key_area_flags.all()}
    roll_ups = year_levels(assessment=assessment)["sections"]
    empty = rules.roll_up([])
    rows = []
    for section in assessment.framework.sections.all():
        figures = roll_ups.get(section.pk, empty)
        flag = flags.get(section.pk)
        rows.append([
            section.number, section.name, Level.label_of(figures["weakest"]) if figures["weakest"] else "Unscored", figures["mean"] if figures["mean"] is not None else "",
            "yes" if flag and flag.matters_most else "", "yes" if flag and flag.support_needed else "",
        ])
    return rows


KEY_AREA_COLUMNS = ["Number", "Key area", "Key-area level (weakest)", "Mean level", "Matters most", "Support needed"]
