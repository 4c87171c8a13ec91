import django_filters

from common.numbers import YearFilter
from maturity.models import Framework

from .models import ActionPlan


class ActionPlanFilter(django_filters.FilterSet):
    framework = django_filters.ModelChoiceFilter(queryset=Framework.objects.all(), empty_label="All frameworks")
    year = YearFilter(method="covering", label="Covers year")

    class Meta:
        model = ActionPlan
        fields = ["framework", "year"]

    def covering(self, queryset, name, value):
        return queryset.current(value)
