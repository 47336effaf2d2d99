"""Consent to texts moves from the patient onto the mobile number.

Every number on a patient record (merged records left out) gets the consent its
patients gave: opted in when each of them agreed, with the newest agreement's
when, how and who. When patients sharing a number disagree (one agreed, another
did not), the number is opted out: texting a number some of its owners never
agreed to is the unsafe side, and the row says whose answers differed so the front
desk can ask. A number nobody agreed for gets no row (no consent, as before). The
patients' own fields stay as they were (the registration form's answer).
"""

from django.db import migrations

DISAGREED = "patients sharing this number disagreed (%s); opted-out wins"


def number_consent_from_patients(apps, schema_editor=None) -> int:
    """Write each number's consent from its patients; returns the rows written.
    Runs again without harm (a number that has a row keeps it)."""
    Patient = apps.get_model("registration", "Patient")
    NumberConsent = apps.get_model("alerts", "NumberConsent")
    owners: dict[str, list] = {}
    patients = (
        Patient.objects.exclude(phone_mobile="")
        .exclude(status="merged")
        .order_by("pk")
        .values(
            "mrn",
            "phone_mobile",
            "sms_consent",
            "sms_consent_at",
            "sms_consent_method",
            "sms_consent_recorded_by",
        )
        .iterator()
    )
    for row in patients:
        owners.setdefault(str(row["phone_mobile"]), []).append(row)
    known = set(
        NumberConsent.objects.filter(number__in=owners).values_list("number", flat=True)
    )
    written = []
    for number, rows in owners.items():
        agreed = [row for row in rows if row["sms_consent"]]
        if not agreed or number in known:
            continue
        newest = max(
            agreed,
            key=lambda row: (row["sms_consent_at"] is not None, row["sms_consent_at"]),
        )
        fields = {
            "number": number,
            "source": "migration",
            "changed_by_id": newest["sms_consent_recorded_by"],
        }
        if newest["sms_consent_at"] is not None:
            fields["changed_at"] = newest["sms_consent_at"]
        if len(agreed) == len(rows):
            methods = sorted({row["sms_consent_method"] or "?" for row in agreed})
            mrns = ", ".join(row["mrn"] for row in agreed)
            how = f"agreed on the patient record ({', '.join(methods)}): {mrns}"
            written.append(NumberConsent(state="in", how=how[:300], **fields))
        else:
            answers = ", ".join(
                f"{row['mrn']} {'yes' if row['sms_consent'] else 'no'}" for row in rows
            )
            written.append(
                NumberConsent(state="out", how=(DISAGREED % answers)[:300], **fields)
            )
    NumberConsent.objects.bulk_create(written)
    return len(written)


class Migration(migrations.Migration):
    dependencies = [
        ("alerts", "0006_consent_per_address"),
        ("registration", "0009_patient_contacts"),
    ]

    operations = [
        migrations.RunPython(number_consent_from_patients, migrations.RunPython.noop)
    ]
