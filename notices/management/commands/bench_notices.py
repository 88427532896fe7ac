"""``manage.py bench_notices``: how long, and how many queries, it takes to publish one
announcement to 2,000 people and to build 2,000 daily digests.

Everything happens in one transaction that is rolled back at the end: a throwaway
estate of 2,000 verified residents is made, measured and gone again, and no mail is
sent. It refuses to run with DEBUG off unless given --force.
"""

from __future__ import annotations

import time
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from covenant.models import Building, Community, Household, Membership, Role, RoleGrant, User
from notices import digests, services
from notices.models import Audience, Delivery, Notification

UNITS_PER_FLOOR = 2
BENCH_DOMAIN = "bench.invalid"
FLOORS = 25


class _RollBack(Exception):
    pass


class Command(BaseCommand):
    help = "Time publishing one announcement to 2,000 people and building 2,000 daily digests."

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, default=2000)
        parser.add_argument(
            "--force", action="store_true", help="Run even with DEBUG off (it writes nothing)."
        )

    def handle(self, *args, people: int, force: bool, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "bench_notices runs with DEBUG on (a development database); add --force to run it "
                "elsewhere. It rolls back everything it writes."
            )
        vendor = connection.vendor
        self.stdout.write(f"bench_notices: {people} people, database {vendor}, all rolled back")
        try:
            with transaction.atomic():
                author, buildings, users = self._estate(people)
                self._measure(
                    "publish to the estate (notifications)",
                    lambda: services.publish(
                        author=author,
                        community=buildings[0].community,
                        title="基准测试公告",
                        body="bench",
                        audience=Audience.BUILDINGS,
                        buildings=buildings,
                    ),
                    lambda: Notification.objects.filter(recipient__in=users).count(),
                    "notifications",
                )
                self._measure(
                    "publish an urgent one (notifications + email deliveries)",
                    lambda: services.publish(
                        author=author,
                        community=buildings[0].community,
                        title="基准测试紧急公告",
                        body="bench",
                        audience=Audience.BUILDINGS,
                        buildings=buildings,
                        urgent=True,
                    ),
                    lambda: Delivery.objects.filter(notification__recipient__in=users).count(),
                    "deliveries",
                )
                period = digests.period_of("daily") + timezone.timedelta(days=3650)
                self._measure(
                    "build the daily digests",
                    lambda: digests.build_digests(
                        frequency="daily",
                        period=period,
                        among=User.objects.filter(email__endswith=f"@{BENCH_DOMAIN}"),
                    ),
                    lambda: len(users),
                    "people with a digest",
                    result_count=True,
                )
                raise _RollBack
        except _RollBack:
            pass
        self.stdout.write("rolled back: nothing of the bench remains, no mail was sent")

    def _measure(self, label, action, count, noun, result_count=False):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            result = action()
            seconds = time.perf_counter() - started
        made = len(result) if result_count else count()
        statements = [q for q in queries if "SAVEPOINT" not in q["sql"]]
        self.stdout.write(f"{label}: {seconds:.3f} s, {len(statements)} queries, {made} {noun}")

    def _estate(self, people: int):
        stamp = int(time.time() * 1000)
        community = Community.objects.create(name=f"bench-{stamp}")
        per_building = FLOORS * UNITS_PER_FLOOR
        buildings = Building.objects.bulk_create(
            Building(community=community, number=number + 1, floor_count=FLOORS)
            for number in range(-(-people // per_building))
        )
        households = Household.objects.bulk_create(
            Household(
                building=buildings[index // per_building],
                floor=(index % per_building) // UNITS_PER_FLOOR + 1,
                unit=f"{(index % per_building) // UNITS_PER_FLOOR + 1:02d}{index % UNITS_PER_FLOOR + 1:02d}",
                floor_area=Decimal("90"),
            )
            for index in range(people)
        )
        password = make_password(None)
        users = User.objects.bulk_create(
            User(email=f"bench{stamp}-{n}@{BENCH_DOMAIN}", name=f"bench{n}", password=password)
            for n in range(people)
        )
        now = timezone.now()
        Membership.objects.bulk_create(
            (
                Membership(
                    user=user,
                    household=household,
                    relation=Membership.Relation.OWNER,
                    status=Membership.Status.VERIFIED,
                    decided_at=now,
                )
                for user, household in zip(users, households, strict=True)
            ),
            batch_size=500,
        )
        author = User.objects.create(email=f"bench{stamp}-steward@{BENCH_DOMAIN}", name="bench")
        RoleGrant.objects.create(user=author, community=community, role=Role.PROPERTY_STAFF)
        return author, buildings, users
