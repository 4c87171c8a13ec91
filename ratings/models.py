"""Many voices, one honest score.

The head of procurement invites colleagues to rate chosen objectives independently. Each sees only their own
ratings until they submit; the head then consolidates: the council's score is the weakest rating (the LGA rule)
unless overridden with a recorded reason.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from assessments.models import Assessment
from councils.models import Directorate
from maturity.levels import Level
from maturity.models import Objective


class InvitationQuerySet(models.QuerySet):
    def submitted(self):
        return self.filter(submitted_at__isnull=False)

    def for_rater(self, user):
        return self.filter(rater=user)


class Invitation(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="invitations")
    rater = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rating_invitations")
    directorate = models.ForeignKey(Directorate, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    role_label = models.CharField("their role", max_length=120, help_text="e.g. Commissioner, Contract manager")
    objectives = models.ManyToManyField(Objective, related_name="+")
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["assessment_id", "created_at"]
        constraints = [models.UniqueConstraint(fields=["assessment", "rater"], name="one_invitation_per_rater")]

    def __str__(self):
        return f"{self.rater.get_full_name() or self.rater.username} ({self.role_label})"

    @property
    def is_submitted(self):
        return self.submitted_at is not None


class Rating(models.Model):
    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="ratings")
    objective = models.ForeignKey(Objective, on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField(choices=Level.choices, null=True, blank=True)
    comment = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["invitation_id", "objective__number"]
        constraints = [
            models.UniqueConstraint(fields=["invitation", "objective"], name="one_rating_per_objective"),
            models.CheckConstraint(condition=Q(level__isnull=True) | Q(level__gte=1, level__lte=5), name="rating_1_to_5"),
        ]

    def __str__(self):
        return f"{self.invitation}: {self.objective.number} → {self.level}"


class Consolidation(models.Model):
    """The head's decision for one objective: the weakest rating, or an override with its reason."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="consolidations")
    objective = models.ForeignKey(Objective, on_delete=models.PROTECT, related_name="+")
    weakest = models.PositiveSmallIntegerField(choices=Level.choices)
    level = models.PositiveSmallIntegerField(choices=Level.choices)
    reason = models.TextField(blank=True, help_text="Required when the level is not the weakest rating")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    decided_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assessment", "objective"], name="one_consolidation_per_objective")]

    def __str__(self):
        return f"{self.objective}: {self.level}"

    @property
    def overridden(self):
        return self.level != self.weakest
