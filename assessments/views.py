import hashlib
from collections import defaultdict
from functools import cached_property

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.html import format_html_join
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_tables2 import RequestConfig

from councils.access import can_edit_council, is_head_of, require_member
from maturity.levels import Level
from maturity.models import Framework, Section

from . import spreadsheets
from .access import get_assessment_for_user as _get_assessment_for_user
from .evidence import TYPES as EVIDENCE_TYPES
from .filters import AssessmentFilter
from .forms import EvidenceForm, ImportForm, ReopenForm, ScoreForm, StartAssessmentForm, SubmitForm
from .models import Assessment, Evidence, Score, roll_up
from .services import (
    NotEditable,
    StaleScore,
    assessment_export_rows,
    assessment_import,
    assessment_import_plan,
    assessment_reopen,
    assessment_start,
    assessment_submit,
    evidence_add,
    evidence_remove,
    score_save,
)
from .tables import AssessmentTable


@login_required
@require_member
@require_GET
def assessment_list(request):
    council = request.user.membership.council
    qs = Assessment.objects.visible_to(request.user).for_council(council).select_related("framework", "submitted_by").with_progress()
    filterset = AssessmentFilter(request.GET, queryset=qs)
    table = AssessmentTable(filterset.qs)
    RequestConfig(request, paginate={"per_page": 25}).configure(table)
    return render(
        request,
        "assessments/list.html",
        {"council": council, "table": table, "filter": filterset, "can_start": request.user.membership.can_edit, "frameworks": Framework.objects.all()},
    )


@login_required
@require_member
@require_http_methods(["GET", "POST"])
def assessment_new(request):
    membership = request.user.membership
    if not membership.can_edit:
        raise PermissionDenied("Councillors cannot start assessments.")
    form = StartAssessmentForm(request.POST or None, council=membership.council)
    if request.method == "POST" and form.is_valid():
        try:
            assessment = assessment_start(
                membership.council,
                form.cleaned_data["framework"],
                form.cleaned_data["year"],
                request.user,
                carry_forward=form.cleaned_data["carry_forward"],
            )
        except IntegrityError:
            form.add_error(None, "That assessment was just started by someone else.")
        else:
            source = assessment.carried_forward_from
            note = f", carried forward from {source.year}" if source else ""
            messages.success(request, f"Started {assessment.framework} {assessment.year}{note}.")
            return redirect("assessments:detail", pk=assessment.pk)
    return render(request, "assessments/new.html", {"form": form, "council": membership.council})


def _progress(assessment):
    """({section_id: roll_up}, overall roll_up) from one query over the scores."""
    levels = defaultdict(list)
    for section_id, level in assessment.scores.filter(not_applicable=False).values_list("objective__section_id", "level"):
        levels[section_id].append(level)
    overall = roll_up([level for values in levels.values() for level in values])
    return {section_id: roll_up(values) for section_id, values in levels.items()}, overall


@login_required
@require_GET
def assessment_detail(request, pk):
    assessment = _get_assessment_for_user(request, pk)
    sections = list(assessment.framework.sections.select_related("theme"))
    progress, overall = _progress(assessment)
    for section in sections:
        section.progress = progress.get(section.pk, roll_up([]))
    return render(
        request,
        "assessments/detail.html",
        {
            "assessment": assessment,
            "sections": sections,
            "overall": overall,
            "can_edit": assessment.is_draft and can_edit_council(request.user, assessment.council),
            "is_head": is_head_of(request.user, assessment.council),
            "events": assessment.events.select_related("by"),
        },
    )


def _score_form(score, directorates, data=None):
    return ScoreForm(data, prefix=f"o{score.objective.number}", directorates=directorates, initial=_initial(score))


def _score_forms(assessment, scores, directorates, data=None):
    return [(score, _score_form(score, directorates, data)) for score in scores]


def _initial(score):
    initial = {
        "level": score.level,
        "working_towards": score.working_towards,
        "comment": score.comment,
        "action": score.action,
        "evidence": score.evidence,
        "not_applicable": score.not_applicable,
        "not_applicable_reason": score.not_applicable_reason,
        "version": score.version,
    }
    for rating in score.directorate_ratings.all():
        initial[f"dir_{rating.directorate_id}"] = rating.level
    return initial


