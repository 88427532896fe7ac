"""``manage.py seed_demo``: a demo estate shaped like the real one, to click through.

The estates and their people come from covenant.demo (its docstring says what they are).
Then each installed app adds its own demo content: the core names no app, it asks each
AppConfig for its `demo` (covenant/demo/registry.py says how an app declares one).

With ``--once`` it does nothing if the estate exists (``make run`` calls it so).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from covenant.demo import (
    ADMIN_EMAIL,
    COMMUNITY_NAME,
    DEMO_PASSWORD,
    DEMO_URL,
    DISTRICT_PARTY_EMAIL,
    DISTRICT_STEWARD_EMAIL,
    PARTY_EMAILS,
    SECOND_ADMIN_EMAIL,
    SECOND_CAPTAIN_EMAIL,
    SECOND_ESTATE_ADDRESS,
    SECOND_ESTATE_NAME,
    SECOND_FLOOR_COUNTS,
    SECOND_RESIDENT_EMAIL,
    SECOND_STEWARD_EMAIL,
    STEWARD_EMAILS,
    PersonPlan,
    UnitPlan,
    captain_email,
    census,
    demo_resident,
    membership_summary,
    plan_people,
    plan_second_people,
    plan_second_units,
    plan_units,
    seed_buildings,
    seed_community,
    seed_district,
    seed_district_grants,
    seed_email_addresses,
    seed_events,
    seed_households,
    seed_memberships,
    seed_role_grants,
    seed_users,
)
from covenant.demo.registry import demo_hooks
from covenant.models import Community, MembershipEvent, RoleGrant, User


class Command(BaseCommand):
    help = (
        "Seed the demo estate 碧海花园: 26 buildings, about 900 households, captains, "
        "stewards, the Party branch, residents and pending requests; and 翠湖苑, a smaller "
        "estate of the same community. Safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once",
            action="store_true",
            help="Do nothing if the demo estate exists already (make run uses this).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Seed even with DEBUG off. The demo admin's password is public: never on a real site.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.verbosity = options["verbosity"]
        if not settings.DEBUG and not options["force"]:
            # The demo superuser's password is published in the README.
            raise CommandError(
                "seed_demo creates a superuser whose password is public; it runs only with "
                "DEBUG on (or --force on a throwaway database)."
            )
        if options["once"] and Community.objects.filter(name=COMMUNITY_NAME).exists():
            self._say("demo estate already seeded; run without --once to top it up")
            return
        started = time.perf_counter()
        units = plan_units()
        people = plan_people(units)
        second_people = plan_second_people(plan_second_units())
        with transaction.atomic():
            users = self._seed(units, people)
            self._seed_apps(users)
            second_users = self._seed_second_estate(second_people, users)
            self._seed_apps_in_second_estate(second_users)
        self._print_logins(people, users | second_users)
        seconds = time.perf_counter() - started
        self._say(
            self.style.SUCCESS(f"演示小区已就绪 demo estate ready in {seconds:.1f} s: {DEMO_URL}")
        )

    def _say(self, line: str) -> None:
        if self.verbosity > 0:
            self.stdout.write(line)

    def _seed(self, units: Sequence[UnitPlan], people: Sequence[PersonPlan]) -> dict[str, User]:
        now = timezone.now()
        community, created = seed_community()
        state = "created" if created else "exists"
        self._say(f"小区 estate: {community.name}, {community.address} ({state})")
        buildings, new = seed_buildings(community)
        self._say(f"楼栋 buildings: {len(buildings)} (new: {new})")
        households, new = seed_households(buildings, units)
        self._say(f"住户 households: {len(households)} (new: {new})")
        users, new = seed_users(people, now)
        self._say(f"用户 users: {len(users)} (new: {new}): {census(people)}")
        new = seed_email_addresses(users)
        self._say(f"邮箱 verified email addresses: {len(users)} (new: {new})")
        new = seed_role_grants(community, buildings, people, users)
        grants = RoleGrant.objects.filter(community=community).count()
        self._say(f"角色 role grants: {grants} (new: {new})")
        memberships = seed_memberships(community, people, users, households, now)
        summary = membership_summary(community)
        self._say(f"居民 memberships: {summary} (new: {len(memberships)})")
        new = seed_events(memberships)
        events = MembershipEvent.objects.filter(
            membership__household__building__community=community
        )
        self._say(f"记录 membership events: {events.count()} (new: {new})")
        return users

    def _seed_second_estate(
        self, people: Sequence[PersonPlan], first_users: dict[str, User]
    ) -> dict[str, User]:
        """翠湖苑 and the community it shares with 碧海花园, as `_seed` does the first."""
        now = timezone.now()
        estate, created = Community.objects.get_or_create(
            name=SECOND_ESTATE_NAME, defaults={"address": SECOND_ESTATE_ADDRESS}
        )
        first = Community.objects.get(name=COMMUNITY_NAME)
        district = seed_district(first, estate)
        state = "created" if created else "exists"
        self._say(f"第二个小区 second estate: {estate.name}, {estate.address} ({state})")
        buildings, new_buildings = seed_buildings(estate, SECOND_FLOOR_COUNTS)
        households, new_households = seed_households(buildings, plan_second_units())
        self._say(
            f"  楼栋 buildings: {len(buildings)} (new: {new_buildings}); "
            f"住户 households: {len(households)} (new: {new_households})"
        )
        users, new = seed_users(people, now)
        new_addresses = seed_email_addresses(users)
        self._say(f"  用户 users: {len(users)} (new: {new}; email addresses new: {new_addresses})")
        new = seed_role_grants(estate, buildings, people, users, SECOND_ADMIN_EMAIL)
        new_in_first = seed_district_grants(first, first_users | users)
        self._say(
            f"  角色 role grants: {RoleGrant.objects.filter(community=estate).count()} "
            f"(new: {new}); the community's two in {first.name} (new: {new_in_first})"
        )
        memberships = seed_memberships(estate, people, users, households, now, SECOND_ADMIN_EMAIL)
        seed_events(memberships)
        self._say(f"  居民 memberships: {membership_summary(estate)} (new: {len(memberships)})")
        self._say(
            f"社区 community: {district.name}: {', '.join(e.name for e in district.estates.all())}"
        )
        return users

    def _seed_apps(self, users: dict[str, User]) -> None:
        for seed in demo_hooks("demo"):
            seed(users=users, say=self._say)

    def _seed_apps_in_second_estate(self, users: dict[str, User]) -> None:
        estate = Community.objects.get(name=SECOND_ESTATE_NAME)
        for seed in demo_hooks("demo_second_estate"):
            seed(estate=estate, users=users, say=self._say)

    def _print_logins(self, people: Sequence[PersonPlan], users: dict[str, User]) -> None:
        rows = [
            ("admin (also /admin/)", ADMIN_EMAIL),
            ("captain, building 3", captain_email(3)),
            ("captain, building 5", captain_email(5)),
            ("property steward", STEWARD_EMAILS[0]),
            ("Party branch", PARTY_EMAILS[0]),
            ("resident, building 3 unit 1201", demo_resident(people).email),
            ("翠湖苑 admin (also /admin/)", SECOND_ADMIN_EMAIL),
            ("翠湖苑 captain, building 1", SECOND_CAPTAIN_EMAIL),
            ("翠湖苑 property steward", SECOND_STEWARD_EMAIL),
            ("翠湖苑 resident, building 2 unit 0301", SECOND_RESIDENT_EMAIL),
            ("Party branch, both estates", DISTRICT_PARTY_EMAIL),
            ("property staff, both estates", DISTRICT_STEWARD_EMAIL),
        ]
        self._say("演示账号 demo logins:")
        for role, email in rows:
            self._say(f"  {role:<36} {email:<40} {users[email].name}")
        self._say(f"  {'password (everyone)':<36} {DEMO_PASSWORD}")
        self._say(f"  {'open':<36} {DEMO_URL}")
