from django.db import migrations


class Migration(migrations.Migration):
    """One word for the concept: 'out of scope' (was not_applicable)."""

    dependencies = [("assessments", "0004_evidence")]

    operations = [
        migrations.RenameField(model_name="score", old_name="not_applicable", new_name="out_of_scope"),
        migrations.RenameField(model_name="score", old_name="not_applicable_reason", new_name="out_of_scope_reason"),
        migrations.RenameField(model_name="historicalscore", old_name="not_applicable", new_name="out_of_scope"),
        migrations.RenameField(model_name="historicalscore", old_name="not_applicable_reason", new_name="out_of_scope_reason"),
    ]
