"""The site's settings with the floor's URLconf, for the gunicorn `bench_ideas --http`
starts: the floor's view exists in that server only."""

from covenant.settings import *  # noqa: F403

ROOT_URLCONF = "proposals.management.bench.floor"
