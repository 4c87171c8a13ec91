from django.core.management.base import BaseCommand

from reminders.services import reminders_send
from reminders.tasks import schedule


class Command(BaseCommand):
    help = "Send the reminders due today (safe to run again: each is sent once). --schedule: queue the daily run on the worker instead."

    def add_arguments(self, parser):
        parser.add_argument("--schedule", action="store_true", help="Queue the daily reminder run for the worker (once; it then queues itself).")

    def handle(self, *args, **options):
        if options["schedule"]:
            schedule()
            self.stdout.write("The daily reminder run is queued for the worker.")
            return
        recorded, queued = reminders_send()
        self.stdout.write(f"{recorded} reminders recorded, {queued} mails queued.")