class ObjectiveCard:
    """What one objective's scoring card shows, worked out on first use.

    Templates pay for every lookup and a page can hold 59 cards, so values are prepared here; and a card whose
    HTML comes from the fragment cache (keyed on the score's version, which every change bumps) computes nothing.
    """

    def __init__(self, assessment, score, previous, directorates, form=None):
        self.assessment, self.score, self.previous, self._directorates, self._form = assessment, score, previous, directorates, form

    @cached_property
    def form(self):
        return self._form or _score_form(self.score, self._directorates)

    @cached_property
    def levels(self):
        return self.score.objective.levels_with_descriptors()

    @cached_property
    def chosen(self):
        return str(self.form["level"].value() or "")

    @cached_property
    def level_options(self):
        return [{"value": level.value, "label": level.label, "text": text, "checked": str(level.value) == self.chosen} for level, text in self.levels]

    @property
    def unscored(self):
        return not self.chosen

    @cached_property
    def directorates(self):
        form, result = self.form, []
        if not form.directorates:
            return result
        choices = form.fields[f"dir_{form.directorates[0].pk}"].choices
        for directorate, field in form.directorate_fields():
            value = str(field.value() or "")
            # One string, as a widget would draw it: 4 directorates × 6 options per card were a third of the page's template work.
            options = format_html_join("", "<option value=\"{}\"{}>{}</option>", ((v, " selected" if str(v) == value else "", label) for v, label in choices))
            result.append({"name": directorate.name, "html_name": field.html_name, "id": field.id_for_label, "options": options})
        return result

    @property
    def cache_key(self):
        """Everything the card's HTML depends on, or None when it shows a submitted form (with its errors)."""
        if self._form is not None and self._form.is_bound:
            return None
        score, previous = self.score, self.previous
        parts = [
            score.pk, score.version, score.updated_at.timestamp(), self.assessment.carried_forward_from_id, len(score.evidence_items.all()),
            f"{previous.pk}.{previous.version}" if previous else "-",
            ",".join(f"{d.pk}:{d.name}" for d in self._directorates),
        ]
        return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def _section_context(request, assessment, section, scores, directorates, bound_forms=None):
    previous = assessment.previous()
    previous_scores = {}
    if previous:
        previous_scores = {
            s.objective_id: s for s in previous.scores.filter(objective__section=section).only("objective_id", "level", "working_towards", "comment", "version")
        }
    sections = list(assessment.framework.sections.all())
    progress, overall = _progress(assessment)
    for s in sections:
        s.progress = progress.get(s.pk, roll_up([]))
    index = next(i for i, s in enumerate(sections) if s.pk == section.pk)
    forms = dict(bound_forms or [])
    cards = [ObjectiveCard(assessment, score, previous_scores.get(score.objective_id), directorates, forms.get(score)) for score in scores]
    return {
        "assessment": assessment,
        "section": section,
        "principles": list(zip(Level, section.principle_texts(), strict=False)),
        "cards": cards,
        "sections": sections,
        "overall": overall,
        "section_progress": progress.get(section.pk, roll_up([])),
        "previous_assessment": previous,
        "prev_section": sections[index - 1] if index > 0 else None,
        "next_section": sections[index + 1] if index + 1 < len(sections) else None,
        "can_edit": assessment.is_draft and can_edit_council(request.user, assessment.council),
    }


@login_required
@require_http_methods(["GET", "POST"])
def section_score(request, pk, number):
    """Score one key area. Autosave posts each objective; without JavaScript the whole section posts here."""
    assessment = _get_assessment_for_user(request, pk, edit=request.method == "POST")
    section = get_object_or_404(Section.objects.prefetch_related("principles"), framework=assessment.framework_id, number=number)
    directorates = list(assessment.council.directorates.all())
    scores = list(Score.objects.for_page().filter(assessment=assessment, objective__section=section).order_by("objective__number"))

    if request.method == "POST":
        if not assessment.is_draft:
            messages.error(request, "This assessment has been submitted and is read-only; nothing was changed.")
            return redirect("assessments:section", pk=pk, number=number)
        forms = _score_forms(assessment, scores, directorates, request.POST)
        if all(form.is_valid() for _, form in forms):
            stale = []
            for score, form in forms:
                if form.has_changed():
                    try:
                        score_save(score, form, request.user)
                    except StaleScore:
                        stale.append(score.objective.name)
            if stale:
                messages.warning(request, "Not saved, changed by someone else since you opened the page: " + "; ".join(stale) + ". Their version is shown; re-enter your changes.")
            else:
                messages.success(request, f"Saved {section.name}.")
            return redirect("assessments:section", pk=pk, number=number)
        messages.error(request, "Some scores could not be saved; see the messages below. Nothing in this section was changed.")
        return render(request, "assessments/section.html", _section_context(request, assessment, section, scores, directorates, forms))
    return render(request, "assessments/section.html", _section_context(request, assessment, section, scores, directorates))


