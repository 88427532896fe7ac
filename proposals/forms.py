from __future__ import annotations

from dataclasses import replace

from django import forms
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from covenant.models import Building, Community, Household, Party, Role, User
from covenant.rules import listed_estates, listed_estates_where, roles_of
from covenant.selectors import captained_places
from covenant.uploads import MultipleImageField
from proposals import selectors
from proposals.analytics import DEFAULT_PERIOD_MONTHS, PERIOD_MONTHS
from proposals.models import (
    BODY_MAX_LENGTH,
    COMMENT_MAX_LENGTH,
    POST_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    TOPIC_MAX_LENGTH,
    ActionItem,
    Ballot,
    Campaign,
    Category,
    Comment,
    Deliberation,
    Idea,
    Moderation,
    OwnersVote,
    Priority,
    ProgressEntry,
    ReplyTemplate,
    Report,
    SignOff,
    Theme,
)
from proposals.services import ALLOWED_TRANSITIONS

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
            "Where, what you noticed, and what you suggest. Markdown works: **bold**, lists, links."
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
        self.fields["assignee"].queryset = selectors.assignable_staff(
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
            selectors.ideas_visible_to(user)
            .filter(selectors.in_estates_where(user, *selectors.STAFF_SIDE_ROLES))
            .filter(duplicate_of__isnull=True)
            .exclude(status=Idea.Status.WITHDRAWN)
        )
        estates = selectors.estates_where(user, *selectors.STAFF_SIDE_ROLES)
        self.fields["assignee"].queryset = selectors.assignable_staff(
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
            if assignee and not selectors.may_be_assigned(assignee, idea.community_id)
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


# --- Deliberations -------------------------------------------------------------------

MARKDOWN_HELP = _("Markdown works: **bold**, lists, links.")


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
        help_text=_(
            "What residents raised, what the facts are. Markdown works: **bold**, lists, links."
        ),
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
        help_text=MARKDOWN_HELP,
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
        help_text=MARKDOWN_HELP,
    )


class MinutesForm(forms.Form):
    minutes = forms.CharField(
        label=_("Minutes"),
        max_length=BODY_MAX_LENGTH * 2,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=MARKDOWN_HELP,
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
        help_text=_(
            "Changing the text keeps the old version and asks every party to sign again. "
            "Markdown works: **bold**, lists, links."
        ),
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


class DashboardFilterForm(forms.Form):
    """Estate and period of the dashboards. The estates are those the user oversees,
    loaded once by the view; anything else in the query string falls back to defaults."""

    estate = forms.TypedChoiceField(label=_("Estate"), coerce=int, required=False)
    months = forms.TypedChoiceField(label=_("Period"), coerce=int, required=False)

    def __init__(self, data=None, *, estates, **kwargs):
        super().__init__(data, **kwargs)
        self.estates = estates
        self.fields["estate"].choices = [(estate.pk, estate.name) for estate in estates]
        self.fields["months"].choices = [
            (n, ngettext("Last %(count)d month", "Last %(count)d months", n) % {"count": n})
            for n in PERIOD_MONTHS
        ]
        self.fields["months"].initial = DEFAULT_PERIOD_MONTHS

    def chosen(self):
        """(estate, months): what was asked for if valid, else the first estate and a year."""
        data = self.cleaned_data if self.is_valid() else {}
        estate_id = data.get("estate")
        estate = next((e for e in self.estates if e.pk == estate_id), self.estates[0])
        return estate, data.get("months") or DEFAULT_PERIOD_MONTHS


class OpenDataLinkForm(forms.Form):
    estate = forms.TypedChoiceField(label=_("Estate"), coerce=int)
    label = forms.CharField(
        label=_("Shared with"),
        max_length=80,
        help_text=_("Who the link is for, so that you know which one to revoke later."),
    )

    def __init__(self, data=None, *, estates, **kwargs):
        super().__init__(data, **kwargs)
        self.estates = {estate.pk: estate for estate in estates}
        self.fields["estate"].choices = [(estate.pk, estate.name) for estate in estates]
        if len(estates) == 1:
            self.fields["estate"].widget = forms.HiddenInput()
            self.fields["estate"].initial = estates[0].pk

    def clean_estate(self):
        return self.estates[self.cleaned_data["estate"]]


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
                "pays. Markdown works. Phrase it so that 'agree' has one clear meaning."
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
