"""Activities and volunteers say their estate (one site serves several estates).

Existing rows are given one from what is known of the people: an activity the estate
where its organiser holds a role (else where they live), a volunteer the estate of their
verified household (else of a role grant). A row with neither takes the site's first
estate, which on a site created before several estates is the only one."""

import django.db.models.deletion
from django.db import migrations, models


def _estate_of_person(apps, user_id, *, roles_first: bool):
    RoleGrant = apps.get_model("covenant", "RoleGrant")
    Membership = apps.get_model("covenant", "Membership")
    by_grant = (
        RoleGrant.objects.filter(user_id=user_id)
        .order_by("pk")
        .values_list("community_id", flat=True)
        .first()
    )
    by_home = (
        Membership.objects.filter(user_id=user_id, status="verified")
        .order_by("requested_at", "pk")
        .values_list("household__building__community_id", flat=True)
        .first()
    )
    return (by_grant or by_home) if roles_first else (by_home or by_grant)


def fill_estates(apps, schema_editor):
    Community = apps.get_model("covenant", "Community")
    Activity = apps.get_model("volunteers", "Activity")
    Volunteer = apps.get_model("volunteers", "Volunteer")
    first = Community.objects.order_by("pk").values_list("pk", flat=True).first()
    for activity in Activity.objects.filter(community__isnull=True).iterator():
        activity.community_id = (
            _estate_of_person(apps, activity.organiser_id, roles_first=True) or first
        )
        activity.save(update_fields=["community"])
    for volunteer in Volunteer.objects.filter(community__isnull=True).iterator():
        volunteer.community_id = (
            _estate_of_person(apps, volunteer.user_id, roles_first=False) or first
        )
        volunteer.save(update_fields=["community"])


class Migration(migrations.Migration):
    dependencies = [
        ("covenant", "0001_initial"),
        ("volunteers", "0002_activity_cancellation"),
    ]

    operations = [
        migrations.AddField(
            model_name="activity",
            name="community",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="volunteer_activities",
                to="covenant.community",
                verbose_name="estate",
            ),
        ),
        migrations.AddField(
            model_name="volunteer",
            name="community",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="volunteers",
                to="covenant.community",
                verbose_name="estate",
            ),
        ),
        migrations.RunPython(fill_estates, migrations.RunPython.noop),
    ]
