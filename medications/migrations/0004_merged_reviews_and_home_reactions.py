# An open review ended by a patient merge points at the one its decisions went on
# in; the one-open-review rule counts only reviews neither completed nor merged.
# A home medication keeps the reaction it was stopped after.

from django.db import migrations, models

REVIEW = "medications.medicationreconciliation"
ONE_OPEN = "reconciliation_one_open"


def merged_into(**options):
    return models.ForeignKey(
        REVIEW,
        blank=True,
        null=True,
        related_name="+",
        verbose_name="merged into",
        **options,
    )


class Migration(migrations.Migration):
    dependencies = [("medications", "0003_home_medications")]

    operations = [
        migrations.RemoveConstraint(
            model_name="medicationreconciliation", name=ONE_OPEN
        ),
        migrations.AddField(
            "historicalmedicationreconciliation",
            "merged_into",
            merged_into(on_delete=models.DO_NOTHING, db_constraint=False),
        ),
        migrations.AddField(
            "medicationreconciliation",
            "merged_into",
            merged_into(on_delete=models.PROTECT),
        ),
        *(
            migrations.AddField(
                model,
                "reaction",
                models.CharField(
                    blank=True, max_length=200, verbose_name="stopped after reaction"
                ),
            )
            for model in ("historicalhomemedication", "homemedication")
        ),
        migrations.AddConstraint(
            model_name="medicationreconciliation",
            constraint=models.UniqueConstraint(
                fields=["patient"],
                condition=models.Q(completed_at__isnull=True, merged_into__isnull=True),
                name=ONE_OPEN,
            ),
        ),
    ]
