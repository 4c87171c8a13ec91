"""The daily run on the task queue the app already has (django-tasks-db): it sends what is due, then queues itself
for the next day. Any number of workers on any number of machines may run it: every reminder is keyed."""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.tasks import task
from django.utils import timezone


def next_run(now=None):
    now = timezone.localtime(now)
    at = timezone.make_aware(datetime.combine(now.date(), time(settings.REMINDER_HOUR)))
    return at if at > now else at + timedelta(days=1)


def daily_queued():
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=f"{__name__}.daily_reminders", status="READY").exists()


def schedule():
    """Queue the next daily run unless one is queued already (make run and every deploy call this)."""
    if not daily_queued():
        daily_reminders.using(run_after=next_run()).enqueue()


@task()
def daily_reminders():
    from .services import reminders_send

    try:
        reminders_send()
    finally:
        daily_reminders.using(run_after=next_run()).enqueue()
