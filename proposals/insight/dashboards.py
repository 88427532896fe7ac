"""The figures of each dashboard tab, with their charts: what the views put in context."""

from __future__ import annotations

from django.utils.translation import gettext as _

from proposals.insight import analytics, charts


def ideas_figures(request, estate, window) -> dict:
    by_category = analytics.ideas_by_category(estate, window)
    by_status = analytics.ideas_by_status(estate, window)
    return {
        "by_category": by_category,
        "by_status": by_status,
        "category_chart": charts.stacked_columns(by_category),
        "status_chart": charts.stacked_columns(by_status, charts.STATUS_COLOURS),
    }


def response_figures(request, estate, window) -> dict:
    times = analytics.response_times(estate, window)
    ages = analytics.open_items_by_age(estate)
    rows = [*times.rows, times.overall]
    return {
        "times": times,
        "reply_chart": charts.horizontal_bars(
            [
                (row.label, row.median_reply_hours or 0, hours_text(row.median_reply_hours))
                for row in rows
            ]
        ),
        "done_chart": charts.horizontal_bars(
            [
                (row.label, row.median_done_days or 0, days_text(row.median_done_days))
                for row in rows
            ],
            colour="#009E73",
        ),
        "ages": ages,
        "age_chart": charts.horizontal_bars(
            [(bucket.label, bucket.count, str(bucket.count)) for bucket in ages], colour="#E69F00"
        ),
    }


def _short(number: float) -> str:
    return f"{number:.1f}".rstrip("0").rstrip(".")


def hours_text(hours: float | None) -> str:
    """Hours up to two days, days beyond: “5 h”, “18.5 d”."""
    if hours is None:
        return "–"
    if hours >= 48:
        return days_text(hours / 24)
    return _("%(hours)s h") % {"hours": _short(hours)}


def days_text(days: float | None) -> str:
    return "–" if days is None else _("%(days)s d") % {"days": _short(days)}


def participation_figures(request, estate, window) -> dict:
    shares = analytics.participation(estate, window)
    return {
        "participation": shares,
        "participation_chart": charts.horizontal_bars(
            [
                (_("Building %(number)s") % {"number": b.number}, b.percent, f"{b.percent:g}%")
                for b in shares.buildings
            ],
            top=100,
        ),
    }


def community_figures(request, estate, window) -> dict:
    coverage = analytics.announcement_coverage(request.user, estate, window)
    hours = analytics.volunteer_hours(estate, window)
    return {
        "coverage": coverage,
        "listed_announcements": coverage.announcements[: analytics.ANNOUNCEMENTS_LISTED],
        "coverage_chart": charts.horizontal_bars(
            [
                (_("Read it themselves"), coverage.read_percent, f"{coverage.read_percent}%"),
                (_("Reached in any way"), coverage.reached_percent, f"{coverage.reached_percent}%"),
            ],
            top=100,
        ),
        "hours": hours,
        "hours_chart": charts.horizontal_bars(
            [
                (charts.short_month(month), float(value), f"{value:g}")
                for month, value in hours.months
            ],
            colour="#CC79A7",
        ),
    }
