"""The NPS frameworks as data: framework → themes → key areas (sections) → objectives → level descriptors.

Assessments refer to frameworks and objectives with on_delete=PROTECT, so a
framework in use cannot be deleted (nor can its sections or objectives).
"""

from django.db import models
from django.db.models import Count, Prefetch, Q

from .levels import Level


class FrameworkQuerySet(models.QuerySet):
    def with_counts(self):
        return self.annotate(
            section_count=Count("sections", distinct=True),
            objective_count=Count("objectives", distinct=True),
        )


class Framework(models.Model):
    code = models.SlugField(unique=True, help_text="Stable identifier, e.g. nps-2018")
    name = models.CharField(max_length=200)
    short_name = models.CharField(max_length=40, help_text="e.g. NPS 2018")
    year = models.PositiveSmallIntegerField()
    description = models.TextField(blank=True)
    source = models.TextField(blank=True, help_text="Where the texts came from")

    objects = FrameworkQuerySet.as_manager()

    class Meta:
        ordering = ["year", "code"]

    def __str__(self):
        return self.short_name

    def sections_with_objectives(self):
        """Sections in order, each with its objectives and their descriptors prefetched."""
        return self.sections.select_related("theme").prefetch_related(
            "principles",
            Prefetch("objectives", queryset=Objective.objects.prefetch_related("descriptors").order_by("number")),
        )


class Theme(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="themes")
    order = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["framework_id", "order"]
        constraints = [models.UniqueConstraint(fields=["framework", "name"], name="unique_theme_name")]

    def __str__(self):
        return self.name


class Section(models.Model):
    """A key area of a framework, e.g. 'Engaging Councillors'."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="sections")
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="sections", null=True, blank=True)
    number = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    what_it_is = models.TextField(blank=True)
    why_it_is_important = models.TextField(blank=True)
    source = models.TextField(blank=True, help_text="Where this key area's texts come from, unless `sources` names another document for one of them")
    principles_source = models.TextField(blank=True)
    sources = models.JSONField(default=dict, blank=True, help_text="Per text: {'what_it_is': 'document and section', ...}")

    TEXT_FIELDS = ("name", "theme", "description", "what_it_is", "why_it_is_important")

    class Meta:
        ordering = ["framework_id", "number"]
        constraints = [models.UniqueConstraint(fields=["framework", "number"], name="unique_section_number")]

    def __str__(self):
        return f"{self.number}. {self.name}"

    def own_source(self, text_field):
        """The source written against this one text, if any (shown beside it as a quiet note)."""
        return (self.sources or {}).get(text_field, "")

    def awaiting_text(self):
        """A key area the sources name but give no objectives for yet: listed, never scored."""
        return not any(True for _ in self.objectives.all())

    def principle_texts(self):
        """Five principles (one per level) or an empty list; uses prefetched rows."""
        return [p.text for p in sorted(self.principles.all(), key=lambda p: p.level)]


class LevelPrinciple(models.Model):
    """A key area's one-line principle for one level (Medway's 'high level principle')."""

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="principles")
    level = models.PositiveSmallIntegerField(choices=Level.choices)
    text = models.TextField()

    class Meta:
        ordering = ["section_id", "level"]
        constraints = [models.UniqueConstraint(fields=["section", "level"], name="unique_principle_level")]

    def __str__(self):
        return f"{self.level}: {self.text[:60]}"


class ObjectiveQuerySet(models.QuerySet):
    def scorable(self):
        return self.filter(scorable=True)


class Objective(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="objectives")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="objectives")
    number = models.PositiveSmallIntegerField(help_text="Number within the framework")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    what_it_is = models.TextField(blank=True)
    why_it_is_important = models.TextField(blank=True)
    scorable = models.BooleanField(default=True, help_text="False until its five descriptors are loaded")
    source = models.TextField(blank=True, help_text="Where this objective's texts come from, unless `sources` names another document for one of them")
    sources = models.JSONField(default=dict, blank=True, help_text="Per text: {'description': 'document and section', ...}")

    TEXT_FIELDS = ("name", "description", "what_it_is", "why_it_is_important", "descriptors")

    objects = ObjectiveQuerySet.as_manager()

    class Meta:
        ordering = ["framework_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "number"], name="unique_objective_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="objective_number_positive"),
        ]

    def __str__(self):
        return f"{self.number}. {self.name}"

    def own_source(self, text_field):
        """The source written against this text or this objective, if any (shown beside it as a quiet note)."""
        return (self.sources or {}).get(text_field) or self.source

    def descriptor_texts(self):
        """Five descriptors in level order; uses prefetched rows."""
        return [d.text for d in sorted(self.descriptors.all(), key=lambda d: d.level)]

    def levels_with_descriptors(self):
        """[(Level, text), ...] for the five levels."""
        texts = self.descriptor_texts()
        return [(level, texts[i] if i < len(texts) else "") for i, level in enumerate(Level)]


class LevelDescriptor(models.Model):
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="descriptors")
    level = models.PositiveSmallIntegerField(choices=Level.choices)
    text = models.TextField()

    class Meta:
        ordering = ["objective_id", "level"]
        constraints = [models.UniqueConstraint(fields=["objective", "level"], name="unique_descriptor_level")]

    def __str__(self):
        return f"{Level.label_of(self.level)}: {self.text[:60]}"


def level_texts(*, section_ids=(), objective_ids=()):
    """{("section", id, level) or ("objective", id, level): text}: the key areas' principles and the objectives'
    descriptors for each level, read as plain rows in one query (none when asked for nothing)."""
    if not section_ids and not objective_ids:
        return {}
    principles = LevelPrinciple.objects.filter(section_id__in=list(section_ids)).values_list(models.Value("section"), "section_id", "level", "text").order_by()
    descriptors = LevelDescriptor.objects.filter(objective_id__in=list(objective_ids)).values_list(models.Value("objective"), "objective_id", "level", "text").order_by()
    return {(kind, pk, level): text for kind, pk, level, text in principles.union(descriptors, all=True)}
