"""Forms of three-party deliberations."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from covenant.models import Building, Party, User
from covenant.rules import roles_of
from proposals.deliberations import selectors
from proposals.ideas.forms import CategoryChoiceField
from proposals.models import (
    BODY_MAX_LENGTH,
    COMMENT_MAX_LENGTH,
    POST_MAX_LENGTH,
    TOPIC_MAX_LENGTH,
    ActionItem,
    Category,
    SignOff,
)

# --- Deliberations -------------------------------------------------------------------

FORMATTING_HELP = _("The buttons above the box make text bold, start a list or add a link.")


class DeliberationForm(forms.Form):
    topic = forms.CharField(
        label=_("Topic"),
        max_length=TOPIC_MAX_LENGTH,
        min_length=4,
        help_text=_("The public matter to settle, e.g. “Orderly parking on the estate”."),
    )
    background = forms.CharField(
        label=_("Background"),
        required=False,
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What residents raised, what the facts are."),
    )
    open_to_residents = forms.BooleanField(
        label=_("Open to residents"),
        required=False,
        initial=True,
        help_text=_(
            "Verified residents may discuss in a section beside the representatives' thread."
        ),
    )


class DeliberationOpenForm(DeliberationForm):
    """Opening one: in an estate where the opener holds a role that may open it, chosen
    here when there are several."""

    estate = forms.ModelChoiceField(label=_("Estate"), queryset=None, empty_label=None)
    field_order = ["estate"]

    def __init__(self, *args, estates, **kwargs):
        super().__init__(*args, **kwargs)
        self.only_estate = estates[0] if len(estates) == 1 else None
        if self.only_estate is not None:
            del self.fields["estate"]
        else:
            self.fields["estate"].queryset = estates

    def clean(self):
        cleaned_data = super().clean()
        if self.only_estate is not None:
            cleaned_data["estate"] = self.only_estate
        return cleaned_data


class IdeaPickerForm(forms.Form):
    """Find ideas to link: by category and keywords."""

    category = CategoryChoiceField(
        label=_("Category"),
        queryset=Category.objects.all(),
        required=False,
        empty_label=_("All categories"),
    )
    q = forms.CharField(label=_("Keywords"), required=False, max_length=100)

    def filters(self) -> tuple[Category | None, str]:
        if not self.is_valid():
            return None, ""
        return self.cleaned_data["category"], self.cleaned_data["q"]


class RepresentativeForm(forms.Form):
    party = forms.ChoiceField(label=_("Party"), choices=Party.choices)
    user = forms.ModelChoiceField(
        label=_("Representative"),
        queryset=User.objects.none(),
        help_text=_(
            "Captains represent the residents, property staff the property, members of the "
            "Party branch the Party branch."
        ),
    )

    def __init__(self, *args, deliberation, **kwargs):
        super().__init__(*args, **kwargs)
        candidates = User.objects.none()
        for party in Party.values:
            candidates |= selectors.representative_candidates(
                deliberation=deliberation, party=party
            )
        self.fields["user"].queryset = candidates.distinct()
        self.fields["user"].label_from_instance = lambda user: user.display_name


class PostForm(forms.Form):
    body = forms.CharField(
        label=_("Your post"),
        max_length=POST_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=FORMATTING_HELP,
    )


class RepresentativePostForm(PostForm):
    party = forms.ChoiceField(label=_("Speaking for"))

    def __init__(self, *args, parties: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party"].choices = [(p, Party(p).label) for p in parties]
        if len(parties) == 1:
            self.fields["party"].initial = parties[0]
            self.fields["party"].widget = forms.HiddenInput()


class BuildingPointForm(PostForm):
    building = forms.ModelChoiceField(
        label=_("From building"), queryset=Building.objects.none(), empty_label=None
    )

    def __init__(self, *args, user, deliberation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].label = _("The point raised in the building")
        self.fields["building"].queryset = Building.objects.filter(
            pk__in=sorted(roles_of(user).building_ids), community_id=deliberation.community_id
        ).order_by("number")


class CloseForm(forms.Form):
    reason = forms.CharField(
        label=_("Why it closes without a resolution"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown on the deliberation and on the timeline of every linked idea."),
    )


class MeetingForm(forms.Form):
    starts_at = forms.DateTimeField(
        label=_("Date and time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    place = forms.CharField(label=_("Place"), max_length=100)
    agenda = forms.CharField(
        label=_("Agenda"),
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=FORMATTING_HELP,
    )


class MinutesForm(forms.Form):
    minutes = forms.CharField(
        label=_("Minutes"),
        max_length=BODY_MAX_LENGTH * 2,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=FORMATTING_HELP,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for party, label in Party.choices:
            self.fields[f"attended_{party}"] = forms.CharField(
                label=_("Attended for %(party)s") % {"party": label},
                max_length=300,
                required=False,
                help_text=_("Names, separated by commas."),
            )

    def attendance(self) -> dict[str, str]:
        return {party: self.cleaned_data[f"attended_{party}"] for party in Party.values}


class ResolutionForm(forms.Form):
    text = forms.CharField(
        label=_("Text of the resolution"),
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Changing the text keeps the old version and asks every party to sign again."),
    )


class SignOffForm(forms.Form):
    party = forms.ChoiceField(label=_("Signing for"))
    # The version the signer read: an answer never carries over to a text they did not see.
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    decision = forms.ChoiceField(
        label=_("Decision"), choices=SignOff.Decision.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when objecting: say what your party cannot accept."),
    )

    def __init__(self, *args, parties: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party"].choices = [(p, Party(p).label) for p in parties]
        if len(parties) == 1:
            self.fields["party"].initial = parties[0]
            self.fields["party"].widget = forms.HiddenInput()


class ActionItemForm(forms.Form):
    title = forms.CharField(label=_("What is to be done"), max_length=200)
    owner_party = forms.ChoiceField(label=_("Responsible party"), choices=Party.choices)
    owner = forms.ModelChoiceField(
        label=_("Responsible person"), queryset=User.objects.none(), required=False
    )
    due_on = forms.DateField(
        label=_("Due on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, deliberation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = User.objects.filter(
            deliberation_seats__deliberation=deliberation
        ).distinct()
        self.fields["owner"].label_from_instance = lambda user: user.display_name


class ProgressForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ActionItem.Status.choices)
    progress_note = forms.CharField(
        label=_("Progress"),
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Public: what has been done, what is next."),
    )
