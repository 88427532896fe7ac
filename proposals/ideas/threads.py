"""An idea's comment thread, rendered in Python rather than by a template include per
comment (a page shows up to a few hundred comments and replies).

Per comment, the reader decides what is shown (the author's name as they may see it, the
edit, report and moderation links); what each rule answers depends, for one idea and one
reader, only on whether the reader wrote the comment and on its moderation state (and,
for the reader's own comments, on the comment itself: the edit window), so the rules are
asked once per such kind, not once per comment. tests/proposals/test_threads.py holds
this equal to `has_perm` comment by comment.

The reply form is not on the page: "Reply" links to `proposals:comment_reply`, which
answers the form alone to htmx (swapped in place) and a whole page without JavaScript.
"""

from __future__ import annotations

from html import escape

from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime
from django.utils.translation import gettext

from covenant.markup import render_markdown
from proposals.ideas.names import author_as_seen_by
from proposals.models import Comment, Idea, Moderation

COMMENT_PERMS = ("proposals.edit_comment", "proposals.report_item", "proposals.moderate_item")
_SAMPLE_PK = 987654321


def url_maker(name: str):
    """`reverse(name, args=[pk])` for many pks, reversed once: a page of comments would
    otherwise reverse three or four addresses per comment."""
    sample = reverse(name, args=[_SAMPLE_PK])
    return lambda pk: sample.replace(str(_SAMPLE_PK), str(pk))


class _Urls:
    def __init__(self):
        self.reply = url_maker("proposals:comment_reply")
        self.edit = url_maker("proposals:comment_edit")
        self.report = url_maker("proposals:comment_report")
        self.moderate = url_maker("proposals:comment_moderate")


class _Permissions:
    """The reader's rights on the comments of one idea, asked once per kind of comment."""

    def __init__(self, user):
        self.user = user
        self._known: dict[tuple, tuple[bool, ...]] = {}

    def of(self, comment: Comment) -> tuple[bool, ...]:
        own = comment.author_id == self.user.pk
        kind = (own, comment.moderation, comment.pk if own else None)
        if kind not in self._known:
            self._known[kind] = tuple(self.user.has_perm(perm, comment) for perm in COMMENT_PERMS)
        return self._known[kind]


def _actions(comment: Comment, *, may_comment: bool, rights, csrf_token: str, urls) -> str:
    may_edit, may_report, may_moderate = rights
    parts = []
    if may_comment and comment.moderation == Moderation.VISIBLE:
        url = urls.reply(comment.pk)
        parts.append(
            f'<a href="{url}" class="text-covenant reply-link" hx-get="{url}" hx-target="this" '
            f'hx-swap="outerHTML">{escape(gettext("Reply"))}</a>'
        )
    if may_edit:
        parts.append(f'<a href="{urls.edit(comment.pk)}">{escape(gettext("Edit"))}</a>')
    if may_report:
        parts.append(
            f'<a href="{urls.report(comment.pk)}" class="text-body-secondary">'
            f"{escape(gettext('Report'))}</a>"
        )
    if may_moderate:
        url = urls.moderate(comment.pk)
        if comment.moderation == Moderation.VISIBLE:
            hide, reason = escape(gettext("Hide")), escape(gettext("Reason, shown to the author"))
            parts.append(
                f'<details><summary class="text-danger">{hide}</summary>\n'
                f'  <form method="post" action="{url}" class="mt-2 d-flex gap-2">\n'
                f'    <input type="hidden" name="csrfmiddlewaretoken" value="{csrf_token}">'
                '<input type="hidden" name="action" value="hide">\n'
                f'    <label class="visually-hidden" for="hide-{comment.pk}">{reason}</label>\n'
                f'    <input type="text" name="reason" id="hide-{comment.pk}" maxlength="200" '
                f'required class="form-control form-control-sm" placeholder="{reason}">\n'
                f'    <button class="btn btn-sm btn-outline-danger">{hide}</button>\n'
                "  </form>\n</details>"
            )
        else:
            parts.append(
                f'<form method="post" action="{url}"><input type="hidden" '
                f'name="csrfmiddlewaretoken" value="{csrf_token}"><input type="hidden" '
                'name="action" value="restore"><button class="btn btn-link btn-sm p-0">'
                f"{escape(gettext('Make visible'))}</button></form>"
            )
    return "\n    ".join(parts)


def render_comment(
    comment: Comment, *, user, may_comment: bool, rights, csrf_token: str, urls=None
) -> SafeString:
    """One comment, built from strings: a page has dozens, and `format_html`'s lazy-aware
    escaping cost more than the rest of each. Every value is escaped here (the standard
    library's escape, as Django's does), but the Markdown body, which is sanitised HTML."""
    urls = urls or _Urls()
    classes = "comment comment-reply" if comment.parent_id else "comment"
    if getattr(comment, "is_placeholder", False):
        return mark_safe(
            f'<div class="{classes}" id="comment-{comment.pk}">\n'
            '  <p class="small fst-italic text-body-secondary mb-0">'
            f"{escape(gettext('A comment hidden by a moderator.'))}</p>\n</div>\n"
        )
    created = localtime(comment.created_at)
    badges = (
        f' <span class="badge text-bg-warning">{escape(comment.get_moderation_display())}</span>'
        if comment.moderation != Moderation.VISIBLE
        else ""
    )
    hidden = (
        '  <p class="small fst-italic text-body-secondary">'
        f"{escape(gettext('Hidden by a moderator: %(reason)s') % {'reason': comment.hidden_reason})}"
        "</p>\n"
        if comment.moderation == Moderation.HIDDEN
        else ""
    )
    edited = f" · {escape(gettext('edited'))}" if comment.edited_at else ""
    actions = _actions(
        comment, may_comment=may_comment, rights=rights, csrf_token=csrf_token, urls=urls
    )
    return mark_safe(
        f'<div class="{classes}" id="comment-{comment.pk}">\n'
        '  <div class="small text-body-secondary mb-1">\n'
        f'    <strong class="text-body">{escape(author_as_seen_by(comment, user))}</strong>\n'
        # the date filter's "c", and "Y-m-d H:i"
        f'    · <time datetime="{created.isoformat()}">{created:%Y-%m-%d %H:%M}</time>'
        f"{edited}{badges}\n  </div>\n"
        f"{hidden}"
        f'  <div class="user-text">{render_markdown(comment.body)}</div>\n'
        '  <div class="d-flex flex-wrap gap-3 small comment-actions">\n'
        f"    {actions}\n  </div>\n"
        "</div>\n"
    )


def render_thread(idea: Idea, *, request, may_comment: bool) -> SafeString:
    """Each top-level comment of the page in its card, with its replies."""
    user = request.user
    permissions = _Permissions(user)
    csrf_token = get_token(request)
    urls = _Urls()

    def one(comment: Comment) -> str:
        return render_comment(
            comment,
            user=user,
            may_comment=may_comment,
            rights=permissions.of(comment),
            csrf_token=csrf_token,
            urls=urls,
        )

    cards = []
    for comment in idea.thread:
        inner = "".join([one(comment), *(one(reply) for reply in comment.shown_replies)])
        cards.append(f'<div class="card mb-2"><div class="card-body">\n{inner}</div></div>\n')
    return mark_safe("".join(cards))
