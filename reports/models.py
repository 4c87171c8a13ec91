from django.conf import settings
from django.db import models
from django.utils import timezone

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
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Being prepared"
        DONE = "done", "Ready"
        FAILED = "failed", "Failed"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="report_jobs")
    edition = models.CharField(max_length=20)
    fingerprint = models.CharField(max_length=100)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    stage = models.CharField(max_length=100, default="Waiting to start")
    progress = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    started_at = models.DateTimeField(null=True, blank=True, help_text="When the worker began the render now running (or the last one)")
    took_seconds = models.FloatField(null=True, blank=True, help_text="How long its render takes: the last one's time (before the first, a typical one's): the waiting page's estimate")
    notify = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+", help_text="People to e-mail when it is ready (or has failed)")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assessment", "edition"], name="one_job_per_report")]

    def __str__(self):
        return f"{self.assessment} ({self.edition}): {self.get_status_display()}"

    @classmethod
    def typical_seconds(cls, edition):
        """How long a render of `edition` takes: the median of the latest few finished (None before any). The
        worker asks it as it starts a report never made before, so the waiting page has an estimate at once."""
        recent = sorted(cls.objects.filter(edition=edition, status=cls.Status.DONE, took_seconds__isnull=False).order_by("-updated_at").values_list("took_seconds", flat=True)[:5])
        return recent[len(recent) // 2] if recent else None

    def shown_progress(self, now=None):
        """What the waiting page shows while it runs: (percent, seconds left or None). The worker reports a few stages
        and the longest (laying out the pages) says nothing while it works, so between reports the bar moves on the
        time the last render took, never past 95 % before it is done nor backwards (issue 29, item 10)."""
        if self.status != self.Status.RUNNING or self.started_at is None:
            return self.progress, None
        expected = self.took_seconds
        if not expected:
            return self.progress, None
        elapsed = ((now or timezone.now()) - self.started_at).total_seconds()
        percent = max(self.progress, min(95, round(100 * elapsed / expected)))
        return percent, max(1, round(expected - elapsed)) if elapsed < expected else None

