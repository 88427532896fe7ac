"""Hours per month and the chart drawn from them."""

import datetime
from decimal import Decimal

from tests.volunteers.factories import ServiceEntryFactory
from volunteers import selectors
from volunteers.chart import month_chart


def test_monthly_hours_cover_twelve_months_with_empty_ones_as_zero(volunteer):
    today = datetime.date(2026, 11, 15)
    ServiceEntryFactory(user=volunteer, served_on=datetime.date(2026, 11, 2), hours=2)
    ServiceEntryFactory(user=volunteer, served_on=datetime.date(2026, 11, 20), hours="1.5")
    ServiceEntryFactory(user=volunteer, served_on=datetime.date(2026, 1, 31), hours=3)
    ServiceEntryFactory(user=volunteer, served_on=datetime.date(2025, 11, 30), hours=9)  # too old
    months = selectors.monthly_hours(today=today)
    assert [m.month for m in months][:2] == [datetime.date(2025, 12, 1), datetime.date(2026, 1, 1)]
    assert len(months) == 12
    by_month = {m.month: m.hours for m in months}
    assert by_month[datetime.date(2026, 11, 1)] == Decimal("3.5")
    assert by_month[datetime.date(2026, 1, 1)] == 3
    assert by_month[datetime.date(2026, 6, 1)] == 0


def test_monthly_hours_of_one_volunteer_leave_out_the_others(volunteer, resident):
    today = datetime.date(2026, 11, 15)
    ServiceEntryFactory(user=volunteer, served_on=today, hours=2)
    ServiceEntryFactory(user=resident, served_on=today, hours=5)
    assert selectors.monthly_hours(user=volunteer, today=today)[-1].hours == 2
    assert selectors.monthly_hours(today=today)[-1].hours == 7


def test_the_chart_scales_the_tallest_bar_to_a_round_top():
    months = [
        selectors.Month(datetime.date(2026, n, 1), Decimal(hours))
        for n, hours in ((9, 0), (10, 13), (11, "6.5"))
    ]
    chart = month_chart(months)
    assert [tick.value for tick in chart.ticks] == [0, 10, 20]
    assert [tick.value for tick in month_chart([months[0], months[2]]).ticks] == [
        0,
        Decimal("5"),
        10,
    ]
    small = [selectors.Month(datetime.date(2026, 1, 1), Decimal(4))]
    assert [tick.value for tick in month_chart(small).ticks] == [0, Decimal("2.5"), 5]
    empty, tall, half = chart.bars
    assert empty.height == 0
    assert tall.height > half.height > 0
    assert tall.y + tall.height == chart.baseline
    assert chart.total == Decimal("19.5")


def test_the_team_totals_count_volunteers_once(volunteer):
    ServiceEntryFactory(user=volunteer, hours=2)
    ServiceEntryFactory(user=volunteer, hours=1)
    assert selectors.team_totals() == {"hours": 3, "entries": 2, "volunteers": 1}
