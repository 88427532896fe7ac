"""The models of the proposals app, one module per room, gathered here.

Django finds an app's models in its ``models`` module; each room keeps its own in
``proposals/<room>/models.py`` and they are re-exported here, so the app label
(``proposals``), the migration history and ``from proposals.models import Idea`` stay.
"""

from proposals.deliberations.models import (
    POST_MAX_LENGTH,
    TOPIC_MAX_LENGTH,
    ActionItem,
    Deliberation,
    DeliberationPost,
    DeliberationStatusChange,
    Meeting,
    MeetingAttendance,
    Representative,
    Resolution,
    ResolutionVersion,
    SignOff,
)
from proposals.ideas.models import (
    BODY_MAX_LENGTH,
    COMMENT_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Campaign,
    Category,
    Comment,
    Idea,
    IdeaBoxSettings,
    IdeaPhoto,
    Moderation,
    Support,
)
from proposals.insight.models import (
    OpenDataLink,
    _new_share_token,
)
from proposals.moderation.models import (
    ModerationAction,
    Report,
)
from proposals.themes.models import (
    Priority,
    ProgressEntry,
    Theme,
    ThemeEdit,
    ThemeMembership,
)
from proposals.triage.models import (
    ReplyTemplate,
    StaffNote,
    TimelineEntry,
    TriageChange,
)
from proposals.votes.models import (
    Ballot,
    OwnersVote,
    VoteRollEntry,
)

__all__ = [
    "BODY_MAX_LENGTH",
    "COMMENT_MAX_LENGTH",
    "POST_MAX_LENGTH",
    "TITLE_MAX_LENGTH",
    "TOPIC_MAX_LENGTH",
    "ActionItem",
    "Ballot",
    "Campaign",
    "Category",
    "Comment",
    "Deliberation",
    "DeliberationPost",
    "DeliberationStatusChange",
    "Idea",
    "IdeaBoxSettings",
    "IdeaPhoto",
    "Meeting",
    "MeetingAttendance",
    "Moderation",
    "ModerationAction",
    "OpenDataLink",
    "OwnersVote",
    "Priority",
    "ProgressEntry",
    "ReplyTemplate",
    "Report",
    "Representative",
    "Resolution",
    "ResolutionVersion",
    "SignOff",
    "StaffNote",
    "Support",
    "Theme",
    "ThemeEdit",
    "ThemeMembership",
    "TimelineEntry",
    "TriageChange",
    "VoteRollEntry",
    "_new_share_token",
]
