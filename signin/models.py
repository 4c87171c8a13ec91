"""How a council's people sign in: its own OpenID Connect provider (Microsoft Entra ID), the e-mail domains it owns,
whether passwords are still allowed, and who must have a second factor. Site staff set it; heads see it."""

import os
import re
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import models

from councils.models import Council

from . import rules

TENANT_ID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


class SignInPolicyQuerySet(models.QuerySet):
    def with_sso(self):
        return self.filter(sso_enabled=True).exclude(client_id="").select_related("council")


class SignInPolicy(models.Model):
    council = models.OneToOneField(Council, on_delete=models.CASCADE, related_name="sign_in")
    sso_enabled = models.BooleanField("single sign-on on", default=False)
    provider_name = models.CharField("sign-in button says", max_length=80, default="Microsoft Entra ID", help_text="e.g. Microsoft Entra ID, Leeds staff account")
    tenant_id = models.CharField("Entra ID tenant (directory) ID", max_length=36, blank=True, help_text="The council's directory ID, as Entra ID's overview page shows it.")
    issuer = models.URLField("issuer URL (other providers)", blank=True, help_text="Only for a provider other than Entra ID: its issuer, where /.well-known/openid-configuration is found.")
    client_id = models.CharField("application (client) ID", max_length=200, blank=True)
    email_domains = models.TextField("the council's e-mail domains", blank=True, help_text="One per line, e.g. leeds.gov.uk. Single sign-on accepts only these addresses.")
    passwords_allowed = models.BooleanField("passwords still allowed", default=True, help_text="Untick for “single sign-on only”: members can then sign in only through the council's provider.")
    mfa_for_everyone = models.BooleanField("everyone needs a second factor", default=False, help_text="Heads of procurement and site staff always need one for password sign-in; tick to require it of every member.")

    objects = SignInPolicyQuerySet.as_manager()

    class Meta:
        verbose_name = "council sign-in settings"
        verbose_name_plural = "council sign-in settings"

    def __str__(self):
        return f"Sign-in for {self.council}"

    def clean(self):
        problems = {}
        if self.tenant_id and not TENANT_ID.fullmatch(self.tenant_id):
            problems["tenant_id"] = "A tenant ID looks like 72f988bf-86f1-41af-91ab-2d7cd011db47 (Entra ID → Overview → Tenant ID)."
        for domain in self.domains:
            problem = rules.domain_problem(domain)
            if problem:
                problems["email_domains"] = problem
        if self.sso_enabled:
            if not self.client_id:
                problems["client_id"] = "Single sign-on needs the application (client) ID from the app's registration."
            if not (self.tenant_id or self.issuer):
                problems["tenant_id"] = "Single sign-on needs the Entra ID tenant ID (or, for another provider, its issuer URL)."
            if not self.domains:
                problems["email_domains"] = "Single sign-on needs at least one of the council's e-mail domains."
        if not self.passwords_allowed and not self.sso_enabled:
            problems["passwords_allowed"] = "Turn single sign-on on before turning passwords off, or nobody could sign in."
        if problems:
            raise ValidationError(problems)

    @property
    def domains(self):
        return [rules.normalise_domain(line) for line in self.email_domains.splitlines() if line.strip()]

    @property
    def provider_id(self):
        """allauth's name for this council's provider, in its URLs (/accounts/sso/<provider_id>/login/)."""
        return self.council.slug

    @property
    def expected_issuer(self):
        """The issuer every ID token must name: Entra ID's v2.0 issuer for the tenant, or the configured one."""
        if self.issuer:
            return self.issuer.rstrip("/")
        return f"https://login.microsoftonline.com/{self.tenant_id.lower()}/v2.0"

    @property
    def server_url(self):
        return self.expected_issuer

    @property
    def provider_origin(self):
        """Where the browser is sent to sign in (the sign-in page's Content-Security-Policy must allow it)."""
        parts = urlsplit(self.expected_issuer)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def secret_variable(self):
        """The environment variable holding the client secret: never in the database."""
        return "SSO_SECRET_" + re.sub(r"[^A-Z0-9]", "_", self.council.slug.upper())

    @property
    def client_secret(self):
        return os.environ.get(self.secret_variable, "")

    @property
    def is_entra(self):
        return not self.issuer


def policy_of(user):
    """The sign-in settings of the user's council, or None (site staff, no settings yet). Read from the membership
    and council loaded with the user (councils.backends), so a page asks no extra query."""
    membership = getattr(user, "membership", None) if user is not None and user.is_authenticated else None
    if membership is None:
        return None
    try:
        return membership.council.sign_in
    except SignInPolicy.DoesNotExist:
        return None
