from django.db import migrations, models


def keep_newest_job_per_report(apps, schema_editor):
    """One job per report from now on: keep each report's newest job (with everyone waiting to hear of any of them)."""
    ReportJob = apps.get_model("reports", "ReportJob")
    newest = {}
    for job in ReportJob.objects.order_by("-updated_at", "-pk"):
        key = (job.assessment_id, job.edition)
        if key in newest:
            newest[key].notify.add(*job.notify.all())
            job.delete()
        else:
            newest[key] = job


class Migration(migrations.Migration):
    dependencies = [("reports", "0003_job_notify")]

    operations = [
        migrations.RemoveConstraint(model_name="reportjob", name="one_job_per_report_version"),
        migrations.RunPython(keep_newest_job_per_report, migrations.RunPython.noop),
        migrations.AddConstraint(model_name="reportjob", constraint=models.UniqueConstraint(fields=("assessment", "edition"), name="one_job_per_report")),
        migrations.RemoveField(model_name="reportjob", name="site_url"),
    ]
