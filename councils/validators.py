from django.core.exceptions import ValidationError

from maturity import rules


def validate_name(value):
    """Model-field door to rules.name_problem (the admin and every ModelForm): one line, nothing invisible."""
    problem = rules.name_problem("The name", value)
    if problem:
        raise ValidationError(problem)
