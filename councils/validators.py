from django.core.exceptions import ValidationError

from maturity import rules


def validate_name(value):
    """Model-field door to rules.name_problem (the admin and every ModelForm): one line, nothing invisible."""
    problem = rules.name_problem("The name", value)
    if problem:
        raise ValidationError(problem)


def validate_username(value):
    """rules.username_problem for every door that makes or renames a user through Django's forms (the admin too)."""
    problem = rules.username_problem(value)
    if problem:
        raise ValidationError(problem)
