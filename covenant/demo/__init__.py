"""The demo estates and their people, which ``manage.py seed_demo`` seeds before asking each
installed app for its own demo content (covenant/demo/registry.py).

What it builds, in one transaction:

- the estate 碧海花园 in 台山市 with 26 buildings numbered 1 to 26, of 11 to 26 floors
  (FLOOR_COUNTS), two units a floor named floor + door ("1201" is floor 12, door 01,
  "0802" floor 8, door 02): about 900 households, each with a floor area that is the
  same on every run (units stacked above one another share a layout and its area);
- a community admin, who is also a Django superuser for /admin/;
- 26 building captains (楼长), one a building, each a verified owner in it;
- three property stewards (物业管家) and three members of the Party branch (党总支);
- 30 resident volunteers, who with the captains make up the 红心碧海 volunteer team;
- verified residents in about 60% of the households (mostly owners, some tenants, and
  some family members living with them), each membership with its audit trail;
- 12 pending join requests in several buildings (three in building 3), so the
  captains' verification queues have work in them;
- a second, smaller estate, 翠湖苑 (6 buildings of 6 to 8 floors), in the same community
  (社区, a District) 碧海社区, with its own admin, captain (building 1), steward and
  residents, and two people of the community with roles in both estates: a Party branch
  member and a property steward, who see the estate switcher and the estates side by side.

Names, homes and relations come from random.Random(SEED), so every run plans the same
estate. What exists is looked up by its natural key (estate name, building number,
building and unit, email) and skipped: a second run adds nothing, and a run after some
demo data was deleted tops it up. With ``--once`` it does nothing if the estate exists
(``make run`` calls it so).

Everyone signs in with their email, on the reserved domain demo.covenant.invalid (it
receives no mail; the addresses are seeded as verified), and the password
``covenant-demo``.
"""

from covenant.demo.estate import (
    ADMIN_EMAIL,
    BATCH_SIZE,
    CAPTAIN_EMAILS,
    COMMUNITY_ADDRESS,
    COMMUNITY_NAME,
    DEMO_PASSWORD,
    DEMO_UNIT,
    DEMO_URL,
    EMAIL_DOMAIN,
    FAMILY_SHARE,
    FLOOR_COUNTS,
    GIVEN_NAMES,
    NICKNAMES,
    OCCUPIED_SHARE,
    PARTY_EMAILS,
    REQUEST_BUILDINGS,
    REQUEST_NOTES,
    SEED,
    STEWARD_EMAILS,
    SURNAMES,
    UNITS_PER_FLOOR,
    VOLUNTEER_COUNT,
    VOLUNTEER_EMAILS,
    PersonPlan,
    UnitPlan,
    captain_email,
    census,
    demo_email,
    demo_resident,
    display_name,
    full_name,
    membership_summary,
    plan_people,
    plan_units,
    seed_buildings,
    seed_community,
    seed_email_addresses,
    seed_events,
    seed_households,
    seed_memberships,
    seed_role_grants,
    seed_users,
)
from covenant.demo.second_estate import (
    DISTRICT_NAME,
    DISTRICT_PARTY_EMAIL,
    DISTRICT_PEOPLE,
    DISTRICT_STEWARD_EMAIL,
    SECOND_ADMIN_EMAIL,
    SECOND_CAPTAIN_BUILDING,
    SECOND_CAPTAIN_EMAIL,
    SECOND_DEMO_UNIT,
    SECOND_ESTATE_ADDRESS,
    SECOND_ESTATE_NAME,
    SECOND_FLOOR_COUNTS,
    SECOND_OCCUPIED_SHARE,
    SECOND_REQUESTS,
    SECOND_RESIDENT_EMAIL,
    SECOND_STEWARD_EMAIL,
    plan_second_people,
    plan_second_units,
    seed_district,
    seed_district_grants,
)

__all__ = [
    "ADMIN_EMAIL",
    "BATCH_SIZE",
    "CAPTAIN_EMAILS",
    "COMMUNITY_ADDRESS",
    "COMMUNITY_NAME",
    "DEMO_PASSWORD",
    "DEMO_UNIT",
    "DEMO_URL",
    "DISTRICT_NAME",
    "DISTRICT_PARTY_EMAIL",
    "DISTRICT_PEOPLE",
    "DISTRICT_STEWARD_EMAIL",
    "EMAIL_DOMAIN",
    "FAMILY_SHARE",
    "FLOOR_COUNTS",
    "GIVEN_NAMES",
    "NICKNAMES",
    "OCCUPIED_SHARE",
    "PARTY_EMAILS",
    "REQUEST_BUILDINGS",
    "REQUEST_NOTES",
    "SECOND_ADMIN_EMAIL",
    "SECOND_CAPTAIN_BUILDING",
    "SECOND_CAPTAIN_EMAIL",
    "SECOND_DEMO_UNIT",
    "SECOND_ESTATE_ADDRESS",
    "SECOND_ESTATE_NAME",
    "SECOND_FLOOR_COUNTS",
    "SECOND_OCCUPIED_SHARE",
    "SECOND_REQUESTS",
    "SECOND_RESIDENT_EMAIL",
    "SECOND_STEWARD_EMAIL",
    "SEED",
    "STEWARD_EMAILS",
    "SURNAMES",
    "UNITS_PER_FLOOR",
    "VOLUNTEER_COUNT",
    "VOLUNTEER_EMAILS",
    "PersonPlan",
    "UnitPlan",
    "captain_email",
    "census",
    "demo_email",
    "demo_resident",
    "display_name",
    "full_name",
    "membership_summary",
    "plan_people",
    "plan_second_people",
    "plan_second_units",
    "plan_units",
    "seed_buildings",
    "seed_community",
    "seed_district",
    "seed_district_grants",
    "seed_email_addresses",
    "seed_events",
    "seed_households",
    "seed_memberships",
    "seed_role_grants",
    "seed_users",
]
