from django.conf import settings
from django.core.files.storage import storages
from django.core.signals import setting_changed
from django.db import models
from django.db.models import Count, Q
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty
from simple_history.models import HistoricalRecords

from councils.models import Council, Directorate
from maturity import rules
from maturity.levels import Level
from maturity.models import Framework, Objective


class _EvidenceStorage(LazyObject):
    """settings.STORAGES["evidence"] (Azure Blob Storage, S3 or a folder), looked up when first used and again
    whenever the STORAGES setting changes."""

    def _setup(self):
        self._wrapped = storages["evidence"]


_evidence = _EvidenceStorage()


@receiver(setting_changed)
def _storages_changed(*, setting, **kwargs):
    if setting == "STORAGES":
        _evidence._wrapped = empty


def evidence_storage():
    return _evidence


class AssessmentQuerySet(models.QuerySet):
    def submitted(self):
        return self.filter(status=Assessment.Status.SUBMITTED)

    def for_council(self, council):
        return self.filter(council=council)

    def with_progress(self):
        return self.annotate(
            objective_count=Count("scores", filter=Q(scores__out_of_scope=False), distinct=True),
            scored_count=Count("scores", filter=Q(scores__level__isnull=False), distinct=True),
            # rules.is_reviewed in SQL (tests/test_selectors.py checks the two agree)
            reviewed_count=Count("scores", filter=Q(scores__level__isnull=False, scores__out_of_scope=False, scores__carried_forward=False), distinct=True),
        )


class Assessment(models.Model):
    """One council's self-assessment against one framework for one year."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"

    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="assessments")
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="assessments")
    year = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    carried_forward_from = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    deadline = models.DateField(null=True, blank=True, help_text="When the year must be signed off (the council's committee date, the LGA's round)")
    raters_due = models.DateField("ratings due", null=True, blank=True, help_text="When invited raters must submit")

    objects = AssessmentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["council_id", "framework_id", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["council", "framework", "year"], name="one_assessment_per_year"),
        ]

    def __str__(self):
        return f"{self.council} – {self.framework} {self.year}"

    @property
    def is_draft(self):
        return self.status == self.Status.DRAFT

    def next_to_do(self):
        """The first unscored objective, and the first carried forward from last year that nobody has reviewed yet."""
        open_scores = self.scores.filter(out_of_scope=False).select_related("objective__section").order_by("objective__number")
        return {"unscored": open_scores.filter(level__isnull=True).first(), "carried": open_scores.filter(carried_forward=True).first()}

    def unscored(self):
        return self.scores.filter(level__isnull=True, out_of_scope=False).select_related("objective").order_by("objective__number")


class ScoreQuerySet(models.QuerySet):
    def find(self, text):
        """Scores whose objective has this number or whose name contains this text (at most 20, in order)."""
        qs = self.select_related("objective__section").order_by("objective__number")
        if text.isascii() and text.isdigit():
            return list(qs.filter(objective__number=int(text[:4])))
        return list(qs.filter(objective__name__icontains=text)[:20])

    def for_page(self):
        ratings = models.Prefetch("directorate_ratings", queryset=DirectorateRating.objects.select_related("directorate"))
        return self.select_related("objective__section", "updated_by").prefetch_related("objective__descriptors", ratings, "evidence_items")


class Score(models.Model):
    """The council's level for one objective in one assessment."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="scores")
    objective = models.ForeignKey(Objective, on_delete=models.PROTECT, related_name="scores")
    level = models.PositiveSmallIntegerField(choices=Level.choices, null=True, blank=True)
    working_towards = models.BooleanField(default=False, help_text="Working towards the next level (legacy '2/3')")
    comment = models.TextField(blank=True)
    action = models.TextField(blank=True)
    evidence = models.TextField(blank=True, help_text="Case study or evidence; required for level 5")
    carried_forward = models.BooleanField(default=False, help_text="Copied from last year and not touched since")
    out_of_scope = models.BooleanField("out of scope", default=False, help_text="Not applicable to this council; left out of roll-ups and charts")
    out_of_scope_reason = models.TextField("why it is out of scope", blank=True)
    source_text = models.CharField(max_length=50, blank=True, help_text="The score as written in an imported spreadsheet, e.g. '2/3'")
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    objects = ScoreQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["assessment_id", "objective__number"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "objective"], name="one_score_per_objective"),
            models.CheckConstraint(condition=Q(level__isnull=True) | Q(level__gte=1, level__lte=5), name="score_level_1_to_5"),
            models.CheckConstraint(condition=Q(out_of_scope=False) | Q(level__isnull=True), name="out_of_scope_has_no_level"),
        ]

    def __str__(self):
        return f"{self.objective}: {self.level_label}"

    @property
    def level_label(self):
        return Level.label_of(self.level)

    @property
    def shown(self):
        """rules.shown_level: the level as every page, export and the PDF shows it (written '2/3', words '2 Developing / Mature')."""
        return rules.shown_level(level=self.level, working_towards=self.working_towards, out_of_scope=self.out_of_scope)

    @property
    def display_level(self):
        """'2', '2/3' when working towards 3, 'n/a' when out of scope, or '–'."""
        return self.shown["written"]

    @property
    def roll_up_level(self):
        """What this score adds to a key area's roll-up: its level, None, or rules.OUT_OF_SCOPE."""
        return rules.OUT_OF_SCOPE if self.out_of_scope else self.level


