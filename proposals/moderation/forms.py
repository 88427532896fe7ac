"""Forms of moderation: reports, hiding, merging duplicates."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from proposals.models import (
    Idea,
    Moderation,
    Report,
)


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("What is wrong?"), choices=Report.Reason.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(label=_("Details (optional)"), max_length=300, required=False)


class HideForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason, shown to the author"),
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. reveals a neighbour's phone number")}),
    )


class MergeForm(forms.Form):
    original = forms.IntegerField(
        label=_("Number of the original idea"),
        min_value=1,
        help_text=_("Its supports are added to the original; nobody is counted twice."),
    )
    reason = forms.CharField(label=_("Note (optional)"), max_length=200, required=False)

    def __init__(self, *args, idea: Idea, **kwargs):
        self.idea = idea
        super().__init__(*args, **kwargs)

    def clean_original(self):
        original = Idea.objects.filter(pk=self.cleaned_data["original"]).first()
        if original is None or original.community_id != self.idea.community_id:
            raise forms.ValidationError(_("There is no idea with that number."))
        if original.pk == self.idea.pk:
            raise forms.ValidationError(_("An idea cannot be a duplicate of itself."))
        if original.moderation != Moderation.VISIBLE or original.status == Idea.Status.WITHDRAWN:
            raise forms.ValidationError(_("Merge only into an idea everyone can see and support."))
        if original.duplicate_of_id is not None:
            raise forms.ValidationError(
                _("That idea is itself a duplicate; choose the one it was merged into.")
            )
        return original
