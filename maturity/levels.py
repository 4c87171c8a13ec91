from django.db import models


class Level(models.IntegerChoices):
    """The five levels of attainment of the NPS toolkits."""

    MINIMUM = 1, "Minimum"
    DEVELOPING = 2, "Developing"
    MATURE = 3, "Mature"
    LEADER = 4, "Leader"
    INNOVATOR = 5, "Innovator"

    @classmethod
    def label_of(cls, value):
        """'3 Mature' for 3, 'Unscored' for None."""
        if value is None:
            return "Unscored"
        return f"{value} {cls(value).label}"


LEVELS = [level.value for level in Level]
