"""Demo patients, payers, coverages and allergies (called by ``manage.py seed_demo``).

Rows are written in bulk with their history (``bulk_create_with_history``), so 2,000
patients take seconds. Everything comes from the given Faker and Random: the same
``--seed`` gives the same clinic. A handful of the patients are deliberate
near-duplicates of others (a typo, swapped names, a shared phone) for the duplicate
check and the merge page.
"""

from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from alerts.models import NumberConsent
from clinic.code_lists import us_states
from registration.models import Allergy, Coverage, Patient, PatientContact, Payer
from registration.mrn import mrn_allocate

PAYERS = [
    ("Acme Health Plans", "ACME01", Payer.FilingIndicator.COMMERCIAL),
    ("Blue Harbor BCBS", "BHBS02", Payer.FilingIndicator.BLUE_CROSS),
    ("Medicare Part B", "MCRB03", Payer.FilingIndicator.MEDICARE_B),
    ("State Medicaid", "MCAID4", Payer.FilingIndicator.MEDICAID),
    ("Evergreen HMO", "EVHMO5", Payer.FilingIndicator.HMO),
    ("Unreachable Mutual (demo outage)", "SIMDOWN", Payer.FilingIndicator.COMMERCIAL),
]

ALLERGENS = [
    ("Penicillin", "7980", "Hives"),
    ("Amoxicillin", "723", "Rash"),
    ("Sulfamethoxazole", "10180", "Rash"),
    ("Aspirin", "1191", "Wheezing"),
    ("Ibuprofen", "5640", "Stomach upset"),
    ("Codeine", "2670", "Nausea"),
    ("Latex", "", "Contact dermatitis"),
    ("Peanuts", "", "Anaphylaxis"),
    ("Iodinated contrast", "", "Hives"),
    ("Shellfish", "", "Swelling of the lips"),
]

LANGUAGES = ["en"] * 16 + ["es", "es", "zh", "vi", "ar"]
RELATIONSHIPS = ["Spouse", "Parent", "Child", "Sibling", "Friend"]
BATCH = 1000


def seed_payers() -> list[Payer]:
    payers = []
    for name, payer_id, indicator in PAYERS:
        payer, _created = Payer.objects.get_or_create(
            payer_id=payer_id,
            defaults={"name": name, "claim_filing_indicator": indicator},
        )
        payers.append(payer)
    return payers


def _phone(rng) -> str:
    # 555-01xx numbers are reserved for fiction in the North American plan.
    area = rng.choice(["202", "212", "312", "415", "617", "713"])
    return f"+1{area}55501{rng.randint(0, 99):02d}"


def _person(faker, rng, today) -> dict:
    sex = rng.choice(["F", "M"])
    given = faker.first_name_female() if sex == "F" else faker.first_name_male()
    birth = today - timedelta(days=rng.randint(365, 95 * 365))
    consent = rng.random() < 0.6
    return {
        "given_name": given,
        "middle_name": faker.first_name() if rng.random() < 0.3 else "",
        "family_name": faker.last_name(),
        "preferred_name": "",
        "birth_date": birth,
        "sex_at_birth": sex,
        "gender_identity": rng.choice(["", "woman" if sex == "F" else "man"]),
        "address_line1": faker.street_address(),
        "city": faker.city(),
        "state": rng.choice(sorted(us_states())),  # only codes X12 takes
        "postal_code": faker.postcode(),
        "phone_mobile": _phone(rng),
        "phone_home": _phone(rng) if rng.random() < 0.3 else "",
        "email": faker.email() if rng.random() < 0.7 else "",
        "preferred_language": rng.choice(LANGUAGES),
        "preferred_contact_method": "sms" if consent else "phone",
        "sms_consent": consent,
        "sms_consent_method": "written" if consent else "",
        "emergency_contact_name": faker.name(),
        "emergency_contact_relationship": rng.choice(RELATIONSHIPS),
        "emergency_contact_phone": _phone(rng),
        "allergy_review": rng.choice(["not_asked", "nka", "nka", "recorded"]),
    }


