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
