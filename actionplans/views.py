from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from common import downloads, sheets
from common.numbers import paginate
from councils.access import get_membership_for_user, require_member

from .access import can_edit_plan, get_plan_for_user, is_head_for, visible_plans
from .exchange import plan_export_sheets
from .filters import ActionPlanFilter
from .forms import (
    ActionPlanForm,
    DeliveryConsiderationForm,
    KpiForm,
    KpiValueFormSet,
    PlanGoalForm,
    PlanLineForm,
    PlanReviewForm,
    TargetFormSet,
    show_problems,
)
from .models import ActionPlan, DeliveryConsideration, Kpi, KpiValue, PlanGoal, PlanLine, PlanReview
from .selectors import assessed_levels, current_plan, latest_assessment, plan_display
from .services import (
    NotValid,
    kpi_write,
    line_write,
    plan_add_key_areas,
    plan_create,
    plan_item_delete,
    plan_item_write,
    plan_publish,
    plan_update,
)
from .tables import ActionPlanTable
from .versions import plan_changes, plan_snapshot


@login_required
@require_member
@require_GET
def plan_list(request):
    membership = get_membership_for_user(request)
    council = membership.council
    qs = visible_plans(request.user).for_council(council).select_related("framework", "owner").annotate(line_count=Count("lines"))
    filterset = ActionPlanFilter(request.GET, queryset=qs)
    table = ActionPlanTable(filterset.qs if filterset.is_valid() else qs.none())
    paginate(request, table, per_page=25)
    return render(request, "actionplans/list.html", {"council": council, "table": table, "filter": filterset, "can_start": membership.is_head})


@login_required
@require_http_methods(["GET", "POST"])
def plan_new(request):
    membership = get_membership_for_user(request, head=True)
    form = ActionPlanForm(request.POST or None, council=membership.council)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plan = plan_create(council_id=membership.council_id, framework_id=data["framework"].pk, user=request.user, line_per_key_area=data["with_key_areas"], **form.values())
        except NotValid as error:
            show_problems(form, error.problems)
        except IntegrityError:
            existing = ActionPlan.objects.filter(council_id=membership.council_id, framework=data["framework"], start_year=data["start_year"]).first()
            link = format_html('<a href="{}">{}</a>', reverse("actionplans:detail", args=[existing.pk]), existing) if existing else "it"
            form.add_error(None, format_html("This plan already exists (someone may have just started it): open {}.", link))
        else:
            messages.success(request, f"Started {plan}." + (" It has a line for each key area: give each its targets." if data["with_key_areas"] else " Add its lines: one for every key area with one click, or one at a time."))
            return redirect("actionplans:detail", pk=plan.pk)
    return render(request, "actionplans/plan_form.html", {"form": form, "council": membership.council})


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request, pk):
    plan = get_plan_for_user(request, pk, head=True)
    form = ActionPlanForm(request.POST or None, instance=plan, council=plan.council)
    if request.method == "POST" and form.is_valid():
        try:
            plan = plan_update(plan_id=plan.pk, user=request.user, **form.values())
        except NotValid as error:
            show_problems(form, error.problems)
        else:
            messages.success(request, "Saved the plan." if plan.is_draft else f"Saved the plan: now version {plan.version}.")
            return redirect("actionplans:detail", pk=plan.pk)
    return render(request, "actionplans/plan_form.html", {"form": form, "plan": plan, "council": plan.council})


@login_required
@require_GET
def plan_detail(request, pk):
    plan = get_plan_for_user(request, pk)
    display = plan_display(plan=plan)
    key_areas = set(plan.framework.sections.values_list("pk", flat=True))
    lines = display["lines"]
    return render(
        request,
        "actionplans/detail.html",
        {
            **display,
            "plan_view": display,
            "current": display["current_roll_up"],
            "can_edit": can_edit_plan(request.user, plan),
            "is_head": is_head_for(request.user, plan),
            "versions": plan.versions() if not plan.is_draft else [],
            "plan_key_areas": len(key_areas),
            "missing_key_areas": len(key_areas - {line.section_id for line in lines if line.objective_id is None}),
        },
    )


