"""Scoring: a key area at a time, the whole framework on one page, autosave of one objective, its history."""

import hashlib
from functools import cached_property

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html_join
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from common.numbers import int_param
from maturity.levels import Level
from maturity.models import Section

from ..access import can_edit_assessment, get_assessment_for_user, get_score_for_user
from ..forms import ScoreForm
from ..models import Score
from ..selectors import EMPTY_FIGURES, previous_submitted, year_levels
from ..services import Door, NotEditable, NotValid, StaleScore, key_area_flags_set, score_write

EMPTY = EMPTY_FIGURES
HISTORY_PER_PAGE = 50  # records of one objective's history on a page


def score_initial(score):
    """The form's starting values: the stored score and its directorate levels."""
    initial = {name: getattr(score, name) for name in ScoreForm.FIELDS}
    for rating in score.directorate_ratings.all():
        initial[f"dir_{rating.directorate_id}"] = rating.level
    return initial


def score_form(score, directorates, data=None):
    return ScoreForm(
        data, prefix=f"o{score.objective.number}", directorates=directorates, initial=score_initial(score), score=score
    )


class ObjectiveCard:
    """What one objective's scoring card shows, worked out on first use.

    Templates pay for every lookup and a page can hold 59 cards, so values are prepared here; and a card whose
    HTML comes from the fragment cache (keyed on the score's version, which every change bumps) computes nothing.
    """

    def __init__(self, assessment, score, previous, directorates, form=None):
        self.assessment, self.score, self.previous, self._directorates, self._form = assessment, score, previous, directorates, form

    @cached_property
    def form(self):
        return self._form or score_form(self.score, self._directorates)

    @cached_property
    def names(self):
        return self.form.names()

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


def _previous_scores(assessment, **filters):
    previous = previous_submitted(assessment=assessment)
    if previous is None:
        return None, {}
    rows = previous.scores.filter(**filters).only("objective_id", "level", "working_towards", "comment", "version")
    return previous, {s.objective_id: s for s in rows}


def _intro_open(request, section):
    """The LGA's text about a key area is open on the first visit of a sitting and folded after that (issue 29)."""
    seen = request.session.get("intro_seen", [])
    if section.pk in seen:
        return False
    request.session["intro_seen"] = [*seen, section.pk][-100:]
    return True


def _section_context(request, assessment, section, scores, directorates, bound_forms=None):
    previous, previous_scores = _previous_scores(assessment, objective__section=section)
    sections = list(assessment.framework.sections.all())
    levels = year_levels(assessment=assessment)
    progress, overall = levels["sections"], levels["overall"]
    for s in sections:
        s.progress = progress.get(s.pk, EMPTY)
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
        "section_progress": progress.get(section.pk, EMPTY),
        "previous_assessment": previous,
        "prev_section": sections[index - 1] if index > 0 else None,
        "next_section": sections[index + 1] if index + 1 < len(sections) else None,
        "can_edit": can_edit_assessment(request.user, assessment),
        "flags": assessment.key_area_flags.filter(section=section).first(),
        "intro_open": _intro_open(request, section),
    }


@login_required
@require_POST
def key_area_flags(request, pk, number):
    """The two value-code questions for one key area (matters most; support needed)."""
    assessment = get_assessment_for_user(request, pk, edit=True)
    section = get_object_or_404(Section, framework=assessment.framework_id, number=number)
    try:
        key_area_flags_set(
            assessment_id=assessment.pk, section_id=section.pk, matters_most=bool(request.POST.get("matters_most")), support_needed=bool(request.POST.get("support_needed")), user=request.user
        )
    except NotEditable as error:
        messages.error(request, f"{error} Nothing was changed.")
    else:
        messages.success(request, f"Saved the value-code answers for {section.name}.")
    return redirect(reverse("assessments:section", args=[pk, number]) + "#value-codes")


