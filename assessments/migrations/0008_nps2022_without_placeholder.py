"""NPS 2022 without the 'Adding value' placeholder (issue #19).

Earlier copies of fixtures/nps-2022.yaml carried an unscorable objective 56
'Adding value' that no source names, pushing the four enablers to 57-60. The
framework loader matches objectives by number, so before the corrected file is
loaded the placeholder goes and the enablers move back to 56-59 (Medway's numbers,
seed 002). Scores follow their objective row, so nothing scored moves. A database
that never had the placeholder is untouched.
"""

from django.db import migrations
from django.db.models import ProtectedError


def drop_placeholder(apps, schema_editor):
    Objective = apps.get_model("maturity", "Objective")
    placeholder = Objective.objects.filter(framework__code="nps-2022", number=56, name="Adding value", scorable=False).first()
    if placeholder is None:
        return
    try:
        placeholder.delete()
    except ProtectedError:
        return  # something refers to it; leave the framework as it is rather than guess
    for number in (57, 58, 59, 60):
        Objective.objects.filter(framework_id=placeholder.framework_id, number=number).update(number=number - 1)


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0007_key_area_flags"),
        ("maturity", "0002_text_provenance"),
    ]

    operations = [migrations.RunPython(drop_placeholder, migrations.RunPython.noop)]