def _near_duplicate(original: dict, rng, kind: int) -> dict:
    twin = dict(original)
    if kind == 0:  # a typo in the given name
        name = twin["given_name"]
        position = rng.randrange(1, len(name)) if len(name) > 1 else 0
        twin["given_name"] = name[:position] + name[position:][1:] + name[position]
    elif kind == 1:  # given and family names swapped
        twin["given_name"], twin["family_name"] = (
            original["family_name"],
            original["given_name"],
        )
    else:  # same phone, another spelling of the family name
        twin["family_name"] = original["family_name"] + "e"
    twin["allergy_review"] = "not_asked"
    return twin


def seed_patients(*, faker, rng, options, stdout) -> None:
    wanted = options["patients"]
    payers = seed_payers()
    billable = [p for p in payers if p.payer_id != "SIMDOWN"]
    today = date(2026, 1, 1)  # fixed, so the same seed gives the same ages
    people = [_person(faker, rng, today) for _ in range(wanted)]
    duplicates = min(8, wanted // 100)
    for index in range(duplicates):
        slot = wanted - duplicates + index
        people[slot] = _near_duplicate(people[rng.randrange(0, slot)], rng, index % 3)
    # Coverage and allergy choices are drawn for every person, existing or not, so
    # a second run draws the same numbers as the first.
    plans = []
    for _person_data in people:
        draw = rng.random()
        plans.append(
            {
                "payer": rng.choice(payers if draw < 0.05 else billable),
                "member": f"{rng.randint(0, 10**9 - 1):09d}",
                "secondary": rng.random() < 0.12,
                "secondary_payer": rng.choice(billable),
                "covered": draw < 0.88,
                "allergies": rng.sample(ALLERGENS, k=rng.choice([1, 1, 2])),
                "severity": rng.choice(["mild", "moderate", "moderate", "severe"]),
            }
        )
    existing = Patient.objects.count()
    todo = list(range(existing, wanted))
    if not todo:
        return
    now = timezone.now()
    mrns = mrn_allocate(len(todo))
    patients = []
    for mrn, index in zip(mrns, todo, strict=True):
        data = people[index]
        patient = Patient(mrn=mrn, **data)
        if patient.sms_consent:
            patient.sms_consent_at = now
        if patient.allergy_review != "not_asked":
            patient.allergy_reviewed_at = now
        patients.append(patient)
    created = bulk_create_with_history(
        patients, Patient, batch_size=BATCH, default_change_reason="demo data"
    )
    coverages, allergies = [], []
    for patient, index in zip(created, todo, strict=True):
        plan = plans[index]
        if plan["covered"]:
            prefix = plan["payer"].payer_id[:3]
            coverages.append(
                Coverage(
                    patient=patient,
                    payer=plan["payer"],
                    plan_name="PPO" if index % 2 else "HMO Select",
                    member_id=f"{prefix}{plan['member']}",
                    group_number=f"G{index % 97:04d}",
                    effective_date=date(2025, 1, 1),
                )
            )
            if plan["secondary"]:
                coverages.append(
                    Coverage(
                        patient=patient,
                        payer=plan["secondary_payer"],
                        member_id=f"S{plan['member']}",
                        priority=Coverage.Priority.SECONDARY,
                        effective_date=date(2025, 1, 1),
                    )
                )
        if patient.allergy_review == "recorded":
            for substance, rxnorm, reaction in plan["allergies"]:
                allergies.append(
                    Allergy(
                        patient=patient,
                        substance=substance,
                        rxnorm_code=rxnorm,
                        reaction=reaction,
                        severity=(
                            "life" if substance == "Peanuts" else plan["severity"]
                        ),
                    )
                )
    bulk_create_with_history(
        coverages, Coverage, batch_size=BATCH, default_change_reason="demo data"
    )
    bulk_create_with_history(
        allergies, Allergy, batch_size=BATCH, default_change_reason="demo data"
    )
    stdout.write(
        f"Patients: {len(created)} new ({duplicates} near-duplicates), "
        f"{len(coverages)} coverages, {len(allergies)} allergies."
    )


# A family sharing the parent's phone, and an elderly patient's health-care proxy
# (issue #21). 555-01xx numbers are fictional.
FAMILY_PHONE = "+16175550190"
PROXY_PHONE = "+16175550191"
FAMILY = [
    ("Ana", "Alvarez", date(2016, 4, 12)),
    ("Ben", "Alvarez", date(2019, 9, 3)),
]
ELDER = ("Walter", "Kim", date(1936, 2, 20))


def _demo_row(model, lookup: dict, **fields):
    """The demo row ``lookup`` finds, made once (a second seed changes nothing)."""
    row = model.objects.filter(**lookup).first()
    if row is None:
        row = model(**lookup, **fields)
        row._change_reason = "demo data"
        row.save()
    return row


# Where the family and the proxy's patient live (a whole address: claims need it).
DEMO_ADDRESS = {
    "address_line1": "14 Harbor Street",
    "city": "Boston",
    "state": "MA",
    "postal_code": "02118",
}


def _demo_patient(given, family, born, **fields) -> Patient:
    lookup = {"given_name": given, "family_name": family, "birth_date": born}
    if not Patient.objects.filter(**lookup).exists():
        fields["mrn"] = mrn_allocate()[0]
    return _demo_row(Patient, lookup, **DEMO_ADDRESS, **fields)


def _demo_contact(patient, name, *, clerk, **fields) -> None:
    """A demo contact gets the reminders, may manage visits and hears of results,
    with the patient's written consent recorded by the front desk."""
    _demo_row(
        PatientContact,
        {"patient": patient, "name": name},
        receives_reminders=True,
        may_manage_visits=True,
        receives_results=True,
        consent_method=PatientContact.ConsentMethod.WRITTEN,
        consent_recorded_by=clerk,
        **fields,
    )


def seed_contacts(*, faker, rng, options, stdout) -> None:
    """The Alvarez children, texted on their mother's phone (one text for both
    on a day they both have visits), and Walter Kim's proxy, his daughter.
    Every consenting demo patient's number is opted in (the outbox asks it)."""
    clerk = get_user_model().objects.filter(username="frontdesk").first()
    for given, family, born in FAMILY:
        child = _demo_patient(
            given,
            family,
            born,
            phone_mobile=FAMILY_PHONE,
            preferred_language="es",
            sms_consent=True,
            sms_consent_method="written",
            sms_consent_at=timezone.now(),
        )
        _demo_contact(
            child,
            "Maria Alvarez",
            clerk=clerk,
            relationship=PatientContact.Relationship.PARENT,
            phone_mobile=FAMILY_PHONE,
            language="es",
            receives_billing=True,
        )
    elder = _demo_patient(*ELDER, preferred_language="en")
    _demo_contact(
        elder,
        "Grace Kim",
        clerk=clerk,
        relationship=PatientContact.Relationship.PROXY,
        phone_mobile=PROXY_PHONE,
        email="grace.kim@example.org",
        consent_until=timezone.localdate() + timedelta(days=365),
    )
    numbers = {FAMILY_PHONE, PROXY_PHONE} | {
        str(number)
        for number in Patient.objects.filter(sms_consent=True)
        .exclude(phone_mobile="")
        .values_list("phone_mobile", flat=True)
    }
    known = set(
        NumberConsent.objects.filter(number__in=numbers).values_list(
            "number", flat=True
        )
    )
    bulk_create_with_history(
        [
            NumberConsent(
                number=number, state="in", source="registration", how="demo data"
            )
            for number in sorted(numbers - known)
        ],
        NumberConsent,
        batch_size=BATCH,
        default_change_reason="demo data",
    )
    stdout.write(
        f"  contacts: the Alvarez family on {FAMILY_PHONE}, Walter Kim's proxy; "
        f"{len(numbers - known)} numbers opted in"
    )