@login_required
@require_http_methods(["GET", "POST"])
def section_score(request, pk, number):
    """Score one key area. Autosave posts each objective; without JavaScript the whole key area posts here, all or nothing."""
    assessment = get_assessment_for_user(request, pk, edit=request.method == "POST")
    section = get_object_or_404(Section.objects.prefetch_related("principles"), framework=assessment.framework_id, number=number)
    directorates = list(assessment.council.directorates.all())
    scores = list(Score.objects.for_page().filter(assessment=assessment, objective__section=section).order_by("objective__number"))
    here = reverse("assessments:section", args=[pk, number])

    if request.method == "POST":
        if not assessment.is_draft:
            messages.error(request, "This assessment has been submitted and is read-only; nothing was changed.")
            return redirect(here)
        forms = [(score, score_form(score, directorates, request.POST)) for score in scores]
        if all(form.is_valid() for _, form in forms):
            stale = []
            try:
                with transaction.atomic():
                    for score, form in forms:
                        if form.has_changed():
                            try:
                                with transaction.atomic():
                                    score_write(score_id=score.pk, user=request.user, door=Door.KEY_AREA_FORM, **form.write_values())
                            except StaleScore:
                                stale.append(score.objective.name)
            except NotEditable as error:
                messages.error(request, f"{error} Nothing was changed.")
                return redirect(here)
            except NotValid as error:
                messages.error(request, f"{error} Nothing in this key area was changed.")
                return redirect(here)
            if stale:
                messages.warning(request, "Not saved, changed by someone else since you opened the page: " + "; ".join(stale) + ". Their version is shown; re-enter your changes.")
            else:
                messages.success(request, f"Saved {section.name}.")
            anchor = request.POST.get("return_to", "")
            return redirect(here + (f"#{anchor}" if anchor.startswith("objective-") and anchor[10:].isascii() and anchor[10:].isdigit() else ""))
        messages.error(request, "Some scores could not be saved; see the messages below. Nothing in this key area was changed.")
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
        response["X-Score-Level"] = "" if current.level is None else str(current.level)
    return response


@login_required
@require_POST
def objective_autosave(request, pk, number):
    """Autosave of one objective: 200 saved, 422 invalid, 409 stale, 423 submitted."""
    score = get_score_for_user(request, pk, number, edit=True)
    assessment = score.assessment
    # A directorate field left out of the post counts as no level, so the council's directorates are read only when
    # the card posts some (most councils have none).
    posts_directorates = any(key.startswith(f"o{number}-dir_") for key in request.POST)
    directorates = list(assessment.council.directorates.all()) if posts_directorates else []
    # Validation needs no starting values (a card posts all of its fields), so the stored directorate levels are not
    # read here: score_write reads them under the lock. Attached evidence is counted only for a 5.
    form = ScoreForm(request.POST, prefix=f"o{number}", directorates=directorates, score=score)
    context = {"assessment": assessment, "score": score, "form": form}
    if not assessment.is_draft:
        return _autosave_response(request, context, "locked", 423)
    if not form.is_valid():
        return _autosave_response(request, context, "invalid", 422)
    try:
        score = score_write(score_id=score.pk, user=request.user, door=Door.AUTOSAVE, **form.write_values())
    except StaleScore as stale:
        return _autosave_response(request, dict(context, theirs=stale.current, yours=form.cleaned_data), "stale", 409)
    except NotEditable:
        return _autosave_response(request, context, "locked", 423)
    except NotValid as error:
        for field, message in error.problems.items():
            form.add_error(field if field in form.fields else None, message)
        return _autosave_response(request, context, "invalid", 422)
    refresh_levels = bool(request.POST.get(f"o{number}-use_weakest"))
    levels = year_levels(assessment=assessment)  # the key area's line and the year's progress, as they now stand
    section = context["score"].objective.section  # loaded with the score above; the saved copy has not got it
    progress = {"overall": levels["overall"], "section_progress": levels["sections"].get(section.pk, EMPTY), "section": section}
    return _autosave_response(request, dict(context, score=score, refresh_levels=refresh_levels, progress=progress), "saved", 200)


