"""Forms of golden ideas: submitting, recording, commenting, filtering."""

from __future__ import annotations

from dataclasses import replace

from django import forms
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from covenant.models import Building, Household, Role
from covenant.rules import listed_estates, listed_estates_where
from covenant.selectors import captained_places
from covenant.uploads import MultipleImageField
from proposals.ideas import selectors
from proposals.models import (
    BODY_MAX_LENGTH,
    COMMENT_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Campaign,
    Category,
    Comment,
    Idea,
    Moderation,
)

MAX_PHOTOS = 6


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.label


class IdeaForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=TITLE_MAX_LENGTH,
        min_length=4,
        help_text=_("In a few words: what should change?"),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                # Similar ideas are offered while the title is typed.
                "hx-get": reverse_lazy("proposals:similar_ideas"),
                "hx-trigger": "input changed delay:400ms",
                "hx-target": "#similar-ideas",
                "hx-sync": "this:replace",
            }
        ),
    )
    body = forms.CharField(
        label=_("Your idea"),
        max_length=BODY_MAX_LENGTH,
        min_length=10,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Where, what you noticed, and what you suggest. The buttons above the box make "
            "text bold, start a list or add a link."
        ),
    )
    category = CategoryChoiceField(
        label=_("Category"), queryset=Category.objects.none(), empty_label=_("Choose a category")
    )
    campaign = forms.ModelChoiceField(
        label=_("Campaign"),
        queryset=Campaign.objects.none(),
        required=False,
        empty_label=_("The standing idea box"),
    )
    photos = MultipleImageField(
        label=_("Photos"),
        max_files=MAX_PHOTOS,
        help_text=_(
            "Up to 6 photos (JPEG, PNG or WebP, at most 10 MB each). Location data is removed."
        ),
    )
    hide_name = forms.BooleanField(
        label=_("Hide my name from other residents"),
        required=False,
        help_text=_(
            "Your captain, the property staff and the Party branch still see who wrote it."
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = selectors.active_categories()
        self.fields["campaign"].queryset = self.campaign_choices(user)
        if not self.fields["campaign"].queryset.exists():
            del self.fields["campaign"]

    def campaign_choices(self, user):
        """The open campaigns of the estate where the idea will be filed."""
        community_id, _household = selectors.filing_place(user)
        return selectors.open_campaigns_of_estate(community_id)

    @property
    def photos_need_choosing_again(self) -> bool:
        """Browsers cannot refill a file input: after an error, say so plainly."""
        return self.is_bound and bool(self.files.getlist("photos")) and bool(self.errors)


class RecordIdeaForm(IdeaForm):
    """A captain writes down the idea of a resident who has no phone."""

    household = forms.ModelChoiceField(
        label=_("Household"), queryset=Household.objects.none(), empty_label=None
    )
    resident_name = forms.CharField(
        label=_("Resident's name"),
        max_length=40,
        required=False,
        help_text=_("As the resident wishes to be shown, e.g. 王阿姨. Leave empty to show none."),
    )

    field_order = ["household", "resident_name"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["household"].queryset = Household.objects.filter(
            captained_places(user), building__community_id__in=listed_estates(user)
        ).select_related("building")

    def campaign_choices(self, user):
        """The open campaigns of the estates of the captain's buildings; the chosen one
        must be the household's estate's (checked in `clean`)."""
        estates = listed_estates_where(user, Role.CAPTAIN)
        today = timezone.localdate()
        return Campaign.objects.filter(
            community_id__in=estates, starts_on__lte=today, ends_on__gte=today
        )

    def clean(self):
        cleaned = super().clean()
        household, campaign = cleaned.get("household"), cleaned.get("campaign")
        if household and campaign and campaign.community_id != household.building.community_id:
            self.add_error("campaign", _("This campaign is another estate's."))
        return cleaned


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Comment"),
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    parent = forms.ModelChoiceField(
        queryset=Comment.objects.none(), required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args, idea: Idea, **kwargs):
        super().__init__(*args, **kwargs)
        # Replies go to visible comments only (a reply to a reply joins its thread).
        self.fields["parent"].queryset = idea.comments.filter(moderation=Moderation.VISIBLE)


class CommentEditForm(forms.Form):
    body = forms.CharField(
        label=_("Comment"), max_length=COMMENT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 4})
    )


class IdeaFilterForm(forms.Form):
    """The list's named filters and sorts; an unknown value is ignored, never passed on."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    category = CategoryChoiceField(
        label=_("Category"),
        queryset=Category.objects.all(),
        required=False,
        to_field_name="slug",
        empty_label=_("All categories"),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), ("open", _("Still open")), *Idea.Status.choices],
    )
    building = forms.ModelChoiceField(
        label=_("Building"),
        queryset=Building.objects.all(),
        required=False,
        to_field_name="number",
        empty_label=_("All buildings"),
    )
    campaign = forms.ModelChoiceField(
        label=_("Campaign"),
        queryset=Campaign.objects.all(),
        required=False,
        empty_label=_("All campaigns"),
    )
    mine = forms.BooleanField(label=_("My ideas"), required=False)
    supported = forms.BooleanField(label=_("Supported by me"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort"),
        required=False,
        choices=[
            ("newest", _("Newest")),
            ("supported", _("Most supported")),
            ("active", _("Recently active")),
        ],
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        estates = selectors.in_estates_of(user)
        self.fields["building"].queryset = Building.objects.filter(estates)
        self.fields["campaign"].queryset = Campaign.objects.filter(estates)

    def filters(self) -> selectors.IdeaFilters:
        if not self.is_valid():
            # Keep the valid parts: a stale building number must not drop the search too.
            data = {
                name: value for name, value in self.cleaned_data.items() if name not in self.errors
            }
        else:
            data = self.cleaned_data
        return selectors.IdeaFilters(
            q=data.get("q") or "",
            category=data.get("category"),
            status=data.get("status") or "",
            building=data.get("building"),
            campaign=data.get("campaign"),
            mine=bool(data.get("mine")),
            supported=bool(data.get("supported")),
            sort=data.get("sort") or "newest",
        )


class BoardFilterForm(IdeaFilterForm):
    age = forms.ChoiceField(
        label=_("Older than"),
        required=False,
        choices=[
            ("", _("Any age")),
            ("7", _("1 week")),
            ("30", _("1 month")),
            ("90", _("3 months")),
        ],
    )
    sort = forms.ChoiceField(
        label=_("Sort"),
        required=False,
        choices=[
            ("oldest", _("Oldest first")),
            ("newest", _("Newest first")),
            ("supported", _("Most supported")),
        ],
    )

    def filters(self) -> selectors.IdeaFilters:
        base = super().filters()
        age = self.cleaned_data.get("age") if "age" not in self.errors else ""
        return replace(
            base,
            # The board opens on what still needs the staff.
            status=base.status if "status" in self.data else "open",
            sort=self.cleaned_data.get("sort") or "oldest",
            age_days=selectors.AGE_FILTERS.get(age or ""),
        )
