"""Forms of triage: one idea, staff notes, bulk triage."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from covenant.models import User
from proposals.ideas import selectors as ideas_selectors
from proposals.ideas.forms import CategoryChoiceField
from proposals.models import (
    BODY_MAX_LENGTH,
    COMMENT_MAX_LENGTH,
    Category,
    Idea,
    ReplyTemplate,
)
from proposals.triage import selectors as triage_selectors
from proposals.triage.services import ALLOWED_TRANSITIONS


class TriageForm(forms.Form):
    category = CategoryChoiceField(label=_("Category"), queryset=Category.objects.all())
    priority = forms.TypedChoiceField(
        label=_("Priority"), choices=Idea.Priority.choices, coerce=int
    )
    assignee = forms.ModelChoiceField(
        label=_("Assignee"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Nobody yet"),
    )
    status = forms.ChoiceField(label=_("Status"))
    reply_template = forms.ModelChoiceField(
        label=_("Reply template"),
        queryset=ReplyTemplate.objects.filter(is_active=True),
        required=False,
        empty_label=_("None"),
        help_text=_("Used when the reply is left empty."),
    )
    public_reply = forms.CharField(
        label=_("Public reply"),
        required=False,
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Everyone who reads the idea sees it on its timeline. Needed when declining."),
    )

    def __init__(self, *args, idea: Idea, **kwargs):
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("category", idea.category_id)
        initial.setdefault("priority", idea.priority)
        initial.setdefault("assignee", idea.assignee_id)
        initial.setdefault("status", idea.status)
        super().__init__(*args, **kwargs)
        self.idea = idea
        # The staff of the idea's estate only: another estate's steward cannot act on it.
        self.fields["assignee"].queryset = triage_selectors.assignable_staff(
            community_ids=[idea.community_id]
        )
        allowed = ALLOWED_TRANSITIONS[idea.status] - {Idea.Status.WITHDRAWN}
        self.fields["status"].choices = [
            (idea.status, _("%(status)s (unchanged)") % {"status": idea.get_status_display()})
        ] + [(status.value, status.label) for status in Idea.Status if status in allowed]

    def clean(self):
        cleaned = super().clean()
        template = cleaned.get("reply_template")
        if template and not cleaned.get("public_reply"):
            cleaned["public_reply"] = template.body
        declining = (
            cleaned.get("status") == Idea.Status.DECLINED
            and self.idea.status != Idea.Status.DECLINED
        )
        if declining and not cleaned.get("public_reply"):
            self.add_error(
                "public_reply", _("Give residents the reason in a public reply when declining.")
            )
        return cleaned


class StaffNoteForm(forms.Form):
    body = forms.CharField(
        label=_("Private note"),
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only the property staff and admins see notes."),
    )


class BulkTriageForm(forms.Form):
    ideas = forms.ModelMultipleChoiceField(queryset=Idea.objects.none())
    category = CategoryChoiceField(
        label=_("Set category"),
        queryset=Category.objects.all(),
        required=False,
        empty_label=_("Leave as it is"),
    )
    assignee = forms.ModelChoiceField(
        label=_("Set assignee"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Leave as it is"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ideas"].queryset = (
            ideas_selectors.ideas_visible_to(user)
            .filter(ideas_selectors.in_estates_where(user, *ideas_selectors.STAFF_SIDE_ROLES))
            .filter(duplicate_of__isnull=True)
            .exclude(status=Idea.Status.WITHDRAWN)
        )
        estates = ideas_selectors.estates_where(user, *ideas_selectors.STAFF_SIDE_ROLES)
        self.fields["assignee"].queryset = triage_selectors.assignable_staff(
            community_ids=estates.values("pk")
        )

    def clean(self):
        cleaned = super().clean()
        assignee = cleaned.get("assignee")
        if not cleaned.get("category") and not assignee:
            raise forms.ValidationError(_("Choose a category or an assignee to set."))
        elsewhere = [
            idea.pk
            for idea in cleaned.get("ideas") or ()
            if assignee and not triage_selectors.may_be_assigned(assignee, idea.community_id)
        ]
        if elsewhere:
            raise forms.ValidationError(
                _("%(name)s does not work in the estate of idea %(ideas)s.")
                % {
                    "name": assignee.display_name,
                    "ideas": ", ".join(f"#{pk}" for pk in elsewhere),
                }
            )
        return cleaned
