"""The golden-ideas part of a person's data download."""

from __future__ import annotations

from typing import Any

from covenant.models import User
from proposals.models import Comment, Idea, Priority, ProgressEntry, Report, Support


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
