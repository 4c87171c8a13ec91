from collections import defaultdict

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assessments.access import get_assessment_for_user
from assessments.services import NotEditable, NotValid
from common import downloads, sheets
from common.forms import NewPasswordForm
from common.numbers import int_param
from maturity import rules
from maturity.levels import Level
from reports.pdf import render_pdf

from .access import get_invitation_for_user
from .forms import ConsolidateForm, InviteForm, RatingForm
from .invitations import invitation_send, invitation_tokens
from .models import Consolidation, Invitation, Rating
from .services import (
    assessment_consolidate_weakest,
    invitation_create,
    invitation_submit,
    invitation_withdraw,
    objective_consolidate,
    ratings_save,
)


@login_required
@require_http_methods(["GET", "POST"])
def raters(request, pk):
    """The head invites colleagues to rate chosen objectives, and sees who has submitted."""
    assessment = get_assessment_for_user(request, pk, head=True)
    form = InviteForm(request.POST or None, assessment=assessment)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            invitation = invitation_create(
                assessment_id=assessment.pk, invited_by=request.user, username=data["username"], email=data["email"],
                first_name=data["first_name"], last_name=data["last_name"], role_label=data["role_label"],
                directorate_id=data["directorate"].pk if data.get("directorate") else None, objective_ids=[o.pk for o in data["chosen"]],
            )
        except IntegrityError:
            form.add_error("username", "That sign-in name was just taken; choose another, or leave it empty to use their e-mail address.")
        except NotEditable as error:
            form.add_error(None, str(error))
        else:
            mail = invitation_send(invitation, settings.SITE_URL)
            if mail.status == mail.Status.SENT:
                messages.success(request, f"Invited {invitation} to rate {len(form.cleaned_data['chosen'])} objectives: an e-mail with a link to choose their password has gone to {invitation.rater.email}.")
            else:
                messages.warning(request, f"Invited {invitation} to rate {len(form.cleaned_data['chosen'])} objectives, but the e-mail to {invitation.rater.email} could not be sent yet; we will retry it automatically. If they have not had it within the hour, invite them again.")
            return redirect("ratings:raters", pk=pk)
    invitations = assessment.invitations.select_related("rater", "directorate").prefetch_related("objectives")
    return render(request, "ratings/raters.html", {"assessment": assessment, "form": form, "invitations": invitations})


@login_required
@require_http_methods(["GET", "POST"])
def rate(request, pk):
    """An invited rater's own page: their objectives only; others' ratings only once they have submitted theirs."""
    invitation = get_invitation_for_user(request, pk)
    objectives = list(invitation.objectives.select_related("section").prefetch_related("descriptors").order_by("number"))
    mine = {r.objective_id: r for r in invitation.ratings.all()}
    forms = [
        (objective, RatingForm(request.POST or None, prefix=f"r{objective.number}", initial={"level": getattr(mine.get(objective.pk), "level", None), "comment": getattr(mine.get(objective.pk), "comment", "")}))
        for objective in objectives
    ]
    if request.method == "POST":
        if all(form.is_valid() for _, form in forms):
            values = {o.pk: (f.cleaned_data["level"], f.cleaned_data["comment"]) for o, f in forms}
            try:
                ratings_save(invitation_id=invitation.pk, values=values, user=request.user)
            except (NotEditable, NotValid) as error:
                messages.error(request, f"{error} Nothing was changed.")
                return redirect("ratings:rate", pk=pk)
            if "submit" not in request.POST:
                messages.success(request, "Saved. Submit when you have rated every objective.")
                return redirect("ratings:rate", pk=pk)
            try:
                invitation_submit(invitation_id=invitation.pk)
            except (NotEditable, NotValid) as error:
                messages.error(request, f"{error} Your ratings so far are saved.")
            else:
                messages.success(request, "Submitted. Thank you: your ratings are now with the head of procurement, and you can see the others'.")
            return redirect("ratings:rate", pk=pk)
        messages.error(request, "Some ratings could not be saved; see below. Nothing was changed.")
    others = defaultdict(list)
    if invitation.is_submitted:
        for rating in Rating.objects.filter(invitation__assessment=invitation.assessment, invitation__submitted_at__isnull=False, objective__in=objectives).exclude(invitation=invitation).select_related("invitation__rater", "invitation__directorate"):
            others[rating.objective_id].append(rating)
    rows = [{"objective": o, "form": f, "levels": o.levels_with_descriptors(), "others": others.get(o.pk, [])} for o, f in forms]
    rated = sum(1 for o in objectives if getattr(mine.get(o.pk), "level", None) is not None)
    return render(request, "ratings/rate.html", {"invitation": invitation, "rows": rows, "rated": rated, "editable": not invitation.is_submitted and invitation.assessment.is_draft})


