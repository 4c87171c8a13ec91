"""Stored text from before the one text rule (issue 27): line breaks made "\\n", other line and paragraph
separators (CR, NEL, U+2028, U+2029) made "\\n" too, and bidirectional and other control characters removed, in
every text and name of councils, assessments, plans and ratings. So every export re-imports to the same text and no
page, spreadsheet or PDF shows a text in another order than it is stored. Rows already clean are not touched; the
history tables keep what was there.

Self-contained on purpose (a migration must not change when the code does): the same characters as
maturity.rules' CONTROL_CHARACTERS, SEPARATORS and BIDI_CONTROLS.
"""

import re

from django.db import migrations, models

BREAKS = re.compile("\r\n|[\r\u0085\u2028\u2029]")
REMOVED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
APPS = ("councils", "assessments", "actionplans", "ratings")


def cleaned(text):
    return REMOVED.sub("", BREAKS.sub("\n", text))


def clean(apps, schema_editor):
    for label in APPS:
        for model in apps.get_app_config(label).get_models():
            if model.__name__.startswith("Historical"):
                continue
            fields = [f.name for f in model._meta.get_fields() if isinstance(f, (models.CharField, models.TextField)) and not f.choices and f.concrete]
            if not fields:
                continue
            for row in model._default_manager.only("pk", *fields).iterator(chunk_size=2000):
                changed = [name for name in fields if isinstance(getattr(row, name), str) and cleaned(getattr(row, name)) != getattr(row, name)]
                if changed:
                    model._default_manager.filter(pk=row.pk).update(**{name: cleaned(getattr(row, name)) for name in changed})


class Migration(migrations.Migration):
    dependencies = [
        ("actionplans", "0007_plan_item_names"),
        ("assessments", "0009_deadlines"),
        ("councils", "0003_name_rule"),
        ("ratings", "0001_initial"),
    ]

    operations = [migrations.RunPython(clean, migrations.RunPython.noop)]
