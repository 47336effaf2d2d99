"""#16: the preferred language becomes an ISO 639-1 code chosen from a list.

Free text of before is normalised with ``clinic.languages.language_normalise``
("Spanish" → "es", "es-MX" → "es"); text that names no language becomes "" (not
asked). Patient has no notes field, so nothing typed is lost this way: every
changed row gets a history row whose reason quotes the old text, and the earlier
history rows keep it as it was (the column stays 35 long for them).
"""

from django.db import migrations, models
from django.utils import timezone

import clinic.languages

BATCH = 1000


def _history_row(historical, patient, reason: str, when):
    row = historical(
        history_date=when,
        history_type="~",
        history_change_reason=reason[:100],
        history_user=None,
    )
    for field in patient._meta.concrete_fields:
        setattr(row, field.attname, getattr(patient, field.attname))
    return row


def normalise_languages(apps, schema_editor):
    patient_model = apps.get_model("registration", "Patient")
    historical = apps.get_model("registration", "HistoricalPatient")
    codes = set(clinic.languages.language_names())
    when = timezone.now()
    pending = (
        patient_model.objects.exclude(preferred_language__in=codes)
        .exclude(preferred_language="")
        .order_by("pk")
    )
    changed, history = [], []
    for patient in pending.iterator(chunk_size=BATCH):
        old = patient.preferred_language
        new = clinic.languages.language_normalise(old)
        patient.preferred_language = new
        if new:
            reason = f'preferred language "{old}" recorded as {new}'
        else:
            reason = f'preferred language "{old}" names no language: cleared'
        changed.append(patient)
        history.append(_history_row(historical, patient, reason, when))
        if len(changed) >= BATCH:
            patient_model.objects.bulk_update(changed, ["preferred_language"])
            historical.objects.bulk_create(history)
            changed, history = [], []
    if changed:
        patient_model.objects.bulk_update(changed, ["preferred_language"])
        historical.objects.bulk_create(history)


class Migration(migrations.Migration):
    dependencies = [
        ("registration", "0007_patient_restriction_break_glass"),
    ]

    operations = [
        migrations.RunPython(normalise_languages, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="historicalpatient",
            name="preferred_language",
            field=models.CharField(
                blank=True,
                choices=clinic.languages.language_choices,
                default="en",
                max_length=35,
                verbose_name="preferred language",
            ),
        ),
        migrations.AlterField(
            model_name="patient",
            name="preferred_language",
            field=models.CharField(
                blank=True,
                choices=clinic.languages.language_choices,
                default="en",
                max_length=35,
                verbose_name="preferred language",
            ),
        ),
    ]
