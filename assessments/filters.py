import django_filters

from common.numbers import YearFilter
from maturity.models import Framework

from .models import Assessment


class AssessmentFilter(django_filters.FilterSet):
    framework = django_filters.ModelChoiceFilter(queryset=Framework.objects.all(), empty_label="All frameworks")
    year = YearFilter()
    status = django_filters.ChoiceFilter(choices=Assessment.Status.choices, empty_label="Any status")

    class Meta:
        model = Assessment
        fields = ["framework", "year", "status"]
