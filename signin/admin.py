from django.contrib import admin

from .models import SignInPolicy


@admin.register(SignInPolicy)
class SignInPolicyAdmin(admin.ModelAdmin):
    """Site staff set each council's sign-in; the model's clean() refuses settings that would lock everyone out."""

    list_display = ["council", "sso_enabled", "provider_name", "passwords_allowed", "mfa_for_everyone"]
    list_filter = ["sso_enabled", "passwords_allowed"]
    autocomplete_fields = ["council"]
    readonly_fields = ["secret_status"]
    fields = ["council", "sso_enabled", "provider_name", "tenant_id", "issuer", "client_id", "secret_status", "email_domains", "passwords_allowed", "mfa_for_everyone"]

    @admin.display(description="client secret")
    def secret_status(self, policy):
        if not policy.pk:
            return "Save first: the secret is read from an environment variable named after the council."
        state = "set" if policy.client_secret else "NOT set"
        return f"From the environment variable {policy.secret_variable} ({state} on this server)."