def _autosave_response(request, context, state, status):
    """htmx gets 200 with the outcome in X-Autosave-State (browsers log 4xx as console errors); others the status."""
    response = render(request, "assessments/partials/autosave_result.html", dict(context, state=state))
    response.status_code = 200 if request.htmx else status
    response["X-Autosave-State"] = state
    current = context.get("theirs") or context.get("score")
    if current is not None:
        response["X-Score-Version"] = str(current.version)
    return response


@login_required
@require_POST
def objective_autosave(request, pk, number):
    """Autosave of one objective: 200 saved, 422 invalid, 409 stale, 423 submitted."""
    assessment = _get_assessment_for_user(request, pk, edit=True)
    score = get_object_or_404(
        Score.objects.select_related("objective__section").prefetch_related("directorate_ratings__directorate"), assessment=assessment, objective__number=number
    )
    directorates = list(assessment.council.directorates.all())
    form = _score_form(score, directorates, request.POST)
    context = {"assessment": assessment, "score": score, "form": form}
    if not assessment.is_draft:
        return _autosave_response(request, context, "locked", 423)
    if not form.is_valid():
        return _autosave_response(request, context, "invalid", 422)
    try:
        score = score_save(score, form, request.user)
    except StaleScore as stale:
        return _autosave_response(request, dict(context, theirs=stale.current, yours=form.cleaned_data), "stale", 409)
    except NotEditable:
        return _autosave_response(request, context, "locked", 423)
    refresh_levels = bool(request.POST.get(f"o{number}-use_weakest"))
    return _autosave_response(request, dict(context, score=score, refresh_levels=refresh_levels), "saved", 200)


@login_required
@require_GET
def objective_history(request, pk, number):
    assessment = _get_assessment_for_user(request, pk)
    score = get_object_or_404(Score.objects.select_related("objective"), assessment=assessment, objective__number=number)
    records = list(score.history.select_related("history_user").order_by("-history_date", "-history_id"))
    changes = []
    for newer, older in zip(records, records[1:] + [None], strict=False):
        if older is None:
            changes.append({"record": newer, "diffs": [], "created": True})
            continue
        delta = newer.diff_against(older, included_fields=["level", "working_towards", "comment", "action", "evidence"])
        if delta.changes:
            changes.append({"record": newer, "diffs": delta.changes, "created": False})
    ratings = score.directorate_ratings.model.history.filter(score_id=score.pk).select_related("history_user").order_by("-history_date")
    rating_names = dict(assessment.council.directorates.values_list("pk", "name"))
    return render(
        request,
        "assessments/history.html",
        {"assessment": assessment, "score": score, "changes": changes, "ratings": ratings, "rating_names": rating_names},
    )


@login_required
@require_http_methods(["GET", "POST"])
def assessment_submit_view(request, pk):
    assessment = _get_assessment_for_user(request, pk, head=True)
    if not assessment.is_draft:
        messages.info(request, "This assessment is already submitted.")
        return redirect("assessments:detail", pk=pk)
    form = SubmitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        assessment_submit(assessment, request.user)
        messages.success(request, f"{assessment.framework} {assessment.year} submitted. It is now read-only.")
        return redirect("assessments:detail", pk=pk)
    return render(request, "assessments/submit.html", {"assessment": assessment, "form": form, "unscored": assessment.unscored()})


@login_required
@require_http_methods(["GET", "POST"])
def assessment_reopen_view(request, pk):
    assessment = _get_assessment_for_user(request, pk, head=True)
    if assessment.is_draft:
        messages.info(request, "This assessment is already a draft.")
        return redirect("assessments:detail", pk=pk)
    form = ReopenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        assessment_reopen(assessment, request.user, form.cleaned_data["reason"])
        messages.success(request, "Reopened as a draft. The reason is recorded.")
        return redirect("assessments:detail", pk=pk)
    return render(request, "assessments/reopen.html", {"assessment": assessment, "form": form})


