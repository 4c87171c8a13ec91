from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from .models import ActionPlan, PlanLine, PlanStatus
from .selectors import assessed_levels, latest_assessment


@transaction.atomic
def plan_create(*, council_id, framework_id, title, start_year, end_year, user, line_per_key_area=False):
    """A new plan, empty unless `line_per_key_area` (then as plan_add_key_areas).

    IntegrityError if the council already has a plan for this framework starting that year (two heads at once).
    """
    plan = ActionPlan.objects.create(council_id=council_id, framework_id=framework_id, title=title, start_year=start_year, end_year=end_year, owner=user)
    if line_per_key_area:
        plan_add_key_areas(plan_id=plan.pk, user=user)
    return plan


@transaction.atomic
def plan_add_key_areas(*, plan_id, user):
    """A key-area line for every key area of the framework that has none yet, its current level the latest assessed
    (weakest) one. Returns how many were added."""
    plan = ActionPlan.objects.select_for_update().get(pk=plan_id)
    assessed = assessed_levels(assessment=latest_assessment(plan=plan))
    have = set(plan.lines.filter(objective__isnull=True).values_list("section_id", flat=True))
    lines = [
        PlanLine(plan=plan, section=section, current_level=assessed["sections"].get(section.pk), order=section.number)
        for section in plan.framework.sections.all()
        if section.pk not in have
    ]
    bulk_create_with_history(lines, PlanLine, default_user=user)
    plan.touch()
    return len(lines)


@transaction.atomic
def line_save(form, target_formset):
    """Save a plan line and its yearly targets together, or neither."""
    return _save_with_rows(form, target_formset)


@transaction.atomic
def kpi_save(form, value_formset):
    """Save a KPI and its values per period together, or neither."""
    return _save_with_rows(form, value_formset)


def _save_with_rows(form, formset):
    parent = form.save()
    formset.instance = parent
    formset.save()
    parent.plan.touch()  # cached reports key on the plan's change time
    return parent


@transaction.atomic
def plan_publish(*, plan_id, user):
    """Publish a draft plan: from now on dashboards and reports of years submitted after this moment show it.
    The council's plan for the same framework published before it is superseded. Publishing twice is harmless."""
    plan = ActionPlan.objects.select_for_update().get(pk=plan_id)
    if not plan.is_draft:
        return plan
    now = timezone.now()
    earlier = ActionPlan.objects.select_for_update().filter(council_id=plan.council_id, framework_id=plan.framework_id, status=PlanStatus.PUBLISHED).exclude(pk=plan.pk)
    for old in earlier:
        old.status, old.superseded_at = PlanStatus.SUPERSEDED, now
        old.save(update_fields=["status", "superseded_at", "updated_at"])
    plan.status, plan.published_at, plan.published_by_id, plan.version = PlanStatus.PUBLISHED, now, user.pk, 1
    plan.save(update_fields=["status", "published_at", "published_by", "version", "updated_at"])
    return plan
