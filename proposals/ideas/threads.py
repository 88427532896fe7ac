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

from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.html import format_html, format_html_join
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


def _actions(comment: Comment, *, may_comment: bool, rights, csrf_token: str, urls) -> SafeString:
    may_edit, may_report, may_moderate = rights
    parts = []
    if may_comment and comment.moderation == Moderation.VISIBLE:
        url = urls.reply(comment.pk)
        parts.append(
            format_html(
                '<a href="{}" class="text-covenant reply-link" hx-get="{}" hx-target="this" '
                'hx-swap="outerHTML">{}</a>',
                url,
                url,
                gettext("Reply"),
            )
        )
    if may_edit:
        parts.append(
            format_html(
                '<a href="{}">{}</a>',
                urls.edit(comment.pk),
                gettext("Edit"),
            )
        )
    if may_report:
        parts.append(
            format_html(
                '<a href="{}" class="text-body-secondary">{}</a>',
                urls.report(comment.pk),
                gettext("Report"),
            )
        )
    if may_moderate:
        url = urls.moderate(comment.pk)
        if comment.moderation == Moderation.VISIBLE:
            reason = gettext("Reason, shown to the author")
            parts.append(
                format_html(
                    '<details><summary class="text-danger">{hide}</summary>\n'
                    '  <form method="post" action="{url}" class="mt-2 d-flex gap-2">\n'
                    '    <input type="hidden" name="csrfmiddlewaretoken" value="{token}">'
                    '<input type="hidden" name="action" value="hide">\n'
                    '    <label class="visually-hidden" for="hide-{pk}">{reason}</label>\n'
                    '    <input type="text" name="reason" id="hide-{pk}" maxlength="200" required '
                    'class="form-control form-control-sm" placeholder="{reason}">\n'
                    '    <button class="btn btn-sm btn-outline-danger">{hide}</button>\n'
                    "  </form>\n</details>",
                    hide=gettext("Hide"),
                    url=url,
                    token=csrf_token,
                    pk=comment.pk,
                    reason=reason,
                )
            )
        else:
            parts.append(
                format_html(
                    '<form method="post" action="{}"><input type="hidden" '
                    'name="csrfmiddlewaretoken" value="{}"><input type="hidden" name="action" '
                    'value="restore"><button class="btn btn-link btn-sm p-0">{}</button></form>',
                    url,
                    csrf_token,
                    gettext("Make visible"),
                )
            )
    return format_html_join("\n    ", "{}", ((part,) for part in parts))


def render_comment(
    comment: Comment, *, user, may_comment: bool, rights, csrf_token: str, urls=None
) -> SafeString:
    urls = urls or _Urls()
    classes = "comment comment-reply" if comment.parent_id else "comment"
    if getattr(comment, "is_placeholder", False):
        return format_html(
            '<div class="{}" id="comment-{}">\n'
            '  <p class="small fst-italic text-body-secondary mb-0">{}</p>\n</div>\n',
            classes,
            comment.pk,
            gettext("A comment hidden by a moderator."),
        )
    created = localtime(comment.created_at)
    badges = (
        format_html(
            ' <span class="badge text-bg-warning">{}</span>', comment.get_moderation_display()
        )
        if comment.moderation != Moderation.VISIBLE
        else ""
    )
    hidden = (
        format_html(
            '  <p class="small fst-italic text-body-secondary">{}</p>\n',
            gettext("Hidden by a moderator: %(reason)s") % {"reason": comment.hidden_reason},
        )
        if comment.moderation == Moderation.HIDDEN
        else ""
    )
    return format_html(
        '<div class="{classes}" id="comment-{pk}">\n'
        '  <div class="small text-body-secondary mb-1">\n'
        '    <strong class="text-body">{author}</strong>\n'
        '    · <time datetime="{iso}">{shown}</time>{edited}{badges}\n  </div>\n'
        "{hidden}"
        '  <div class="user-text">{body}</div>\n'
        '  <div class="d-flex flex-wrap gap-3 small comment-actions">\n    {actions}\n  </div>\n'
        "</div>\n",
        classes=classes,
        pk=comment.pk,
        author=author_as_seen_by(comment, user),
        iso=created.isoformat(),  # the date filter's "c"
        shown=created.strftime("%Y-%m-%d %H:%M"),  # "Y-m-d H:i"
        edited=format_html(" · {}", gettext("edited")) if comment.edited_at else "",
        badges=badges,
        hidden=hidden,
        body=render_markdown(comment.body),
        actions=_actions(
            comment, may_comment=may_comment, rights=rights, csrf_token=csrf_token, urls=urls
        ),
    )


def render_thread(idea: Idea, *, request, may_comment: bool) -> SafeString:
    """Each top-level comment of the page in its card, with its replies."""
    user = request.user
    permissions = _Permissions(user)
    csrf_token = get_token(request)
    urls = _Urls()

    def one(comment: Comment) -> SafeString:
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
        inner = [one(comment), *(one(reply) for reply in comment.shown_replies)]
        cards.append(
            format_html(
                '<div class="card mb-2"><div class="card-body">\n{}</div></div>\n',
                mark_safe("".join(inner)),
            )
        )
    return mark_safe("".join(cards))