CHANGE_FILTERS = {"up": "Improved", "down": "Declined", "same": "Unchanged", "new": "No previous score"}


@login_required
@require_GET
def year_on_year(request, pk):
    assessment = _get_assessment_for_user(request, pk)
    previous = assessment.previous()
    previous_levels = {}
    if previous:
        previous_levels = dict(previous.scores.values_list("objective_id", "level"))
    sections = list(assessment.framework.sections.all())
    section_number = request.GET.get("section", "")
    change = request.GET.get("change", "")
    rows = []
    scores = assessment.scores.select_related("objective__section").order_by("objective__number")
    if section_number.isdigit():
        scores = scores.filter(objective__section__number=int(section_number))
    for score in scores:
        before = previous_levels.get(score.objective_id)
        if score.level is None or before is None:
            kind = "new"
        elif score.level > before:
            kind = "up"
        elif score.level < before:
            kind = "down"
        else:
            kind = "same"
        if change in CHANGE_FILTERS and kind != change:
            continue
        rows.append({"score": score, "before": before, "change": kind})
    return render(
        request,
        "assessments/year_on_year.html",
        {
            "assessment": assessment,
            "previous": previous,
            "rows": rows,
            "sections": sections,
            "section_number": section_number,
            "change": change,
            "change_filters": CHANGE_FILTERS,
        },
    )


# Spreadsheets


def _download(content, filename, content_type):
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
@require_GET
def assessment_export(request, pk):
    assessment = _get_assessment_for_user(request, pk)
    rows = assessment_export_rows(assessment)
    name = f"{assessment.council.slug}-{assessment.framework.code}-{assessment.year}"
    if request.GET.get("format") == "csv":
        return _download(spreadsheets.csv_bytes(spreadsheets.OUR_COLUMNS, rows), f"{name}.csv", "text/csv; charset=utf-8")
    _, overall = _progress(assessment)
    summary_rows = [
        ["Council", str(assessment.council)], ["Framework", assessment.framework.name], ["Year", assessment.year],
        ["Status", assessment.get_status_display()], ["Submitted", f"{assessment.submitted_at:%d %B %Y}" if assessment.submitted_at else ""],
        ["Objectives scored", f"{overall['scored']} of {overall['total']}"], ["Weakest level", overall["weakest"]], ["Mean level", overall["mean"]],
    ]
    for level in Level:
        summary_rows.append([f"Objectives at {level.value} {level.label}", sum(1 for row in rows if row[4] == level.value)])
    content = spreadsheets.workbook_bytes([("Scores", spreadsheets.OUR_COLUMNS, rows), ("Summary", ["Item", "Value"], summary_rows)])
    return _download(content, f"{name}.xlsx", XLSX)


@login_required
@require_member
@require_GET
def history_export(request):
    """All the council's years of one framework, a score and a comment column per year (Medway's layout)."""
    council = request.user.membership.council
    framework = get_object_or_404(Framework, code=request.GET.get("framework", "nps-2018"))
    assessments = list(Assessment.objects.visible_to(request.user).for_council(council).filter(framework=framework).order_by("year"))
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
            row += [spreadsheets.split_score(score.level, score.working_towards) if score else "", text]
        rows.append(row)
    content = spreadsheets.workbook_bytes([("Scores", header, rows)])
    return _download(content, f"{council.slug}-{framework.code}-history.xlsx", XLSX)


def _session_key(assessment):
    return f"import-preview-{assessment.pk}"


@login_required
@require_http_methods(["GET", "POST"])
def assessment_import_view(request, pk):
    assessment = _get_assessment_for_user(request, pk, edit=True)
    if not assessment.is_draft:
        messages.error(request, "This assessment has been submitted; it no longer accepts imports.")
        return redirect("assessments:detail", pk=pk)
    form = ImportForm(request.POST or None, request.FILES or None, initial={"score_year": assessment.year})
    context = {"assessment": assessment, "form": form}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            table, notes = spreadsheets.read_table(upload.name, upload.read())
            header, columns = spreadsheets.find_columns(table, form.cleaned_data["score_year"] or assessment.year, form.overrides())
            items = spreadsheets.parse_rows(table, columns, header)
        except spreadsheets.SpreadsheetError as error:
            form.add_error("file", str(error))
        else:
            changes, problems = assessment_import_plan(assessment, items)
            if not problems:
                request.session[_session_key(assessment)] = {"changes": changes, "filename": upload.name}
            context.update({"preview": True, "changes": changes, "problems": sorted(problems.items()), "notes": notes, "row_count": len(items), "filename": upload.name})
    return render(request, "assessments/import.html", context)


