from django.conf import settings
from django.db import models

from assessments.models import Assessment


class CachedReport(models.Model):
    """A submitted assessment's PDF, kept because it cannot change until the assessment is reopened.

    `fingerprint` also covers the action plan appendix, so editing the plan makes a new one.
    """

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="cached_reports")
    edition = models.CharField(max_length=20)
    fingerprint = models.CharField(max_length=100)
    pdf = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assessment", "edition"], name="one_cached_report_per_edition")]

    def __str__(self):
        return f"{self.assessment} ({self.edition})"


class ReportJob(models.Model):
    """One PDF being made in the background: what it is, how far it has got, and what went wrong if it failed.

    One row per report (assessment and edition): however many clicks and changes, one job waits for it.
    `fingerprint` is the newest state someone has asked for; the worker makes that (or newer) and, if the state
    moved on while it worked, makes it once more.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting for a worker"
        RUNNING = "running", "Being prepared"
        DONE = "done", "Ready"
        FAILED = "failed", "Failed"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="report_jobs")
    edition = models.CharField(max_length=20)
    fingerprint = models.CharField(max_length=100)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    stage = models.CharField(max_length=100, default="Waiting for a worker")
    progress = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    notify = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+", help_text="People to e-mail when it is ready (or has failed)")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assessment", "edition"], name="one_job_per_report")]

    def __str__(self):
        return f"{self.assessment} ({self.edition}): {self.get_status_display()}"

