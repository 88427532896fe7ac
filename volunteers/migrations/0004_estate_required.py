"""Every activity and volunteer has an estate now (0003 filled them in): the column is
required, in its own migration so that PostgreSQL alters the table after the rows were
updated and committed."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("volunteers", "0003_estate_of_activities_and_volunteers")]

    operations = [
        migrations.AlterField(
            model_name="activity",
            name="community",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="volunteer_activities",
                to="covenant.community",
                verbose_name="estate",
            ),
        ),
        migrations.AlterField(
            model_name="volunteer",
            name="community",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="volunteers",
                to="covenant.community",
                verbose_name="estate",
            ),
        ),
        migrations.AddIndex(
            model_name="activity",
            index=models.Index(fields=["community", "starts_at"], name="activity_estate_starts_idx"),
        ),
    ]
