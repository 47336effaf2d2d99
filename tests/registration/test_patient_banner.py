"""One patient banner on every page about one patient: name, date of birth and age,
MRN, sex and the allergies (red when severe, amber when never asked); the MAR and
wristband printouts carry the allergies too."""

import io
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from alerts.models import Notification
from alerts.services import alert_raise
from diagnostics.services import results_enter
from medications.models import ScheduledDose
from registration.models import Allergy
from registration.selectors import patient_banner
from tests.billing.factories import billed_claim, patient_with_address
from tests.diagnostics.factories import make_order
from tests.medications.factories import MedicationOrderFactory
from tests.registration.factories import AllergyFactory, PatientFactory
from tests.scheduling.factories import AppointmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def allergic(make_user):
    """A patient with a severe amoxicillin allergy and something on every page."""
    users = {role: make_user(role) for role in ("Nurse", "Clinician", "Front desk")}
    users["Billing"] = make_user("Billing")
    patient = patient_with_address()
    patient.given_name, patient.family_name = "Rosa", "Marchetti"
    patient.birth_date = date(1958, 6, 1)
    patient.allergy_review = "recorded"
    patient.save()
    AllergyFactory(
        patient=patient,
        substance="Amoxicillin",
        reaction="Anaphylaxis",
        severity=Allergy.Severity.LIFE_THREATENING,
    )
    AllergyFactory(patient=patient, substance="Latex", reaction="Rash", severity="mild")
    order = MedicationOrderFactory(patient=patient)
    prn = MedicationOrderFactory(
        patient=patient,
        frequency="prn",
        interval_hours=None,
        prn_min_interval_hours=Decimal("4"),
        prn_max_per_24h=4,
    )
    dose = ScheduledDose.objects.create(order=order, due_at=timezone.now())
    lab = make_order(patient=patient, actor=users["Clinician"])
    potassium = make_order(
        patient=patient, actor=users["Clinician"], panels=(), tests=("K",)
    )
    [observation] = results_enter(
        order=potassium,
        values={potassium.items.get().test: "7.1"},
        actor=users["Clinician"],
    )
    now = timezone.now()
    message = Notification.objects.create(
        patient=patient,
        channel="sms",
        body="Reminder",
        scheduled_for=now,
        due_at=now,
        status="failed",
    )
    alert = alert_raise(
        kind="task", title="Call back about the rash", role="Nurse", patient=patient
    )
    visit = AppointmentFactory(patient=patient, start=now + timedelta(days=2))
    claim = billed_claim(patient=patient)
    pages = {
        "chart": ("Nurse", reverse("registration:patient-chart", args=[patient.pk])),
        "patient MAR": (
            "Nurse",
            reverse("medications:patient-mar", kwargs={"patient_pk": patient.pk}),
        ),
        "give": ("Nurse", reverse("medications:dose-give", args=[dose.pk])),
        "hold": ("Nurse", reverse("medications:dose-status", args=[dose.pk])),
        "PRN": ("Nurse", reverse("medications:prn-give", args=[prn.pk])),
        "medication order form": (
            "Clinician",
            reverse("medications:order-create", kwargs={"patient_pk": patient.pk}),
        ),
        "medication order": (
            "Clinician",
            reverse("medications:order-detail", args=[order.pk]),
        ),
        "diagnostic order form": (
            "Clinician",
            reverse("diagnostics:order-create") + f"?patient={patient.pk}",
        ),
        "diagnostic order": (
            "Clinician",
            reverse("diagnostics:order-detail", args=[lab.pk]),
        ),
        "result entry": ("Nurse", reverse("diagnostics:result-entry", args=[lab.pk])),
        "critical result": (
            "Clinician",
            reverse("diagnostics:observation-acknowledge", args=[observation.pk]),
        ),
        "appointment": (
            "Front desk",
            reverse("scheduling:appointment-detail", args=[visit.pk]),
        ),
        "find a slot": (
            "Front desk",
            reverse("scheduling:find") + f"?patient={patient.mrn}",
        ),
        "booking": (
            "Front desk",
            reverse("scheduling:book")
            + f"?patient={patient.mrn}&appointment_type={visit.appointment_type_id}"
            + f"&provider={visit.provider_id}&location={visit.location_id}"
            + f"&start={timezone.localtime(visit.start):%Y-%m-%d %H:%M}",
        ),
        "claim": ("Billing", reverse("billing:claim-detail", args=[claim.pk])),
        "message": ("Front desk", reverse("alerts:resend", args=[message.pk])),
        "alert": ("Nurse", reverse("alerts:resolve", args=[alert.pk])),
    }
    return patient, users, pages


