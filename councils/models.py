from django.conf import settings
from django.db import models

from .validators import validate_name


class Council(models.Model):
    class Kind(models.TextChoices):
        DISTRICT = "district", "District council"
        COUNTY = "county", "County council"
        UNITARY = "unitary", "Unitary authority"
        METROPOLITAN = "metropolitan", "Metropolitan borough"
        LONDON = "london", "London borough"
        COMBINED = "combined", "Combined authority"

    class Region(models.TextChoices):
        NORTH_EAST = "north-east", "North East"
        NORTH_WEST = "north-west", "North West"
        YORKSHIRE = "yorkshire", "Yorkshire and the Humber"
        EAST_MIDLANDS = "east-midlands", "East Midlands"
        WEST_MIDLANDS = "west-midlands", "West Midlands"
        EAST = "east", "East of England"
        LONDON = "london", "London"
        SOUTH_EAST = "south-east", "South East"
        SOUTH_WEST = "south-west", "South West"

    name = models.CharField(max_length=200, unique=True, validators=[validate_name])
    slug = models.SlugField(unique=True)
    kind = models.CharField("type", max_length=20, choices=Kind.choices)
    region = models.CharField(max_length=20, choices=Region.choices)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Directorate(models.Model):
    """A part of the council whose attainment is rated separately (weakest-level rule)."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="directorates")
    name = models.CharField(max_length=120, validators=[validate_name])
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["council_id", "order", "name"]
        constraints = [models.UniqueConstraint(fields=["council", "name"], name="unique_directorate_name")]

    def __str__(self):
        return self.name


class Membership(models.Model):
    """A user's one council and one role in it."""

    class Role(models.TextChoices):
        OFFICER = "officer", "Procurement officer"
        HEAD = "head", "Head of procurement"
        COUNCILLOR = "councillor", "Councillor"
        RATER = "rater", "Invited rater"  # rates only the objectives they are invited to; sees nothing else

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership")
    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)

    class Meta:
        ordering = ["council_id", "role"]

    def __str__(self):
        return f"{self.user} – {self.get_role_display()}, {self.council}"

    @property
    def can_edit(self):
        """Officers and heads edit drafts and plans; councillors only read."""
        return self.role in (self.Role.OFFICER, self.Role.HEAD)

    @property
    def is_head(self):
        return self.role == self.Role.HEAD
