"""Reminders: each recorded (who, what, which event) before it is sent, so it is sent once; and what each person
asked to hear."""

from django.conf import settings
from django.db import models

KINDS = {
    "deadline": "The sign-off deadline is near (officers and heads)",
    "deadline_passed": "The sign-off deadline has passed unsigned (heads)",
    "ready_to_sign_off": "Every objective is reviewed: the year is ready to sign off (heads)",
    "ratings_waiting": "Submitted ratings wait to be consolidated (heads)",
    "rating_due": "Your ratings are due (invited raters)",
    "plan_line_due": "A plan line you own falls due or is overdue",
    "kpi_actual_due": "A KPI's actual for a period that has ended is due (heads)",
}


class Preference(models.Model):
    """What one person hears: each kind on or off (`muted` lists those off), and each mail as it happens or one
    weekly digest."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_preference")
    digest = models.BooleanField("one weekly digest", default=False)
    muted = models.JSONField(default=list, blank=True)

    def __str__(self):
        return f"Reminders for {self.user}"

    def hears(self, kind):
        return kind not in self.muted


class Reminder(models.Model):
    """One reminder to one person about one event; its key is unique, so it is recorded, and sent, once."""

    key = models.CharField(max_length=200, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=30, choices=list(KINDS.items()))
    subject = models.CharField(max_length=300)
    text = models.TextField(help_text="What is left to do, in plain words")
    link = models.URLField(max_length=500)
    link_text = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    mail = models.ForeignKey("outbox.Mail", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", help_text="The mail it went in (its own, or a weekly digest)")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "mail"])]

    def __str__(self):
        return f"{self.subject} → {self.user}"
