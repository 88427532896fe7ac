from collections.abc import Sequence

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from covenant.models import Building, Community
from covenant.rules import roles_of
from notices import kinds
from notices.attachments import MAX_IMAGES, MultipleImageField, MultiplePdfField
from notices.models import Announcement, Audience, EmailMode
from notices.selectors import captained_building_ids


class AnnouncementForm(forms.ModelForm):
    """What a publisher writes, in one estate (`estate`, among those where the user may
    publish). A captain writes to their own buildings of it only; the estate-wide
    audiences are for the property manager, the Party branch and admins, who may also
    publish the same announcement in their other estates at once (`other_estates`)."""

    estate = forms.ModelChoiceField(queryset=Community.objects.none(), widget=forms.HiddenInput)
    other_estates = forms.ModelMultipleChoiceField(
        label=_("Also publish in"),
        queryset=Community.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "The same announcement in each estate ticked, to its whole estate or the "
            "public; not with chosen buildings."
        ),
    )
    images = MultipleImageField(
        label=_("Photos"),
        max_files=MAX_IMAGES,
        help_text=_("JPEG, PNG or WebP, up to 10 MB each; location data is removed."),
    )
    pdfs = MultiplePdfField(label=_("PDF files"), help_text=_("Up to 3 PDF files of 10 MB."))

    field_order = ["estate", "title", "body", "audience", "other_estates", "buildings"]

    class Meta:
        model = Announcement
        fields = [
            "title",
            "body",
            "audience",
            "buildings",
            "floor_from",
            "floor_to",
            "publish_at",
            "expires_at",
            "pinned",
            "urgent",
        ]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 8}),
            "buildings": forms.CheckboxSelectMultiple,
            "publish_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "expires_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
        }
        help_texts = {
            "publish_at": _("Leave as it is to publish now, or choose a later time."),
            "floor_from": _("Optional: only these floors of the chosen buildings."),
        }

    def __init__(self, *args, user, estate: Community, estates: Sequence[Community], **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.estate = estate
        self.fields["estate"].queryset = Community.objects.filter(pk__in=[e.pk for e in estates])
        self.fields["estate"].initial = estate.pk
        # Asked only of someone who publishes in several: with one, it can be no other.
        self.fields["estate"].required = len(estates) > 1
        self.estate_wide = user.has_perm("notices.publish_to_estate", estate)
        others = [
            other
            for other in estates
            if other.pk != estate.pk and user.has_perm("notices.publish_to_estate", other)
        ]
        if self.estate_wide and others:
            self.fields["other_estates"].queryset = Community.objects.filter(
                pk__in=[other.pk for other in others]
            ).order_by("name")
        else:
            del self.fields["other_estates"]
        buildings = Building.objects.filter(community=estate).order_by("number")
        if not self.estate_wide:
            own = captained_building_ids(user, estate.pk)
            buildings = buildings.filter(pk__in=own)
            self.fields["audience"].choices = [(Audience.BUILDINGS, Audience.BUILDINGS.label)]
            self.fields["audience"].initial = Audience.BUILDINGS
            if len(own) == 1:
                self.fields["buildings"].initial = list(own)
        self.fields["buildings"].queryset = buildings
        self.fields["buildings"].required = False
        self.fields["publish_at"].required = False
        self.fields["publish_at"].initial = timezone.localtime().replace(second=0, microsecond=0)

    def clean_publish_at(self):
        return self.cleaned_data.get("publish_at") or timezone.now()

    def clean(self):
        cleaned = super().clean()
        audience = cleaned.get("audience")
        buildings = list(cleaned.get("buildings") or [])
        floor_from, floor_to = cleaned.get("floor_from"), cleaned.get("floor_to")
        if audience == Audience.BUILDINGS and not buildings:
            self.add_error("buildings", _("Choose at least one building."))
        if audience == Audience.BUILDINGS and cleaned.get("other_estates"):
            self.add_error(
                "other_estates", _("Chosen buildings are of one estate: publish to one estate.")
            )
        if audience != Audience.BUILDINGS:
            cleaned["buildings"] = []
            if floor_from or floor_to:
                self.add_error("floor_from", _("Floors are chosen only with buildings."))
        for building in buildings:
            if not self.user.has_perm("covenant.publish_to_building", building):
                self.add_error(
                    "buildings", _("You may not publish to %(building)s.") % {"building": building}
                )
        if (floor_from is None) != (floor_to is None):
            self.add_error("floor_to", _("Give both the first and the last floor, or neither."))
        elif floor_from is not None and not 1 <= floor_from <= floor_to:
            self.add_error("floor_to", _("The first floor must be no higher than the last."))
        expires_at, publish_at = cleaned.get("expires_at"), cleaned.get("publish_at")
        if expires_at and publish_at and expires_at <= publish_at:
            self.add_error("expires_at", _("It must expire after it is published."))
        return cleaned

    def chosen_estates(self) -> list[Community]:
        """The page's estate first, then the others ticked."""
        return [self.estate, *self.cleaned_data.get("other_estates", [])]


class AnnouncementEditForm(forms.ModelForm):
    """What may change after publishing: the words, the expiry and pinning. Not the
    audience: to change who gets it, withdraw it and publish anew."""

    tell_again = forms.BooleanField(
        label=_("Tell everyone again"),
        required=False,
        help_text=_(
            "Off: nobody is notified of this edit; those who open it see the new text "
            "marked as edited. On: its whole audience is notified that it was updated."
        ),
    )

    class Meta:
        model = Announcement
        fields = ["title", "body", "expires_at", "pinned"]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 8}),
            "expires_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
        }

    def clean(self):
        cleaned = super().clean()
        expires_at = cleaned.get("expires_at")
        if expires_at and expires_at <= self.instance.publish_at:
            self.add_error("expires_at", _("It must expire after it is published."))
        return cleaned


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it withdrawn?"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Its audience sees this instead of the text."),
    )


class PreferencesForm(forms.Form):
    """One choice per kind of notification the person can receive."""

    def __init__(self, *args, user, chosen: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        roles = roles_of(user)
        decides = roles.is_admin or bool(roles.captain_grants)
        for kind in kinds.all_kinds():
            if kind.for_deciders and not decides:
                continue
            self.fields[kind.key] = forms.ChoiceField(
                label=kind.label,
                choices=EmailMode.choices,
                initial=chosen.get(kind.key, kind.default_email),
                widget=forms.Select(attrs={"class": "form-select"}),
            )

    def clean(self):
        cleaned = super().clean()
        for value in cleaned.values():
            if value not in EmailMode.values:
                raise ValidationError(_("Unknown choice."))
        return cleaned