@login_required
@require_GET
def plan_version_view(request, pk, version):
    """One published version of a plan, read-only, and what changed from the version before, line by line."""
    plan = get_plan_for_user(request, pk)
    shown = plan_snapshot(plan=plan, version=version)
    if shown is None:
        raise Http404("This plan has no such version.")
    before = plan_snapshot(plan=plan, version=version - 1) if version > 1 else None
    changes = plan_changes(before=before, after=shown) if before else None
    return render(request, "actionplans/version.html", {"plan": plan, "shown": shown, "changes": changes, "versions": plan.versions(), "latest": plan.version})


@login_required
@require_POST
def plan_key_areas_add(request, pk):
    plan = get_plan_for_user(request, pk, edit=True)
    added = plan_add_key_areas(plan_id=plan.pk, user=request.user)
    messages.success(request, f"Added {added} key-area line{'' if added == 1 else 's'}." if added else "Every key area already has a line.")
    return redirect("actionplans:detail", pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def plan_publish_view(request, pk):
    """Check your answers, then publish: what councillors will see, the plan it supersedes, lines still without a
    target. GET shows the check; POST publishes (with the confirmation it asked for)."""
    plan = get_plan_for_user(request, pk, head=True)
    if not plan.is_draft:
        messages.info(request, f"{plan} is already published.")
        return redirect("actionplans:detail", pk=plan.pk)
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        plan = plan_publish(plan_id=plan.pk, user=request.user)
        return render(request, "actionplans/published.html", {"plan": plan})
    display = plan_display(plan=plan)
    context = {
        "plan": plan, "display": display, "supersedes": current_plan(council_id=plan.council_id, framework_id=plan.framework_id),
        "without_target": [line for line in display["lines"] if line.state == "no_target"],
        "asked": request.method == "POST",
    }
    return render(request, "actionplans/publish.html", context)


@login_required
@require_GET
def plan_gap(request, pk):
    """Every key area: current, target and latest assessed level, biggest gap first."""
    plan = get_plan_for_user(request, pk)
    display = plan_display(plan=plan)
    assessed = display["assessed"]
    rows, covered = [], set()
    for line in display["lines"]:
        if line.is_custom:
            continue  # an area outside the framework has no level to close a gap to
        covered.add(line.section_id)
        final = line.final_target()
        baseline = line.assessed if line.assessed is not None else line.current_level
        rows.append({
            "section": line.section, "line": line, "current": line.current_level, "assessed": line.assessed, "target": final,
            "gap": (final.level - baseline) if final and baseline is not None else None, "state": line.state,
        })
    for section in plan.framework.sections.all():
        if section.pk not in covered:
            rows.append({"section": section, "line": None, "current": None, "assessed": assessed["sections"].get(section.pk), "target": None, "gap": None, "state": "no_target"})
    rows.sort(key=lambda row: (row["gap"] is None, -(row["gap"] or 0), row["section"].number, row["line"].pk if row["line"] else 0))
    return render(request, "actionplans/gap.html", {"plan": plan, "plan_view": display, "assessed": assessed, "rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def line_edit(request, pk, line=None):
    plan = get_plan_for_user(request, pk, edit=True)
    instance = get_object_or_404(PlanLine, plan=plan, pk=line) if line else PlanLine(plan=plan)
    heading = instance.label if line else ""  # as saved: a refused form leaves its half-checked values on the instance
    assessed = assessed_levels(assessment=latest_assessment(plan=plan))
    data = request.POST or None
    form = PlanLineForm(data, instance=instance, plan=plan, assessed=assessed)
    targets = TargetFormSet(data, instance=instance, plan=plan, prefix="targets")
    if request.method == "POST":
        form_ok = form.is_valid()  # first: the targets are checked against the current level it settles
        if form_ok and targets.is_valid():
            rows, row_forms = targets.rows()
            try:
                saved = line_write(plan_id=plan.pk, user=request.user, line_id=instance.pk, targets=rows, **form.values())
            except NotValid as error:
                show_problems(form, error.problems, rows=row_forms, prefix="targets")
            else:
                messages.success(request, f"Saved “{saved.label}”.")
                return redirect("actionplans:detail", pk=plan.pk)
        targets.is_valid()
    return render(request, "actionplans/line_form.html", {"plan": plan, "form": form, "targets": targets, "line": instance, "heading": heading, "assessed": assessed})


def _edit_child(request, plan, kind, model, form_class, pk, template, noun):
    instance = get_object_or_404(model, plan=plan, pk=pk) if pk else model(plan=plan)
    form = form_class(request.POST or None, instance=instance, plan=plan)
    if request.method == "POST" and form.is_valid():
        try:
            plan_item_write(plan_id=plan.pk, user=request.user, kind=kind, item_id=instance.pk, values=form.values())
        except NotValid as error:
            show_problems(form, error.problems)
        else:
            messages.success(request, f"Saved the {noun}.")
            return None
    return render(request, template, {"plan": plan, "form": form, "object": instance, "noun": noun})


@login_required
@require_http_methods(["GET", "POST"])
def consideration_edit(request, pk, item=None):
    plan = get_plan_for_user(request, pk, edit=True)
    response = _edit_child(request, plan, "consideration", DeliveryConsideration, DeliveryConsiderationForm, item, "actionplans/consideration_form.html", "delivery consideration")
    return response or redirect("actionplans:detail", pk=plan.pk)


@login_required
@require_http_methods(["GET", "POST"])
def goal_edit(request, pk, item=None):
    plan = get_plan_for_user(request, pk, edit=True)
    response = _edit_child(request, plan, "goal", PlanGoal, PlanGoalForm, item, "actionplans/goal_form.html", "goal")
    return response or redirect("actionplans:detail", pk=plan.pk)


@login_required
@require_http_methods(["GET", "POST"])
def review_edit(request, pk, item=None):
    plan = get_plan_for_user(request, pk, edit=True)
    response = _edit_child(request, plan, "review", PlanReview, PlanReviewForm, item, "actionplans/review_form.html", "progress and development record")
    return response or redirect("actionplans:detail", pk=plan.pk)


@login_required
@require_http_methods(["GET", "POST"])
def kpi_edit(request, pk, kpi=None):
    plan = get_plan_for_user(request, pk, edit=True)
    instance = get_object_or_404(Kpi, plan=plan, pk=kpi) if kpi else Kpi(plan=plan)
    data = request.POST or None
    form = KpiForm(data, instance=instance, plan=plan)
    values = KpiValueFormSet(data, instance=instance, prefix="values", queryset=KpiValue.objects.filter(kpi=instance) if instance.pk else KpiValue.objects.none())
    if request.method == "POST":
        form_ok = form.is_valid()  # first: the values' periods and ranges follow its frequency and unit
        if form_ok and values.is_valid():
            rows, row_forms = values.rows()
            try:
                saved = kpi_write(plan_id=plan.pk, user=request.user, kpi_id=instance.pk, values=rows, **form.values())
            except NotValid as error:
                show_problems(form, error.problems, rows=row_forms, prefix="values")
            else:
                messages.success(request, f"Saved the KPI “{saved.name}”.")
                return redirect("actionplans:detail", pk=plan.pk)
        values.is_valid()
    return render(request, "actionplans/kpi_form.html", {"plan": plan, "form": form, "values": values, "kpi": instance})


DELETABLE = {"goal": (PlanGoal, "goal"), "review": (PlanReview, "progress and development record"), "line": (PlanLine, "plan line"), "consideration": (DeliveryConsideration, "delivery consideration"), "kpi": (Kpi, "KPI")}


@login_required
@require_http_methods(["GET", "POST"])
def item_delete(request, pk, kind, item):
    plan = get_plan_for_user(request, pk, edit=True)
    if kind not in DELETABLE:
        raise Http404("Nothing of that kind.")
    model, noun = DELETABLE[kind]
    obj = get_object_or_404(model, plan=plan, pk=item)
    if request.method == "POST":
        try:
            name = plan_item_delete(plan_id=plan.pk, user=request.user, kind=kind, item_id=obj.pk)
        except NotValid as error:
            messages.error(request, " ".join(error.problems.values()))
        else:
            messages.success(request, f"Deleted the {noun} “{name}”.")
        return redirect("actionplans:detail", pk=plan.pk)
    return render(request, "actionplans/confirm_delete.html", {"plan": plan, "object": obj, "noun": noun})


@login_required
@require_GET
def plan_export(request, pk):
    """The plan as a workbook: lines with their yearly targets, delivery considerations, KPIs with every period."""
    plan = get_plan_for_user(request, pk)
    content = sheets.workbook_bytes(plan_export_sheets(plan_display(plan=plan)))
    return downloads.xlsx(content, f"{plan.council.slug}-{plan.framework.code}-plan-{plan.start_year}-{plan.end_year}.xlsx")
