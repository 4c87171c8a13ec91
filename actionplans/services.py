from django.db import transaction
from simple_history.utils import bulk_create_with_history

from .models import ActionPlan, PlanLine


@transaction.atomic
def plan_create(*, council_id, framework_id, title, start_year, end_year, user, line_per_key_area=True):
    """A new plan; with a key-area line per key area whose current level is the latest assessed (weakest) level.

    IntegrityError if the council already has a plan for this framework starting that year (two heads at once).
    """
    plan = ActionPlan.objects.create(council_id=council_id, framework_id=framework_id, title=title, start_year=start_year, end_year=end_year, owner=user)
    framework, owner = plan.framework, user
    if line_per_key_area:
        assessed = plan.assessed_levels()
        lines = [
            PlanLine(plan=plan, section=section, current_level=assessed["sections"].get(section.pk), order=section.number)
            for section in framework.sections.all()
        ]
        bulk_create_with_history(lines, PlanLine, default_user=owner)
    return plan


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
