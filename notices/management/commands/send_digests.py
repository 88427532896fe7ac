"""``manage.py send_digests``: the digests and the sweeper, for cron where there is no
Redis (tasks then run in this process). Safe to run as often as you like."""

from django.core.management.base import BaseCommand

from notices import tasks


class Command(BaseCommand):
    help = (
        "Send the daily (and with --weekly, the weekly) digests, and what the outbox still holds."
    )

    def add_arguments(self, parser):
        parser.add_argument("--weekly", action="store_true", help="Also send the weekly digests.")
        parser.add_argument("--period", help="The day to send for (YYYY-MM-DD); default today.")

    def handle(self, *args, weekly=False, period=None, **options):
        swept = tasks.sweep_outbox()
        self.stdout.write(f"outbox: {swept}")
        frequencies = ["daily", "weekly"] if weekly else ["daily"]
        for frequency in frequencies:
            count = tasks.build_and_send_digests(frequency, period)
            self.stdout.write(f"{frequency} digests to send: {count}")
