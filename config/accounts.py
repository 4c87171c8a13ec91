"""Password reset with equal work for every address, throttled per address and per client.

The request only counts itself against the limits and queues a task; the worker looks the address up and, if it
belongs to an active account, sends the reset mail through the outbox (links from SITE_URL). A known and an unknown
address therefore cost the request the same queries and the same time, and the answer is the same page.
"""

import hashlib
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.views import PasswordResetView
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import timezone

from common.forms import PlainForm
from outbox.services import mail_queue, throttle_hit

from .proxy import client_ip


class OutboxPasswordResetForm(PasswordResetForm):
    """Django's form, sending through the outbox: recorded once per account per minute, retried if the server fails."""

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email, html_email_template_name=None):
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        key = f"password-reset:{context['uid']}:{timezone.now():%Y%m%d%H%M}"
        mail_queue(to=to_email, subject=subject, body=render_to_string(email_template_name, context), key=key)


class QueuedPasswordResetForm(PlainForm, PasswordResetForm):
    def save(self, *, request, **kwargs):
        email = self.cleaned_data["email"]
        address = hashlib.sha256(email.strip().casefold().encode()).hexdigest()
        window = timedelta(hours=1)
        if throttle_hit(kind="password-reset-client", key=client_ip(request) or "unknown", limit=settings.PASSWORD_RESET_CLIENT_LIMIT, window=window):
            return
        if throttle_hit(kind="password-reset-address", key=address, limit=settings.PASSWORD_RESET_ADDRESS_LIMIT, window=window):
            return
        password_reset_send.enqueue(email)


@task()
def password_reset_send(email):
    """The worker's side: Django's own reset mail, if the address belongs to an active account (else nothing)."""
    site = urlsplit(settings.SITE_URL)
    form = OutboxPasswordResetForm(data={"email": email})
    if form.is_valid():
        form.save(domain_override=site.netloc, use_https=site.scheme == "https")


class QueuedPasswordResetView(PasswordResetView):
    form_class = QueuedPasswordResetForm

    def form_valid(self, form):
        form.save(request=self.request)
        return super(PasswordResetView, self).form_valid(form)  # FormView: straight to "check your inbox"
