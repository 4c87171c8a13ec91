from django.apps import AppConfig


class CouncilsConfig(AppConfig):
    name = "councils"
    verbose_name = "Councils and people"

    def ready(self):
        """Django's User keeps its own username rule (any Unicode letter); ours (ASCII, no look-alikes, ≤ 64) is
        added to the field, so the admin's user forms and every model validation apply it too."""
        from django.contrib.auth import get_user_model

        from .validators import validate_username

        field = get_user_model()._meta.get_field("username")
        if validate_username not in field.validators:
            field.validators.append(validate_username)
