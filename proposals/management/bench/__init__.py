"""The bench estates of ``manage.py bench_ideas``, seeded and timed."""
