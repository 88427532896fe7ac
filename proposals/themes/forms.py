"""Forms of themes and priority work."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from proposals.models import (
    Priority,
    ProgressEntry,
    Theme,
)
from proposals.themes import selectors

# --- Themes and priority work (issue 7) ------------------------------------------------


class ThemeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.category.label} · {obj.name}"


class ThemeRenameForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("theme", "Name"), max_length=60, min_length=2)


class ThemeMergeForm(forms.Form):
    target = ThemeChoiceField(
        label=_("Merge into"),
        queryset=Theme.objects.none(),
        empty_label=_("Choose a theme"),
        help_text=_("All ideas of this theme join the chosen theme; this theme is removed."),
    )

    def __init__(self, *args, theme: Theme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = selectors.other_themes(theme=theme)


class MoveIdeasForm(forms.Form):
    """Move the ticked ideas to another theme, or split them off into a new one."""

    ideas = forms.TypedMultipleChoiceField(coerce=int, label=_("Ideas"), choices=())
    target = ThemeChoiceField(
        label=_("To the theme"),
        queryset=Theme.objects.none(),
        required=False,
        empty_label=_("Choose a theme"),
    )
    new_name = forms.CharField(label=_("Or a new theme named"), max_length=60, required=False)

    def __init__(self, *args, theme: Theme, idea_ids: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ideas"].choices = [(pk, pk) for pk in idea_ids]
        self.fields["target"].queryset = selectors.other_themes(theme=theme)

    def clean(self):
        data = super().clean()
        target, new_name = data.get("target"), (data.get("new_name") or "").strip()
        if self.data.get("split"):
            if not new_name:
                self.add_error("new_name", _("Name the new theme."))
            data["target"] = None
        elif target is None:
            self.add_error("target", _("Choose the theme to move the ideas to."))
        return data


class PriorityForm(forms.ModelForm):
    class Meta:
        model = Priority
        fields = ["title", "owner", "status", "goals", "activities", "deliberations"]
        widgets = {
            "goals": forms.Textarea(attrs={"rows": 6}),
            "activities": forms.CheckboxSelectMultiple,
            "deliberations": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, community_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = selectors.priority_owner_choices(community_id=community_id)
        self.fields["owner"].label_from_instance = lambda user: user.name or user.email
        # Only the estate's own activities; another's id is refused as invalid.
        self.fields["activities"].queryset = selectors.activities_for_priority(
            community_id=community_id
        )
        self.fields["activities"].required = False
        # The same activity is held again and again: its date tells them apart.
        self.fields["activities"].label_from_instance = lambda activity: (
            f"{timezone.localtime(activity.starts_at):%Y-%m-%d} {activity.title}"
        )
        # Only the estate's own deliberations are offered; another's id is refused as invalid.
        self.fields["deliberations"].queryset = selectors.deliberations_for_priority(
            community_id=community_id
        )
        self.fields["deliberations"].required = False
        self.fields["deliberations"].label_from_instance = lambda deliberation: (
            f"{deliberation.topic} · {deliberation.get_status_display()}"
        )


class ProgressEntryForm(forms.ModelForm):
    class Meta:
        model = ProgressEntry
        fields = ["happened_on", "you_said", "we_did"]
        widgets = {
            "happened_on": forms.DateInput(attrs={"type": "date"}),
            "you_said": forms.Textarea(attrs={"rows": 2}),
            "we_did": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "you_said": _("What residents asked for (optional)."),
            "we_did": _("What was done about it."),
        }
