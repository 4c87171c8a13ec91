from django.db import models


class Mail(models.Model):
    """One e-mail, recorded before it is sent: a send that fails is retried by the worker, and a `key` (who, what,
    which event) makes sure the same message is never recorded, so never sent, twice."""

    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting to be sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Could not be sent"

    key = models.CharField(max_length=200, unique=True, null=True, blank=True, help_text="Who, what and which event: the same key is sent once")
    to = models.EmailField()
    subject = models.CharField(max_length=300)
    body = models.TextField()
    html = models.TextField(blank=True, help_text="The same message as HTML, sent beside the plain text")
    headers = models.JSONField(default=dict, blank=True, help_text="Extra headers, e.g. List-Unsubscribe")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.WAITING)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True, help_text="Why the last attempt failed (for the operator)")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self):
        return f"{self.subject} → {self.to} ({self.get_status_display()})"


class Throttle(models.Model):
    """One request counted against a limit (a password reset for an address, from a client), shared by every
    machine because it is in the database; rows older than their window are removed as new ones come."""

    kind = models.CharField(max_length=40)
    key = models.CharField(max_length=128)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["kind", "key", "at"])]

    def __str__(self):
        return f"{self.kind} {self.key[:12]} at {self.at:%Y-%m-%d %H:%M}"
