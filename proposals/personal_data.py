"""The golden-ideas part of a person's data download."""

from __future__ import annotations

from typing import Any

from covenant.models import User
from proposals.models import (
    Ballot,
    Comment,
    DeliberationPost,
    Idea,
    OpenDataLink,
    Priority,
    ProgressEntry,
    Report,
    Representative,
    ResolutionVersion,
    SignOff,
    Support,
)


def _when(moment) -> str | None:
    return moment.isoformat() if moment else None


def collect(user: User) -> dict[str, Any]:
    return {
        "ideas": [
            {
                "id": idea.pk,
                "title": idea.title,
                "body": idea.body,
                "status": idea.status,
                "hide_name": idea.hide_name,
                "submitted_at": _when(idea.created_at),
            }
            for idea in Idea.objects.filter(author=user).order_by("pk")
        ],
        "comments": [
            {"idea": comment.idea_id, "body": comment.body, "written_at": _when(comment.created_at)}
            for comment in Comment.objects.filter(author=user).order_by("pk")
        ],
        "supports": [
            {"idea": support.idea_id, "supported_at": _when(support.created_at)}
            for support in Support.objects.filter(user=user).order_by("pk")
        ],
        "reports": [
            {
                "idea": report.idea_id,
                "comment": report.comment_id,
                "reason": report.reason,
                "note": report.note,
                "reported_at": _when(report.created_at),
            }
            for report in Report.objects.filter(reporter=user).order_by("pk")
        ],
        "deliberation_seats": [
            {"deliberation": seat.deliberation_id, "party": seat.party}
            for seat in Representative.objects.filter(user=user).order_by("pk")
        ],
        "deliberation_posts": [
            {
                "deliberation": post.deliberation_id,
                "kind": post.kind,
                "party": post.party,
                "body": post.body,
                "written_at": _when(post.created_at),
            }
            for post in DeliberationPost.objects.filter(author=user).order_by("pk")
        ],
        "resolution_texts": [
            {
                "deliberation": version.resolution.deliberation_id,
                "version": version.number,
                "text": version.text,
                "written_at": _when(version.created_at),
            }
            for version in ResolutionVersion.objects.filter(written_by=user)
            .select_related("resolution")
            .order_by("pk")
        ],
        "resolution_sign_offs": [
            {
                "deliberation": sign_off.version.resolution.deliberation_id,
                "version": sign_off.version.number,
                "party": sign_off.party,
                "decision": sign_off.decision,
                "comment": sign_off.comment,
                "signed_at": _when(sign_off.created_at),
            }
            for sign_off in SignOff.objects.filter(signed_by=user)
            .select_related("version__resolution")
            .order_by("pk")
        ],
        "open_data_links_created": [
            {
                "label": link.label,
                "created_at": _when(link.created_at),
                "revoked_at": _when(link.revoked_at),
            }
            for link in OpenDataLink.objects.filter(created_by=user).order_by("pk")
        ],
        "priorities_owned": [
            {"id": priority.pk, "title": priority.title, "status": priority.status}
            for priority in Priority.objects.filter(owner=user).order_by("pk")
        ],
        "progress_written": [
            {
                "priority": entry.priority_id,
                "date": entry.happened_on.isoformat(),
                "you_said": entry.you_said,
                "we_did": entry.we_did,
            }
            for entry in ProgressEntry.objects.filter(author=user).order_by("pk")
        ],
    }


def collect_ballots(user: User) -> list[dict[str, Any]]:
    """The ballots this person cast online for their households. Paper ballots an admin
    entered are the households' votes, not the admin's data: who voted how stays with the
    admins' breakdown and never leaves the portal in a download."""
    ballots = Ballot.objects.filter(cast_by=user, on_paper=False).select_related(
        "vote", "household__building"
    )
    return [
        {
            "vote": ballot.vote.title,
            "building": ballot.household.building.number,
            "unit": ballot.household.unit,
            "choice": ballot.choice,
            "on_paper": ballot.on_paper,
            "cast_at": _when(ballot.cast_at),
            "times_changed": ballot.change_count,
        }
        for ballot in ballots.order_by("pk")
    ]


def forget_ballots(user: User) -> None:
    """The household's vote stands (the estate's record stays whole); who cast it is
    forgotten, and the admins' breakdown shows a former resident."""
    Ballot.objects.filter(cast_by=user).update(cast_by=None)
