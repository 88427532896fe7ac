"""The communities (社区) in the admin: which estates are seen side by side.

A community spans estates, so it is a site-wide record: only superusers make one and
choose its estates; an estate's admin manages their own estate only.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from covenant.admin_scoping import SiteWideAdmin
from covenant.models import Community, District


class DistrictForm(forms.ModelForm):
    estates = forms.ModelMultipleChoiceField(
        label=_("estates"),
        queryset=Community.objects.order_by("name"),
        required=False,
        widget=FilteredSelectMultiple(_("estates"), is_stacked=False),
        help_text=_("An estate is in one community at most: choosing it here moves it."),
    )

    class Meta:
        model = District
        fields = ["name"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["estates"].initial = self.instance.estates.all()


@admin.register(District)
class DistrictAdmin(SiteWideAdmin):
    form = DistrictForm
    list_display = ["name", "estate_count", "created_at"]
    search_fields = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(estate_total=Count("estates"))

    @admin.display(description=_("estates"), ordering="estate_total")
    def estate_count(self, district):
        return district.estate_total

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        chosen = [estate.pk for estate in form.cleaned_data["estates"]]
        with transaction.atomic():
            Community.objects.filter(district=form.instance).exclude(pk__in=chosen).update(
                district=None
            )
            Community.objects.filter(pk__in=chosen).update(district=form.instance)