def _consolidation_rows(assessment, section=None):
    ratings = Rating.objects.filter(invitation__assessment=assessment, invitation__submitted_at__isnull=False, level__isnull=False).select_related("objective__section", "invitation__rater", "invitation__directorate")
    if section:
        ratings = ratings.filter(objective__section__number=section)
    by_objective = defaultdict(list)
    for rating in ratings:
        by_objective[rating.objective].append(rating)
    decisions = {c.objective_id: c for c in Consolidation.objects.filter(assessment=assessment).select_related("decided_by")}
    scores = {s.objective_id: s for s in assessment.scores.filter(objective__in=list(by_objective)).prefetch_related("directorate_ratings__directorate")}
    rows = []
    for objective, objective_ratings in by_objective.items():
        figures = rules.spread(r.level for r in objective_ratings)
        score = scores.get(objective.pk)
        rows.append({
            "objective": objective, "ratings": sorted(objective_ratings, key=lambda r: (r.level, str(r.invitation))), "spread": figures,
            "decision": decisions.get(objective.pk), "score": score.level if score else None,
            # Levels an officer entered for directorates on the scoring page: the council score cannot be above the
            # lowest of them, so they are shown beside the raters' (issue 29, item 7).
            "directorate_levels": sorted(score.directorate_ratings.all(), key=lambda r: rules.directorate_order(r.directorate)) if score else [],
        })
    rows.sort(key=lambda row: (-row["spread"]["range"], row["objective"].number))
    return rows


def _consolidation_page(request, assessment, section=None, bound=None):
    """The consolidation cards; `bound` is the one card's form that was sent and refused, shown with its errors and what was typed."""
    rows = _consolidation_rows(assessment, section)
    for row in rows:
        number = row["objective"].number
        if bound is not None and bound.prefix == f"c{number}":
            row["form"] = bound
            continue
        decision = row["decision"]
        row["form"] = ConsolidateForm(initial={"level": decision.level if decision else row["spread"]["weakest"], "reason": decision.reason if decision else ""}, weakest=row["spread"]["weakest"], prefix=f"c{number}")
    context = {
        "assessment": assessment, "rows": rows, "invitations": assessment.invitations.select_related("rater"), "sections": assessment.framework.sections.all(),
        "section": section, "refused": bound, "undecided": sum(1 for row in rows if not row["decision"]),
    }
    return render(request, "ratings/consolidation.html", context)


@login_required
@require_GET
def consolidation(request, pk):
    """Every objective with submitted ratings: who said what, the spread, the weakest; widest spread first."""
    assessment = get_assessment_for_user(request, pk, head=True)
    return _consolidation_page(request, assessment, int_param(request.GET.get("section"), low=1, high=999))


@login_required
@require_POST
def consolidate(request, pk, number):
    assessment = get_assessment_for_user(request, pk, head=True)
    objective = get_object_or_404(assessment.framework.objectives, number=number)
    levels = Rating.objects.filter(invitation__assessment=assessment, invitation__submitted_at__isnull=False, objective=objective).values_list("level", flat=True)
    figures = rules.spread(levels)
    if figures is None:
        raise Http404("No submitted ratings for this objective.")
    form = ConsolidateForm(request.POST, weakest=figures["weakest"], prefix=f"c{number}")
    if form.is_valid():
        try:
            score = objective_consolidate(assessment_id=assessment.pk, objective_id=objective.pk, level=form.cleaned_data["level"], reason=form.cleaned_data["reason"], user=request.user)
        except NotEditable as error:
            messages.error(request, f"{error} Nothing was changed.")
        except NotValid as error:
            for field, message in error.problems.items():
                form.add_error(field if field in form.fields else "level", message)
            return _consolidation_page(request, assessment, bound=form)
        else:
            messages.success(request, f"{objective.number}. {objective.name}: the council's score is now {Level.label_of(score.level)}.")
        return redirect(reverse("ratings:consolidation", args=[pk]) + f"#objective-{number}")
    return _consolidation_page(request, assessment, bound=form)


