"""An action plan as workbook sheets: lines with their yearly targets, delivery considerations, KPIs with every period."""

from .models import STATUS_LABELS


def plan_export_sheets(display):
    """[(title, header, rows)] for common.sheets.workbook_bytes, from actionplans.selectors.plan_display."""
    plan, lines, kpis = display["plan"], display["lines"], display["kpis"]
    line_header = ["Key area", "Objective", "Line", "Current level", "Current level note", "Where we are now"]
    for year in plan.years:
        line_header += [f"Target {year}", f"What will be done {year}"]
    line_header += ["Owner", "Due date", "Status", "Progress notes", "Progress"]
    line_rows = []
    for line in lines:
        row = [line.section.name if line.section_id else "Outside the framework", line.objective.number if line.objective else "", line.label, line.current_label, line.current_level_note, line.current_text]
        for cell in line.cells:
            row += [cell["target"].display_level if cell["target"] else "", cell["target"].narrative if cell["target"] else ""]
        row += [line.owner, line.due_date, line.get_status_display(), line.progress_notes, line.state_label]
        line_rows.append(row)
    considerations = [[c.section.name if c.section else "Whole plan", c.description, c.owner, c.get_status_display()] for c in display["considerations"]]
    kpi_rows = []
    for kpi in kpis:
        first = [kpi.name, kpi.question, kpi.get_kind_display(), kpi.get_frequency_display(), kpi.get_unit_display(), kpi.get_direction_display(), kpi.baseline_label]
        periods = kpi.rows or [None]
        for row in periods:
            kpi_rows.append(first + ([row["label"], row["target_text"], kpi.format_value(row["value"].actual), STATUS_LABELS[row["status"]]] if row else ["", "", "", "No data"]))
    goals = [[g.text, g.level_range, g.review_date] for g in display["goals"]]
    about = [["Council", str(plan.council)], ["Framework", plan.framework.name], ["Plan", plan.title], ["Period", plan.period_label], ["Status", plan.version_label]] + ([["Current plan", f"{display['current'].title} ({display['current'].period_label}), {display['current'].version_label}"]] if display["current"] else [])
    return [
        ("Plan", ["Item", "Value"], about),
        ("Goals", ["Goal", "Levels aimed for", "To be reviewed by"], goals),
        ("Lines", line_header, line_rows),
        ("Delivery considerations", ["Key area", "Depends on", "Owner", "Status"], considerations),
        ("KPIs", ["KPI", "Question", "Type", "Frequency", "Unit", "Direction", "Baseline", "Period", "Target", "Actual", "Status"], kpi_rows),
    ]
