"""Forms of owners' votes: the vote, a ballot, a paper ballot."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from covenant.models import Community, Household
from proposals.models import (
    Ballot,
    Deliberation,
    OwnersVote,
)

# --- Owners' votes (业主表决) -----------------------------------------------------------


class VoteForm(forms.ModelForm):
    class Meta:
        model = OwnersVote
        fields = ["title", "question", "matter", "closes_at", "deliberation"]
        widgets = {
            "question": forms.Textarea(attrs={"rows": 8}),
            "closes_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
        }
        help_texts = {
            "question": _(
                "What the owners are asked, with the facts they need: costs, plans, who "
                "pays. Phrase it so that 'agree' has one clear meaning."
            ),
            "matter": _(
                "Raising the maintenance fund, rebuilding, and changing the use of common "
                "parts need three quarters; everything else, including using the "
                "maintenance fund, more than half (Civil Code art. 278)."
            ),
            "closes_at": _("Ballots are accepted until then; the result is published at once."),
            "deliberation": _(
                "If the owners are asked to confirm what a deliberation resolved, link it: "
                "the vote and the deliberation then point to each other."
            ),
        }

    estate = forms.ModelChoiceField(label=_("Estate"), queryset=None, empty_label=None)
    field_order = ["estate"]

    def __init__(self, *args, estates, **kwargs):
        """`estates`: those the vote may belong to (the ones the user administers, or
        the vote's or deliberation's own); a choice only when there are several."""
        super().__init__(*args, **kwargs)
        estates = list(estates)
        self.only_estate = estates[0] if len(estates) == 1 else None
        if self.only_estate is not None or self.instance.pk:
            del self.fields["estate"]
        else:
            self.fields["estate"].queryset = Community.objects.filter(
                pk__in=[estate.pk for estate in estates]
            ).order_by("pk")
        # Only the estates' own deliberations; a posted id of another estate's is refused
        # as an invalid choice (and the services check it again).
        self.fields["deliberation"].queryset = Deliberation.objects.filter(
            community__in=[estate.pk for estate in estates]
        ).order_by("-created_at", "-pk")
        self.fields["deliberation"].empty_label = _("No deliberation")

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            return cleaned
        if self.only_estate is not None:
            cleaned["estate"] = self.only_estate
        estate, deliberation = cleaned.get("estate"), cleaned.get("deliberation")
        if estate and deliberation and deliberation.community_id != estate.pk:
            self.add_error(
                "deliberation", _("A vote can only come from a deliberation of its own estate.")
            )
        return cleaned

    def clean_closes_at(self):
        closes_at = self.cleaned_data["closes_at"]
        if closes_at <= timezone.now():
            raise forms.ValidationError(_("Choose a time in the future."))
        return closes_at


class BallotForm(forms.Form):
    household = forms.IntegerField(widget=forms.HiddenInput)
    choice = forms.ChoiceField(
        label=_("Your household's vote"),
        choices=Ballot.Choice.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose agree, object or abstain.")},
    )


class PaperBallotForm(forms.Form):
    """A paper ballot collected at the door, entered by an admin."""

    building = forms.IntegerField(label=_("Building"), min_value=1)
    unit = forms.CharField(label=_("Unit"), max_length=10)
    choice = forms.ChoiceField(
        label=_("Vote on the paper ballot"), choices=Ballot.Choice.choices, widget=forms.RadioSelect
    )

    def __init__(self, *args, vote: OwnersVote, **kwargs):
        super().__init__(*args, **kwargs)
        self.vote = vote

    def clean(self):
        cleaned = super().clean()
        building, unit = cleaned.get("building"), (cleaned.get("unit") or "").strip()
        if building and unit:
            household = Household.objects.filter(
                building__community_id=self.vote.community_id,
                building__number=building,
                unit=unit,
            ).first()
            if household is None:
                raise forms.ValidationError(
                    _("There is no unit %(unit)s in building %(building)s.")
                    % {"unit": unit, "building": building}
                )
            cleaned["household"] = household
        return cleaned
