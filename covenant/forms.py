from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from covenant import selectors
from covenant.models import Building, Household, Membership, User

# Django 6.1 labels the empty choice of every select built from a model field with this
# (django.db.models.fields.BLANK_CHOICE_LABEL), and its Chinese catalog lacks it: the same
# msgid here puts it in ours, which gettext reads first (LOCALE_PATHS).
BLANK_CHOICE_LABEL = _("- Select an option -")


class SignupDetailsForm(forms.Form):
    """Added to allauth's sign-up form: a display name and explicit consent."""

    name = forms.CharField(
        label=_("Display name"),
        max_length=40,
        help_text=_("How neighbours see you, e.g. 王阿姨 or 3栋小李. Not your ID name."),
    )
    accept_privacy = forms.BooleanField(
        label=_("I have read the privacy notice and agree to it."),
        required=True,
        error_messages={"required": _("Please read and accept the privacy notice to continue.")},
    )

    def signup(self, request, user):
        from covenant.services import record_privacy_consent

        user.name = self.cleaned_data["name"].strip()
        user.preferred_language = getattr(request, "LANGUAGE_CODE", user.preferred_language)
        user.save(update_fields=["name", "preferred_language"])
        record_privacy_consent(user=user)


class JoinHouseholdForm(forms.Form):
    """Building, then floor, then unit: each choice narrows the next."""

    building = forms.ModelChoiceField(
        label=_("Building"),
        queryset=Building.objects.none(),
        empty_label=_("Choose your building"),
    )
    floor = forms.TypedChoiceField(label=_("Floor"), coerce=int, choices=())
    household = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=Household.objects.none(),
        empty_label=_("Choose your unit"),
    )
    relation = forms.ChoiceField(
        label=_("You are"),
        choices=Membership.Relation.choices,
        widget=forms.RadioSelect,
    )
    message = forms.CharField(
        label=_("Note to your captain (optional)"),
        max_length=200,
        required=False,
        help_text=Membership._meta.get_field("message").help_text,
    )
    proof_note = forms.CharField(
        label=_("Proof of ownership (optional)"),
        max_length=40,
        required=False,
        help_text=Membership._meta.get_field("proof_note").help_text,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.fields["building"].queryset = selectors.buildings_for_joining()
        self.fields["building"].label_from_instance = (
            _estate_and_building if selectors.several_estates() else str
        )
        source = self.data if self.is_bound else self.initial
        building = self._chosen_building(source.get("building"))
        floors = selectors.floors_of_building(building=building) if building else []
        self.fields["floor"].choices = [("", _("Choose your floor"))] + [
            (floor, _("Floor %(floor)s") % {"floor": floor}) for floor in floors
        ]
        floor = self._chosen_floor(source.get("floor"), floors)
        if building and floor is not None:
            self.fields["household"].queryset = selectors.households_on_floor(
                building=building, floor=floor
            )
            self.fields["household"].label_from_instance = lambda household: household.unit
        self.chosen_building = building
        self.chosen_floor = floor

    def _chosen_building(self, value):
        try:
            return self.fields["building"].queryset.get(pk=int(value))
        except (TypeError, ValueError, Building.DoesNotExist):
            return None

    @staticmethod
    def _chosen_floor(value, floors):
        try:
            floor = int(value)
        except (TypeError, ValueError):
            return None
        return floor if floor in floors else None

    def clean(self):
        cleaned = super().clean()
        household = cleaned.get("household")
        if household and (
            household.building_id != getattr(cleaned.get("building"), "pk", None)
            or household.floor != cleaned.get("floor")
        ):
            self.add_error("household", _("This unit is not on the floor you chose."))
        return cleaned


def _estate_and_building(building: Building) -> str:
    return _("%(estate)s, building %(number)s") % {
        "estate": building.community.name,
        "number": building.number,
    }


class VerifyMembershipForm(forms.Form):
    """The tick a captain must give when the request collides with what is known: an owner
    claimed where there is one already, or a claim on the captain's own unit."""

    confirm = forms.BooleanField(
        label=_("I have checked this claim in person and still verify it."),
        required=False,
    )

    def __init__(self, *args, warnings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.warnings = list(warnings)

    def clean_confirm(self):
        confirmed = self.cleaned_data["confirm"]
        if self.warnings and not confirmed:
            raise forms.ValidationError(
                _("Please tick the box to confirm, after checking the warning above."),
                code="unconfirmed",
            )
        return confirmed


class RejectMembershipForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        help_text=_(
            "The resident sees this. Say what they can do, e.g. 'Please bring your deed to the property office.'"
        ),
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(
                _("Please give a reason, so the resident knows what to do.")
            )
        return reason


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["name", "preferred_language", "phone"]
        help_texts = {
            "phone": _("Optional. It is never shown to other residents."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_action = reverse_lazy("profile")
        # The server's messages, in the user's language, rather than the browser's.
        self.helper.attrs = {"novalidate": ""}
        self.helper.add_input(Submit("save", _("Save")))


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label=_("I understand that this cannot be undone."),
        error_messages={"required": _("Please confirm that you want to delete your account.")},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.helper = FormHelper()
        self.helper.attrs = {"novalidate": ""}
        self.helper.add_input(Submit("delete", _("Delete my account"), css_class="btn-danger"))

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("That is not your password."))
        return password
