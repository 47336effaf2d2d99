# A problem ended by a patient merge (the survivor had it active too).

from django.db import migrations, models

STATUSES = [
    ("active", "Active"),
    ("resolved", "Resolved"),
    ("merged", "Duplicate (merged)"),
]


class Migration(migrations.Migration):
    dependencies = [("careplans", "0001_initial")]

    operations = [
        migrations.AlterField(
            model_name=model,
            name="status",
            field=models.CharField(
                choices=STATUSES, default="active", max_length=10, verbose_name="status"
            ),
        )
        for model in ("historicalproblem", "problem")
    ]
