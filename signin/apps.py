from django.apps import AppConfig


class SigninConfig(AppConfig):
    name = "signin"
    verbose_name = "Sign-in"

    def ready(self):
        from . import signals  # noqa: F401  (second factors counted by django-axes; enrolment remembered)