@login_required
@require_POST
def assessment_import_confirm(request, pk):
    assessment = _get_assessment_for_user(request, pk, edit=True)
    pending = request.session.pop(_session_key(assessment), None)
    if pending is None:
        messages.error(request, "There is no import waiting to be confirmed (it may have been confirmed already). Upload the file again.")
        return redirect("assessments:import", pk=pk)
    try:
        count = assessment_import(assessment, pending["changes"], request.user)
    except NotEditable as error:
        messages.error(request, f"{error} Nothing was imported.")
    except StaleScore as error:
        messages.error(request, f"{error} Nothing was imported; upload the file again to see the changes against the current scores.")
        return redirect("assessments:import", pk=pk)
    else:
        messages.success(request, f"Imported {pending['filename']}: {count} objectives changed.")
    return redirect("assessments:detail", pk=pk)


@login_required
@require_GET
def framework_score(request, pk):
    """Every key area on one page, for those who prefer to scroll; each objective autosaves as on the section pages."""
    assessment = _get_assessment_for_user(request, pk)
    directorates = list(assessment.council.directorates.all())
    scores = list(Score.objects.for_page().filter(assessment=assessment).order_by("objective__number"))
    sections = list(assessment.framework.sections.prefetch_related("principles"))
    previous = assessment.previous()
    previous_scores = {}
    if previous:
        previous_scores = {s.objective_id: s for s in previous.scores.only("objective_id", "level", "working_towards", "comment", "version")}
    progress, overall = _progress(assessment)
    by_section = defaultdict(list)
    for score in scores:
        by_section[score.objective.section_id].append(ObjectiveCard(assessment, score, previous_scores.get(score.objective_id), directorates))
    for section in sections:
        section.cards = by_section.get(section.pk, [])
        section.progress = progress.get(section.pk, roll_up([]))
    return render(
        request,
        "assessments/score_all.html",
        {
            "assessment": assessment, "sections": sections, "overall": overall, "previous_assessment": previous,
            "can_edit": assessment.is_draft and can_edit_council(request.user, assessment.council),
        },
    )


# Evidence


@login_required
@require_http_methods(["GET", "POST"])
def objective_evidence(request, pk, number):
    """The files and links behind one objective's score; officers and heads add them while the assessment is a draft."""
    assessment = _get_assessment_for_user(request, pk, edit=request.method == "POST")
    score = get_object_or_404(Score.objects.select_related("objective"), assessment=assessment, objective__number=number)
    can_edit = assessment.is_draft and can_edit_council(request.user, assessment.council)
    form = EvidenceForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not can_edit:
            messages.error(request, "This assessment has been submitted; its evidence can no longer change.")
            return redirect("assessments:evidence", pk=pk, number=number)
        if form.is_valid():
            evidence_add(score, form, request.user)
            messages.success(request, f"Added “{form.cleaned_data['title']}”.")
            return redirect("assessments:evidence", pk=pk, number=number)
    return render(request, "assessments/evidence.html", {"assessment": assessment, "score": score, "items": score.evidence_items.select_related("uploaded_by"), "form": form, "can_edit": can_edit})


@login_required
@require_POST
def evidence_delete(request, pk, item):
    assessment = _get_assessment_for_user(request, pk, edit=True)
    evidence = get_object_or_404(Evidence.objects.select_related("score__objective"), pk=item, score__assessment=assessment)
    if not assessment.is_draft:
        messages.error(request, "This assessment has been submitted; its evidence can no longer change.")
    else:
        evidence_remove(evidence)
        messages.success(request, f"Removed “{evidence.title}”.")
    return redirect("assessments:evidence", pk=pk, number=evidence.score.objective.number)


@login_required
@require_GET
def evidence_download(request, pk, item):
    """Only to those who may see the assessment; always as a download, never rendered in our origin."""
    assessment = _get_assessment_for_user(request, pk)
    evidence = get_object_or_404(Evidence, pk=item, score__assessment=assessment)
    if evidence.is_link:
        raise Http404("This evidence is a link.")
    content_type = EVIDENCE_TYPES[evidence.kind][0]
    response = FileResponse(evidence.file.open("rb"), as_attachment=True, filename=evidence.original_name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