PAGES = [
    "chart",
    "patient MAR",
    "give",
    "hold",
    "PRN",
    "medication order form",
    "medication order",
    "diagnostic order form",
    "diagnostic order",
    "result entry",
    "critical result",
    "appointment",
    "find a slot",
    "booking",
    "claim",
    "message",
    "alert",
]


def _banner(body: str) -> str:
    start = body.index('id="patient-banner"')
    return body[start : body.index("</section>", start)]


@pytest.mark.parametrize("page", PAGES)
def test_a_severe_allergy_is_in_the_banner_of_every_page_about_the_patient(
    client, allergic, page
):
    patient, users, pages = allergic
    role, url = pages[page]
    client.force_login(users[role])
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count('id="patient-banner"') == 1
    banner = _banner(body)
    assert "Marchetti, Rosa" in banner
    assert "born 1958-06-01" in banner and f"{patient.age} y" in banner
    assert patient.mrn in banner and patient.get_sex_at_birth_display() in banner
    allergy = re.search(r'<div class="([^"]*)"[^>]*id="allergy-banner"', banner)
    assert "alert-danger" in allergy.group(1)
    assert "Amoxicillin (Anaphylaxis)" in banner and "Life-threatening" in banner
    assert "Latex (Rash)" in banner


def test_pages_with_the_banner_are_never_stored(client, allergic):
    _patient, users, pages = allergic
    for page in ("patient MAR", "give", "medication order", "claim", "appointment"):
        role, url = pages[page]
        client.force_login(users[role])
        assert client.get(url)["Cache-Control"] == "private, no-store", page


def test_allergies_never_asked_are_an_amber_warning(client, make_user):
    patient = PatientFactory(allergy_review="not_asked")
    client.force_login(make_user("Nurse"))
    body = client.get(
        reverse("medications:patient-mar", kwargs={"patient_pk": patient.pk})
    ).content.decode()
    allergy = re.search(r'<div class="([^"]*)"[^>]*id="allergy-banner"', body)
    assert "alert-warning" in allergy.group(1)
    assert "Allergies not yet asked" in _banner(body)


def test_the_banner_costs_one_query_for_the_allergies(
    allergic, django_assert_num_queries
):
    patient = allergic[0]
    with django_assert_num_queries(1):
        banner = patient_banner(patient=patient)
    assert [a.substance for a in banner.allergies] == ["Amoxicillin", "Latex"]
    assert banner.allergy_text == (
        "Amoxicillin (Anaphylaxis) LIFE-THREATENING; Latex (Rash)"
    )


def _pdf_text(content: bytes) -> str:
    pages = PdfReader(io.BytesIO(content)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


def test_the_printed_mar_and_the_wristband_carry_the_allergies(client, allergic):
    patient, users, _pages = allergic
    client.force_login(users["Nurse"])
    mar = client.get(
        reverse("medications:mar-print", kwargs={"patient_pk": patient.pk})
    )
    assert mar.status_code == 200
    assert (
        "Allergies: Amoxicillin (Anaphylaxis) LIFE-THREATENING; Latex (Rash)"
        in _pdf_text(mar.content)
    )
    band = client.get(
        reverse("medications:wristband", kwargs={"patient_pk": patient.pk})
    )
    assert "ALLERGIES: Amoxicillin (Anaphylaxis) LIFE-THREATENING" in _pdf_text(
        band.content
    )
