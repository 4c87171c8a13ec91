"""Spreadsheets: export a year (XLSX or CSV), the council's history in Medway's layout, and import with a preview."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from common import downloads, sheets
from councils.access import get_membership_for_user, require_member
from maturity.models import Framework

from .. import spreadsheets
from ..access import get_assessment_for_user, visible_assessments
from ..exchange import (
    KEY_AREA_COLUMNS,
    assessment_export_rows,
    assessment_import_preview,
    assessment_summary_rows,
    history_table,
    key_area_rows,
)
from ..forms import ImportForm
from ..services import NotEditable, NotValid, StaleScore, assessment_import


@login_required
@require_GET
def assessment_export(request, pk):
    assessment = get_assessment_for_user(request, pk)
    rows = assessment_export_rows(assessment)
    name = f"{assessment.council.slug}-{assessment.framework.code}-{assessment.year}"
    if request.GET.get("format") == "csv":
        return downloads.csv(sheets.csv_bytes(spreadsheets.OUR_COLUMNS, rows), f"{name}.csv")
    tabs = [
        ("Scores", spreadsheets.OUR_COLUMNS, rows),
        ("Summary", ["Item", "Value"], assessment_summary_rows(assessment, rows)),
        ("Key areas", KEY_AREA_COLUMNS, key_area_rows(assessment)),
    ]
    return downloads.xlsx(sheets.workbook_bytes(tabs), f"{name}.xlsx")


@login_required
@require_member
@require_GET
def history_export(request):
    """All the council's years of one framework, a score and a comment column per year (Medway's layout)."""
    membership = get_membership_for_user(request)
    framework = get_object_or_404(Framework, code=request.GET.get("framework", "nps-2018")[:50])
    assessments = list(visible_assessments(request.user).for_council(membership.council).filter(framework=framework).order_by("year"))
    header, rows = history_table(assessments, framework)
    name = f"{membership.council.slug}-{framework.code}-history"
    if request.GET.get("format") == "csv":
        return downloads.csv(sheets.csv_bytes(header, rows), f"{name}.csv")
    return downloads.xlsx(sheets.workbook_bytes([("Scores", header, rows)]), f"{name}.xlsx")


def _session_key(assessment):
    return f"import-preview-{assessment.pk}"


@login_required
@require_http_methods(["GET", "POST"])
def assessment_import_view(request, pk):
    assessment = get_assessment_for_user(request, pk, edit=True)
    if not assessment.is_draft:
        messages.error(request, "This assessment has been submitted; it no longer accepts imports.")
        return redirect("assessments:detail", pk=pk)
    form = ImportForm(request.POST or None, request.FILES or None, initial={"score_year": assessment.year})
    context = {"assessment": assessment, "form": form}
    if request.method == "POST":
        request.session.pop(_session_key(assessment), None)  # a new upload replaces any earlier preview, refused or not
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                table, notes = spreadsheets.read_table(upload.name, upload.read())
                header, columns = spreadsheets.find_columns(table, form.cleaned_data["score_year"] or assessment.year, form.overrides())
                items = spreadsheets.parse_rows(table, columns, header)
            except spreadsheets.SpreadsheetError as error:
                form.add_error("file", str(error))
            else:
                changes, problems, flags = assessment_import_preview(assessment, items)
                if changes or flags:  # the good rows wait for confirmation; rows with problems are left out
                    request.session[_session_key(assessment)] = {"changes": changes, "flags": flags, "filename": upload.name, "left_out": sorted(problems)}
                context.update({"preview": True, "changes": changes, "flags": flags, "problems": sorted(problems.items()), "notes": notes, "row_count": len(items), "filename": upload.name})
    return render(request, "assessments/import.html", context)


@login_required
@require_POST
def assessment_import_confirm(request, pk):
    assessment = get_assessment_for_user(request, pk, edit=True)
    pending = request.session.pop(_session_key(assessment), None)
    if pending is None:
        messages.error(request, "There is no import waiting to be confirmed (it may have been confirmed already). Upload the file again.")
        return redirect("assessments:import", pk=pk)
    try:
        assessment_import(assessment_id=assessment.pk, changes=pending["changes"], flags=pending.get("flags", []), user=request.user)
    except StaleScore as error:
        messages.error(request, f"{error} Nothing was imported; upload the file again to see the changes against the current scores.")
        return redirect("assessments:import", pk=pk)
    except (NotEditable, NotValid) as error:
        messages.error(request, f"{error} Nothing was imported.")
    else:
        changed = len(pending["changes"])
        areas = len(pending.get("flags", []))
        extra = f" and the value-code answers of {areas} key area{'' if areas == 1 else 's'}" if areas else ""
        left_out = pending.get("left_out", [])
        rows = f" Left out, as they had problems: row{'' if len(left_out) == 1 else 's'} {', '.join(str(n) for n in left_out)}; fix {'it' if len(left_out) == 1 else 'them'} in the file and import it again." if left_out else ""
        messages.success(request, f"Imported {pending['filename']}: {changed} objective{'' if changed == 1 else 's'} changed{extra}.{rows}")
    return redirect("assessments:detail", pk=pk)
