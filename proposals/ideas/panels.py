"""What golden ideas add to pages of other apps, through `covenant.panels` (registered in
`proposals/apps.py`): volunteers may not import proposals, so their pages ask a slot."""

from __future__ import annotations

from covenant.panels import Panel
from proposals.ideas.selectors import open_ideas_of_building


def building_open_ideas(*, request, building) -> Panel:
    """The captain's building page: the building's open ideas the reader may see."""
    return Panel(
        template="proposals/_building_open_ideas.html",
        context={"open_ideas": open_ideas_of_building(user=request.user, building=building)},
    )
