"""Forms of the dashboards and open data."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from proposals.insight.analytics import DEFAULT_PERIOD_MONTHS, PERIOD_MONTHS


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
