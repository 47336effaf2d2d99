"""Sample rows of the URL walk (see the package's docstring): patients and their
records, medications, tests, scheduling, messages, the FHIR API."""

from tests.registration.factories import (
    AllergyFactory,
    CoverageFactory,
    PatientContactFactory,
    PatientFactory,
)


def fhir_type(users):
    return {"type_name": "Patient"}, None


def fhir_instance(users):
    return {"type_name": "Patient", "ident": "1"}, None


def fhir_version(users):
    return {"type_name": "Patient", "ident": "1", "version_id": "1"}, None


def patient_history(users):
    allergy = AllergyFactory()
    return (
        {"app_label": "registration", "model_name": "allergy", "pk": allergy.pk},
        ["registration.view_allergy"],
    )


def staff_member(users):
    return {"pk": users["Nurse"].pk}, None


def nurses_alert(users):
    from alerts.services import alert_raise

    alert = alert_raise(
        kind="task",
        title="Check the infusion pump",
        role="Nurse",
        patient=PatientFactory(),
    )
    # Only the role the alert is for may open it; everyone else gets 403.
    return {"pk": alert.pk}, None, {"Nurse"}


def report(users):
    return {"slug": "access-log"}, None


def admins_export(users):
    from django.core.files.base import ContentFile

    from clinic.models import ReportExport
    from clinic.storage import exports_storage

    exports_storage().save("sample.csv", ContentFile(b"When\n"))
    export = ReportExport.objects.create(
        requested_by=users["Administrator"],
        report="access-log",
        format="csv",
        status="done",
        file_name="sample.csv",
    )
    # Only the administrator who asked for it; other administrators get 403 too.
    return {"pk": export.pk}, None, {"Administrator"}


def patient(users):
    return {"pk": PatientFactory().pk}, None


def restricted_patient(users):
    return {"pk": PatientFactory(restriction="public_figure").pk}, None


def coverage(users):
    return {"pk": CoverageFactory().pk}, None


def contact(users):
    return {"pk": PatientContactFactory().pk}, None


def allergy(users):
    return {"pk": AllergyFactory().pk}, None


def coverage_card(users):
    from django.core.files.base import ContentFile

    coverage = CoverageFactory()
    coverage.card_front.save("card.png", ContentFile(b"\x89PNG\r\n\x1a\n" + b"0" * 9))
    return {"pk": coverage.pk, "side": "front"}, None


def mar_patient(users):
    from tests.registration.factories import PatientFactory

    return {"patient_pk": PatientFactory().pk}, None


def medication_order(users):
    from tests.medications.factories import MedicationOrderFactory

    return {"pk": MedicationOrderFactory().pk}, None


def prn_order(users):
    from decimal import Decimal

    from tests.medications.factories import MedicationOrderFactory

    order = MedicationOrderFactory(
        frequency="prn",
        interval_hours=None,
        prn_min_interval_hours=Decimal("4"),
        prn_max_per_24h=4,
    )
    return {"pk": order.pk}, None


def scheduled_dose(users):
    from django.utils import timezone

    from medications.models import ScheduledDose
    from tests.medications.factories import MedicationOrderFactory

    dose = ScheduledDose.objects.create(
        order=MedicationOrderFactory(), due_at=timezone.now()
    )
    return {"pk": dose.pk}, None


def formulary_entry(users):
    from tests.medications.factories import MedicationFactory

    return {"pk": MedicationFactory().pk}, None


def diagnostic_order(users):
    from tests.diagnostics.factories import make_order

    return {"pk": make_order(actor=users["Clinician"]).pk}, None


def diagnostic_result(users):
    from diagnostics.services import results_enter
    from tests.diagnostics.factories import make_order

    order = make_order(actor=users["Clinician"], panels=(), tests=("K",))
    [observation] = results_enter(
        order=order,
        values={order.items.get().test: "7.1"},
        actor=users["Clinician"],
    )
    return {"pk": observation.pk}, None


def hl7_message(users):
    from diagnostics.hl7v2.importer import hl7_receive

    [outcome] = hl7_receive(text="MSH|^~\\&|LAB|X|C|C|2026||ADT^A01|1|P|2.5.1\r")
    return {"pk": outcome.message.pk}, None


def hl7_upload(users):
    from diagnostics.models import Hl7Upload

    upload = Hl7Upload.objects.create(
        file_name="a.hl7", text="MSH|", uploaded_by=users["Nurse"]
    )
    return {"pk": upload.pk}, None


def remittance_upload(users):
    from billing.models import RemittanceUpload

    upload = RemittanceUpload.objects.create(
        file_name="a.835", text="ISA", uploaded_by=users["Billing"]
    )
    return {"pk": upload.pk}, None


def appointment(users):
    from tests.scheduling.factories import AppointmentFactory

    return {"pk": AppointmentFactory().pk}, None


def waitlist_entry(users):
    from scheduling.models import WaitlistEntry
    from tests.registration.factories import PatientFactory
    from tests.scheduling.factories import AppointmentTypeFactory

    entry = WaitlistEntry.objects.create(
        patient=PatientFactory(),
        appointment_type=AppointmentTypeFactory(),
        until="2030-01-01",
    )
    return {"pk": entry.pk}, None


def provider(users):
    from tests.scheduling.factories import ProviderFactory

    return {"pk": ProviderFactory().pk}, None


def provider_feed(users):
    from scheduling.models import Provider
    from tests.scheduling.factories import ProviderFactory

    return {
        "token": ProviderFactory(feed_token=Provider.new_feed_token()).feed_token
    }, None


def reminder_rule(users):
    from tests.alerts.factories import ReminderRuleFactory

    return {"pk": ReminderRuleFactory().pk}, None


def failed_message(users):
    from django.utils import timezone

    from alerts.models import Notification

    now = timezone.now()
    message = Notification.objects.create(
        patient=PatientFactory(),
        channel="sms",
        body="Reminder",
        scheduled_for=now,
        due_at=now,
        status="failed",
    )
    return {"pk": message.pk}, None
