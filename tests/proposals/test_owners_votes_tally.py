"""The counting rules of article 278 on bare numbers (proposals/votes/tally.py)."""

from decimal import Decimal

import pytest

from proposals.votes.tally import Outcome, Result, Share, percent

D = Decimal
NOBODY = Share()


def result(*, electorate, agree, objecting=NOBODY, abstaining=NOBODY, special=False):
    return Result(
        electorate=electorate,
        agree=agree,
        objecting=objecting,
        abstaining=abstaining,
        special=special,
    )


def test_exactly_two_thirds_of_area_and_households_is_a_quorum():
    vote = result(electorate=Share(3, D("268.11")), agree=Share(2, D("178.74")))
    assert vote.turnout_area_reached
    assert vote.turnout_households_reached
    assert vote.outcome == Outcome.PASSED


def test_one_square_centimetre_short_of_two_thirds_is_no_quorum():
    vote = result(electorate=Share(3, D("268.11")), agree=Share(2, D("178.73")))
    assert not vote.turnout_area_reached
    assert vote.turnout_households_reached
    assert vote.outcome == Outcome.NO_QUORUM


def test_two_thirds_of_area_without_two_thirds_of_households_is_no_quorum():
    vote = result(electorate=Share(3, D("300.00")), agree=Share(1, D("200.00")))
    assert vote.turnout_area_reached
    assert not vote.turnout_households_reached
    assert vote.outcome == Outcome.NO_QUORUM


def test_two_thirds_of_households_without_two_thirds_of_area_is_no_quorum():
    vote = result(electorate=Share(3, D("300.00")), agree=Share(2, D("199.99")))
    assert vote.turnout_households_reached
    assert not vote.turnout_area_reached
    assert vote.outcome == Outcome.NO_QUORUM


def test_abstentions_count_for_turnout_but_not_for_agreement():
    vote = result(
        electorate=Share(3, D("300")), agree=Share(1, D("100")), abstaining=Share(2, D("200"))
    )
    assert vote.turnout_reached
    assert vote.participating == Share(3, D("300"))
    assert vote.outcome == Outcome.NOT_PASSED


@pytest.mark.parametrize(
    ("agree", "objecting", "passes"),
    [
        (Share(2, D("100.00")), Share(2, D("100.00")), False),  # exactly half of both
        (Share(2, D("110.00")), Share(2, D("90.00")), False),  # more area, half the units
        (Share(3, D("100.00")), Share(1, D("100.00")), False),  # more units, half the area
        (Share(3, D("100.01")), Share(1, D("100.00")), True),  # just above both
    ],
)
def test_an_ordinary_matter_needs_more_than_half_of_both(agree, objecting, passes):
    vote = result(electorate=agree + objecting, agree=agree, objecting=objecting)
    assert vote.turnout_reached
    assert (vote.outcome == Outcome.PASSED) is passes


def test_a_special_matter_passes_at_exactly_three_quarters_of_both():
    agree, objecting = Share(3, D("268.11")), Share(1, D("89.37"))
    vote = result(electorate=agree + objecting, agree=agree, objecting=objecting, special=True)
    assert vote.agree_area_reached and vote.agree_households_reached
    assert vote.outcome == Outcome.PASSED


def test_a_special_matter_fails_just_below_three_quarters_of_the_area():
    agree, objecting = Share(3, D("268.11")), Share(1, D("89.38"))
    vote = result(electorate=agree + objecting, agree=agree, objecting=objecting, special=True)
    assert vote.agree_households_reached
    assert not vote.agree_area_reached
    assert vote.outcome == Outcome.NOT_PASSED


def test_a_special_matter_fails_below_three_quarters_of_the_households():
    agree, objecting = Share(5, D("600")), Share(2, D("100"))  # 5/7 < 3/4, area 6/7
    vote = result(electorate=agree + objecting, agree=agree, objecting=objecting, special=True)
    assert vote.agree_area_reached
    assert not vote.agree_households_reached
    assert vote.outcome == Outcome.NOT_PASSED


def test_an_empty_vote_decides_nothing():
    assert result(electorate=Share(0, D(0)), agree=Share()).outcome == Outcome.NO_QUORUM
    assert result(electorate=Share(5, D("400")), agree=Share()).outcome == Outcome.NO_QUORUM


def test_percentages_are_rounded_for_display_only():
    assert percent(2, 3) == D("66.7")
    assert percent(D("178.74"), D("268.11")) == D("66.7")
    assert percent(1, 0) == D("0.0")
    # 66.7% shown, yet one unit short of two thirds is still short.
    vote = result(electorate=Share(3000, D("3000")), agree=Share(1999, D("2000")))
    assert vote.turnout_households_percent == D("66.6")
    assert not vote.turnout_households_reached
    vote = result(electorate=Share(3000, D("3000")), agree=Share(2000, D("1999.99")))
    assert vote.turnout_area_percent == D("66.7")
    assert not vote.turnout_area_reached