class DirectorateRating(models.Model):
    """One directorate's level for an objective; the council score must equal the weakest."""

    score = models.ForeignKey(Score, on_delete=models.CASCADE, related_name="directorate_ratings")
    directorate = models.ForeignKey(Directorate, on_delete=models.PROTECT, related_name="ratings")
    level = models.PositiveSmallIntegerField(choices=Level.choices)

    history = HistoricalRecords()

    class Meta:
        ordering = ["score_id", "directorate__order"]
        constraints = [
            models.UniqueConstraint(fields=["score", "directorate"], name="one_rating_per_directorate"),
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=5), name="rating_level_1_to_5"),
        ]

    def __str__(self):
        return f"{self.directorate}: {self.level}"


class AssessmentEvent(models.Model):
    """Sign-off and reopening, with who, when and why."""

    class Kind(models.TextChoices):
        STARTED = "started", "Started"
        SUBMITTED = "submitted", "Submitted"
        REOPENED = "reopened", "Reopened"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["assessment_id", "at"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d}"


class Evidence(models.Model):
    """A file or a link backing a score. Files are kept outside the web root and served only to the council's people."""

    score = models.ForeignKey(Score, on_delete=models.CASCADE, related_name="evidence_items")
    file = models.FileField(upload_to="%Y/", blank=True, storage=evidence_storage)
    original_name = models.CharField(max_length=255, blank=True)
    kind = models.CharField(max_length=10, blank=True, help_text="pdf, docx, xlsx, png or jpeg, as read from the content")
    size = models.PositiveIntegerField(default=0)
    url = models.URLField(max_length=500, blank=True)
    title = models.CharField(max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["score_id", "uploaded_at"]
        verbose_name_plural = "evidence"
        constraints = [models.CheckConstraint(condition=~Q(file="") | ~Q(url=""), name="evidence_is_a_file_or_a_link")]

    def __str__(self):
        return self.title

    @property
    def is_link(self):
        return not self.file


class KeyAreaFlags(models.Model):
    """The LGA diagnostic's two questions per key area (seed 003, Appendix A: "tell us which NPS value codes are most
    important to you and/or where you believe support is required"): does it matter most, is support needed."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="key_area_flags")
    section = models.ForeignKey("maturity.Section", on_delete=models.PROTECT, related_name="+", verbose_name="key area")
    matters_most = models.BooleanField("one of the value codes that matter most to us", default=False)
    support_needed = models.BooleanField("we need support here", default=False)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    history = HistoricalRecords()

    class Meta:
        ordering = ["assessment_id", "section__number"]
        constraints = [models.UniqueConstraint(fields=["assessment", "section"], name="one_flags_row_per_key_area")]

    def __str__(self):
        return f"{self.assessment}: {self.section}"
