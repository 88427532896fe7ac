from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from covenant.models import Community
from volunteers.models import Activity, Volunteer
from volunteers.services import start_in_the_past_message


class ApplyForm(forms.ModelForm):
    class Meta:
        model = Volunteer
        fields = ["roster_name", "skills", "availability"]


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        help_text=_("The resident sees it, e.g. 'Please join after you have moved in.'"),
    )


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class ActivityForm(forms.ModelForm):
    """An activity's details; a new one also says its estate: one where the organiser
    organises, chosen here when there are several."""

    estate = forms.ModelChoiceField(label=_("Estate"), queryset=None, empty_label=None)

    class Meta:
        model = Activity
        fields = ["title", "category", "starts_at", "ends_at", "place", "capacity", "description"]
        widgets = {
            "starts_at": LocalDateTimeInput(),
            "ends_at": LocalDateTimeInput(),
            "description": forms.Textarea(attrs={"rows": 5}),
        }

    field_order = ["estate"]

    def __init__(self, *args, estates=(), **kwargs):
        super().__init__(*args, **kwargs)
        estates = list(estates)
        self.only_estate = estates[0] if len(estates) == 1 else None
        if self.instance.pk or self.only_estate is not None:
            del self.fields["estate"]
        else:
            self.fields["estate"].queryset = Community.objects.filter(
                pk__in=[estate.pk for estate in estates]
            ).order_by("pk")

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk and self.only_estate is not None:
            cleaned["estate"] = self.only_estate
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if not self.instance.pk and starts and starts <= timezone.now():
            # Refused here, so that what was typed stays in the form.
            self.add_error("starts_at", start_in_the_past_message())
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The activity must end after it starts."))
        return cleaned


class CheckInTokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code from the volunteer's phone"),
        max_length=300,
        help_text=_("The four digits the volunteer reads out, for example 4821."),
    )


class CaptainMessageForm(forms.Form):
    body = forms.CharField(
        label=_("Message"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only your captain reads it. For emergencies call the property office."),
    )


class CaptainReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your answer"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The resident gets it as a notification (and by mail, if they want mail)."),
    )


class CancelActivityForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it cancelled?"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Everyone signed up or waiting is told, with this reason."),
    )
