"""`{% plan_for_year assessment as shown %}`: the plan a year is judged against (actionplans.selectors.plan_version_for),
for pages of apps below this one (year on year) that name it without importing it."""

from django import template

from ..selectors import plan_version_for

register = template.Library()


@register.simple_tag
def plan_for_year(assessment):
    return plan_version_for(assessment=assessment) if assessment is not None else None