@login_required
@require_GET
def objective_history(request, pk, number):
    assessment = get_assessment_for_user(request, pk)
    score = get_object_or_404(Score.objects.select_related("objective"), assessment=assessment, objective__number=number)
    # Autosave records every pause in typing, so an objective can have hundreds of records: a page of them at a time,
    # newest first, each compared with the one before it (one more is read, for the oldest on the page).
    page = int_param(request.GET.get("page"), low=1, high=100_000) or 1
    start = (page - 1) * HISTORY_PER_PAGE
    records = list(score.history.select_related("history_user").order_by("-history_date", "-history_id")[start : start + HISTORY_PER_PAGE + 1])
    older_page = page + 1 if len(records) > HISTORY_PER_PAGE else None
    shown = records[:HISTORY_PER_PAGE]
    changes = []
    for newer, older in zip(shown, records[1:] + [None], strict=False):
        if older is None:
            changes.append({"record": newer, "diffs": [], "created": True})
            continue
        delta = newer.diff_against(older, included_fields=["level", "working_towards", "comment", "action", "evidence", "out_of_scope", "out_of_scope_reason"])
        if delta.changes:
            changes.append({"record": newer, "diffs": delta.changes, "created": False})
    ratings = score.directorate_ratings.model.history.filter(score_id=score.pk).select_related("history_user").order_by("-history_date")
    rating_names = dict(assessment.council.directorates.values_list("pk", "name"))
    return render(
        request,
        "assessments/history.html",
        {
            "assessment": assessment, "score": score, "changes": changes, "ratings": ratings, "rating_names": rating_names,
            "page": page, "older_page": older_page, "newer_page": page - 1 if page > 1 else None,
        },
    )


def _framework_cards(assessment, sections):
    """The scoring cards of some key areas, by key area: the whole-framework page draws one and loads the rest on demand."""
    ids = [section.pk for section in sections]
    directorates = list(assessment.council.directorates.all())
    scores = Score.objects.for_page().filter(assessment=assessment, objective__section__in=ids).order_by("objective__number")
    _previous, previous_scores = _previous_scores(assessment, objective__section__in=ids)
    by_section = {pk: [] for pk in ids}
    for score in scores:
        by_section[score.objective.section_id].append(ObjectiveCard(assessment, score, previous_scores.get(score.objective_id), directorates))
    return by_section


@login_required
@require_GET
def framework_score(request, pk):
    """Every key area on one page, for those who prefer to scroll; each objective autosaves as on the key-area pages.

    The first key area's cards come with the page and each of the others loads as the reader reaches it (a link to
    its own page without JavaScript): all 59 cards at once were 550 KB of HTML. "Show every objective" draws them all,
    for searching the page or printing it.
    """
    assessment = get_assessment_for_user(request, pk)
    everything = request.GET.get("show") == "all"
    sections = list(assessment.framework.sections.prefetch_related("principles"))
    levels = year_levels(assessment=assessment)
    drawn = sections if everything else sections[:1]
    cards = _framework_cards(assessment, drawn)
    for section in sections:
        section.cards = cards.get(section.pk)
        section.progress = levels["sections"].get(section.pk, EMPTY)
    return render(
        request,
        "assessments/score_all.html",
        {
            "assessment": assessment, "sections": sections, "overall": levels["overall"], "everything": everything,
            "previous_assessment": previous_submitted(assessment=assessment), "can_edit": can_edit_assessment(request.user, assessment),
        },
    )


@login_required
@require_GET
def framework_section(request, pk, number):
    """One key area's cards for the whole-framework page, fetched when the reader scrolls to it."""
    assessment = get_assessment_for_user(request, pk)
    section = get_object_or_404(Section, framework=assessment.framework_id, number=number)
    section.cards = _framework_cards(assessment, [section])[section.pk]
    return render(
        request, "assessments/partials/framework_section_cards.html",
        {"assessment": assessment, "section": section, "can_edit": can_edit_assessment(request.user, assessment)},
    )
