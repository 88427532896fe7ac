"""The counting of an owners' vote (业主表决) under article 278 of the Civil Code.

《民法典》第二百七十八条: a matter the owners decide jointly needs the participation of
owners holding at least two thirds of the exclusive floor area AND at least two thirds of
the owners by number (here: households, one vote per unit). Of those who take part,

- an ordinary matter passes with the agreement of more than half of the participating
  area AND more than half of the participating owners;
- a special matter (items 6 to 8: raising the maintenance fund, rebuilding or
  reconstructing buildings and facilities, changing the use of common parts or using
  them for business) needs at least three quarters of both.

"Taking part" (参与表决) counts every household that cast a ballot, abstentions and
objections included: an abstention helps the turnout but is not an agreement.

Pure arithmetic, no Django: counts are integers, areas are Decimals (two places, as
stored), and every decision is a cross-multiplied comparison of exact numbers, never a
division or a float. Percentages exist for display only and are rounded last.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

ZERO = Decimal("0")
DISPLAY_STEP = Decimal("0.1")


class Outcome(StrEnum):
    PASSED = "passed"
    NOT_PASSED = "not_passed"
    NO_QUORUM = "no_quorum"  # turnout below two thirds: the vote decides nothing


@dataclass(frozen=True)
class Share:
    """A number of households and the floor area they hold."""

    households: int = 0
    area: Decimal = ZERO

    def __add__(self, other: Share) -> Share:
        return Share(self.households + other.households, self.area + other.area)


@dataclass(frozen=True)
class Threshold:
    """part / whole must be at least (or, `strict`, more than) numerator / denominator."""

    numerator: int
    denominator: int
    strict: bool = False

    def met(self, part: int | Decimal, whole: int | Decimal) -> bool:
        if whole <= 0:
            return False
        left, right = part * self.denominator, whole * self.numerator
        return left > right if self.strict else left >= right


TURNOUT = Threshold(2, 3)  # 三分之二以上 (以上 includes the figure itself)
ORDINARY_MAJORITY = Threshold(1, 2, strict=True)  # 过半数: exactly half is not a majority
SPECIAL_MAJORITY = Threshold(3, 4)  # 四分之三以上


def percent(part: int | Decimal, whole: int | Decimal) -> Decimal:
    """part / whole in percent, rounded to one place, for display only."""
    if whole <= 0:
        return ZERO.quantize(DISPLAY_STEP)
    return (Decimal(part) * 100 / Decimal(whole)).quantize(DISPLAY_STEP, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Result:
    electorate: Share
    agree: Share
    objecting: Share
    abstaining: Share
    special: bool

    @property
    def participating(self) -> Share:
        return self.agree + self.objecting + self.abstaining

    @property
    def majority(self) -> Threshold:
        return SPECIAL_MAJORITY if self.special else ORDINARY_MAJORITY

    # -- Turnout against the electorate --------------------------------------------

    @property
    def turnout_area_reached(self) -> bool:
        return TURNOUT.met(self.participating.area, self.electorate.area)

    @property
    def turnout_households_reached(self) -> bool:
        return TURNOUT.met(self.participating.households, self.electorate.households)

    @property
    def turnout_reached(self) -> bool:
        return self.turnout_area_reached and self.turnout_households_reached

    # -- Agreement against those who took part --------------------------------------

    @property
    def agree_area_reached(self) -> bool:
        return self.majority.met(self.agree.area, self.participating.area)

    @property
    def agree_households_reached(self) -> bool:
        return self.majority.met(self.agree.households, self.participating.households)

    @property
    def outcome(self) -> Outcome:
        if not self.turnout_reached:
            return Outcome.NO_QUORUM
        if self.agree_area_reached and self.agree_households_reached:
            return Outcome.PASSED
        return Outcome.NOT_PASSED

    # -- For display ---------------------------------------------------------------

    @property
    def turnout_area_percent(self) -> Decimal:
        return percent(self.participating.area, self.electorate.area)

    @property
    def turnout_households_percent(self) -> Decimal:
        return percent(self.participating.households, self.electorate.households)

    @property
    def agree_area_percent(self) -> Decimal:
        return percent(self.agree.area, self.participating.area)

    @property
    def agree_households_percent(self) -> Decimal:
        return percent(self.agree.households, self.participating.households)
