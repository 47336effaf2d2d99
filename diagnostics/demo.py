"""Demo data of diagnostics (``seed_demo``): orders in every state, normal,
abnormal and critical results, and one unmatched HL7 message in the error list."""

from datetime import timedelta

from django.utils import timezone

from clinic.management.commands.seed_demo import demo_users
from diagnostics import services
from diagnostics.hl7v2.importer import hl7_receive
from diagnostics.hl7v2.writer import oru_message
from diagnostics.models import DiagnosticOrder, Panel, TestDefinition
from registration.models import Patient

REASONS = [
    ("Z00.00", "Annual physical"),
    ("E11.9", "Type 2 diabetes"),
    ("I10", "Essential hypertension"),
    ("E78.5", "Hyperlipidemia"),
    ("D64.9", "Anemia"),
    ("R53.83", "Fatigue"),
    ("N39.0", "Urinary tract infection"),
]


def _restamp(obj, reason="demo timeline", **times) -> None:
    for field, value in times.items():
        setattr(obj, field, value)
    obj._change_reason = reason
    obj.save()


def seed_diagnostics(*, faker, rng, options, stdout) -> None:
    if DiagnosticOrder.objects.exists():
        return
    clinician, nurse = demo_users("clinician", "nurse")
    patients = list(Patient.objects.order_by("mrn")[:24])
    if len(patients) < 12:
        return
    now = timezone.now()
    days = max(options.get("days", 14), 7)
    counter = iter(range(1, 1000))

    def order(patient, panels=(), tests=(), priority="routine", hours_ago=0):
        code, text = rng.choice(REASONS)
        made = services.order_create(
            patient=patient,
            panels=list(Panel.objects.filter(code__in=panels)),
            tests=list(TestDefinition.objects.filter(code__in=tests)),
            priority=priority,
            reason_code=code,
            reason_text=text,
            fasting="LIPID" in panels,
            actor=clinician,
            ordered_at=now - timedelta(hours=hours_ago),
        )
        return made

    def collect(made, minutes_after=20, send=True):
        types = services.order_specimen_types(made)
        services.specimen_collect(
            order=made,
            specimen_types=types,
            collected_at=made.ordered_at + timedelta(minutes=minutes_after),
            actor=nurse,
        )
        if send:
            services.order_send_to_lab(order=made, actor=nurse)
            sent = made.ordered_at + timedelta(minutes=minutes_after + 15)
            for specimen in made.specimens.all():
                _restamp(specimen, sent_at=sent)
            made.refresh_from_db()
            _restamp(made, sent_at=sent)
        made.refresh_from_db()

    def result(made, values, minutes_after=120, status="F"):
        text = oru_message(
            order=made,
            results=[(code, value, flag, status) for code, value, flag in values],
            control_id=f"DEMO-{next(counter):04d}",
            observed_at=made.collected_at,
        )
        [outcome] = hl7_receive(text=text, source="demo lab interface")
        made.refresh_from_db()
        resulted = min(made.ordered_at + timedelta(minutes=minutes_after), now)
        for observation in made.observations.all():
            _restamp(observation, resulted_at=resulted)
        _restamp(made, resulted_at=resulted)
        return outcome

    def review(made, note="", minutes_after=240):
        services.order_review(order=made, note=note, actor=clinician)
        made.refresh_from_db()
        _restamp(
            made,
            reviewed_at=min(made.ordered_at + timedelta(minutes=minutes_after), now),
        )

    cbc_normal = [
        ("WBC", "6.8", ""), ("RBC", "4.6", ""), ("HGB", "13.8", ""),
        ("HCT", "41.2", ""), ("MCV", "89", ""), ("MCH", "30", ""),
        ("MCHC", "33.5", ""), ("RDW", "13.1", ""), ("PLT", "245", ""),
    ]  # fmt: skip
    bmp_values = [
        ("GLU", "92", ""), ("BUN", "14", ""), ("CREA", "0.9", ""), ("NA", "139", ""),
        ("K", "4.2", ""), ("CL", "102", ""), ("CO2", "25", ""), ("CA", "9.4", ""),
    ]  # fmt: skip

    # A hemoglobin trend over weeks for the first patient (anemia follow-up).
    trend_patient = patients[0]
    for weeks, value in ((8, "10.1"), (6, "10.9"), (4, "11.8"), (2, "12.6")):
        made = order(trend_patient, panels=("CBC",), hours_ago=weeks * 7 * 24)
        collect(made)
        values = [(c, value if c == "HGB" else v, "") for c, v, _f in cbc_normal]
        result(made, values, minutes_after=rng.randint(90, 300))
        review(
            made, note="Iron replacement working.", minutes_after=rng.randint(300, 900)
        )

    # Reviewed: normal panels over the period.
    for index in range(6):
        patient = patients[1 + index]
        panels = rng.choice([("CBC",), ("BMP",), ("CBC", "BMP")])
        made = order(
            patient,
            panels=panels,
            priority="stat" if index == 0 else "routine",
            hours_ago=rng.randint(30, days * 24),
        )
        collect(made, minutes_after=rng.randint(5, 60))
        values = (cbc_normal if "CBC" in panels else []) + (
            bmp_values if "BMP" in panels else []
        )
        result(made, values, minutes_after=rng.randint(45, 360))
        review(made, minutes_after=rng.randint(400, 1500))

    # Final, abnormal results waiting for review.
    made = order(patients[7], panels=("LIPID",), hours_ago=26)
    collect(made)
    result(
        made,
        [
            ("CHOL", "246", "H"),
            ("TRIG", "210", "H"),
            ("HDL", "38", "L"),
            ("LDL", "166", "H"),
        ],
    )
    made = order(patients[8], tests=("A1C", "GLU"), hours_ago=20)
    collect(made)
    result(made, [("A1C", "8.4", ""), ("GLU", "182", "")])

    # Final with a critical potassium: alert in the clinician's inbox, unacknowledged.
    made = order(patients[9], panels=("BMP",), priority="stat", hours_ago=2)
    collect(made, minutes_after=10)
    critical = [(c, "6.9" if c == "K" else v, "") for c, v, _f in bmp_values]
    result(made, critical, minutes_after=70)

    # Reviewed after a critical glucose was acknowledged.
    made = order(patients[10], tests=("GLU",), priority="stat", hours_ago=50)
    collect(made, minutes_after=5)
    result(made, [("GLU", "41", "")], minutes_after=40)
    services.critical_acknowledge(
        observation=made.observations.get(),
        action_taken="Called patient: glucose tablets taken, recheck 104 mg/dL.",
        actor=clinician,
    )
    review(made, note="Hypoglycaemia treated; reduce glipizide.", minutes_after=90)

    # Partial: CBC with part of the results.
    made = order(patients[11], panels=("CBC",), hours_ago=5)
    collect(made)
    result(made, cbc_normal[:4], status="P")

    # Corrected: a platelet count corrected by the lab after a clumped sample.
    made = order(patients[12 % len(patients)], panels=("CBC",), hours_ago=30)
    collect(made)
    result(
        made,
        [
            (c, "95" if c == "PLT" else v, "L" if c == "PLT" else "")
            for c, v, _f in cbc_normal
        ],
    )
    text = oru_message(
        order=made,
        results=[("PLT", "210", "", "C")],
        control_id=f"DEMO-{next(counter):04d}",
    )
    hl7_receive(text=text, source="demo lab interface")

    # In the pipeline: ordered (one STAT), collected, in the lab; one cancelled.
    order(patients[13 % len(patients)], panels=("CMP",), hours_ago=1)
    order(patients[14 % len(patients)], tests=("STREP",), priority="stat", hours_ago=0)
    made = order(patients[15 % len(patients)], panels=("THYROID",), hours_ago=3)
    collect(made, send=False)
    made = order(
        patients[16 % len(patients)], panels=("UA",), tests=("UCX",), hours_ago=4
    )
    collect(made)
    made = order(patients[17 % len(patients)], panels=("LIPID",), hours_ago=48)
    services.order_cancel(order=made, reason="Patient was not fasting", actor=clinician)

    # One message the lab sent for an order we do not know: it waits in the error list.
    stray = order(patients[18 % len(patients)], tests=("TSH",), hours_ago=6)
    text = oru_message(
        order=stray,
        results=[("TSH", "3.1", "", "F")],
        control_id="DEMO-UNMATCHED",
        accession="A0000009999",
    )
    hl7_receive(text=text, source="demo lab interface")
    stdout.write(
        f"Diagnostics: {DiagnosticOrder.objects.count()} orders, "
        "1 HL7 message in the error list."
    )