@login_required
@require_POST
def consolidate_weakest(request, pk):
    """"Set every objective to its weakest rating": the LGA's rule in one click; argued decisions are kept."""
    assessment = get_assessment_for_user(request, pk, head=True)
    try:
        outcome = assessment_consolidate_weakest(assessment_id=assessment.pk, user=request.user)
    except NotEditable as error:
        messages.error(request, f"{error} Nothing was changed.")
        return redirect("ratings:consolidation", pk=pk)
    done = len(outcome["set"])
    messages.success(request, f"Set {done} objective{pluralize(done)} to {'its' if done == 1 else 'their'} weakest rating." + (
        f" Kept the decision{pluralize(len(outcome['kept']))} recorded with a reason for " + ", ".join(f"{o.number}. {o.name}" for o in outcome["kept"]) + "." if outcome["kept"] else ""
    ))
    for objective, message in outcome["refused"]:
        messages.error(request, f"{objective.number}. {objective.name} was not changed: {message}")
    return redirect("ratings:consolidation", pk=pk)


@login_required
@require_GET
def response_sheet(request, pk):
    """A blank response sheet to collect views offline: every objective's five descriptors, with room for a level and a comment."""
    assessment = get_assessment_for_user(request, pk, response_sheet=True)
    if request.GET.get("format") == "pdf":
        html = render_to_string("ratings/response_sheet_pdf.html", {"assessment": assessment, "council": assessment.council, "framework": assessment.framework, "sections": assessment.framework.sections_with_objectives()})
        return downloads.pdf(render_pdf(html), f"{assessment.framework.code}-{assessment.year}-response-sheet.pdf")
    header = ["Number", "Key area", "Objective", "Description", *[f"{level.value} {level.label}" for level in Level], "Your level (1–5)", "Your comment"]
    rows = []
    for section in assessment.framework.sections_with_objectives():
        for objective in section.objectives.all():
            rows.append([objective.number, section.name, objective.name, objective.description, *[text for _, text in objective.levels_with_descriptors()], "", ""])
    return downloads.xlsx(sheets.workbook_bytes([("Scores", header, rows)]), f"{assessment.framework.code}-{assessment.year}-response-sheet.xlsx")


@login_required
@require_POST
def withdraw(request, pk, invitation):
    assessment = get_assessment_for_user(request, pk, head=True)
    invitation = get_object_or_404(Invitation, pk=invitation, assessment=assessment)
    try:
        invitation_withdraw(invitation_id=invitation.pk)
    except NotEditable as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Withdrew the invitation of {invitation}; their ratings are no longer counted.")
    return redirect("ratings:raters", pk=pk)


@require_http_methods(["GET", "POST"])
def invitation_accept(request, uidb64, token):
    """The invitation e-mail's link: the invited rater chooses a password, is signed in and goes to their objectives.

    Public by design (the token is the credential); an expired or used link says so and changes nothing.
    """
    user = None
    try:
        user = get_user_model().objects.filter(pk=int(force_str(urlsafe_base64_decode(uidb64))), is_active=True).first()
    except (ValueError, TypeError, OverflowError):
        user = None
    invitation = Invitation.objects.filter(rater=user).select_related("assessment__council", "assessment__framework").first() if user else None
    valid = invitation is not None and invitation_tokens.check_token(user, token)
    form = NewPasswordForm(user, request.POST or None) if valid else None
    if valid and request.method == "POST" and form.is_valid():
        form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, "Your password is set. These are the objectives you are asked to rate.")
        return redirect("ratings:rate", pk=invitation.pk)
    return render(request, "ratings/invitation_accept.html", {"valid": valid, "form": form, "invitation": invitation, "user_to_invite": user})
