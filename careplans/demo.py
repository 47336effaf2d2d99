"""Demo data of the care plans (``seed_demo``): thirty patients with problems, home
medications (some never reviewed with the patient, one review still open, one
drug stopped after a reaction) and plans in every state: up to date, due,
overdue, review due, goal missed, on hold, completed."""

from datetime import timedelta

from django.utils import timezone

from careplans import services
from careplans.models import CarePlan, Problem
from careplans.starters import BY_SLUG
from clinic.clock import today
from clinic.management.commands.seed_demo import demo_users
from diagnostics import services as diagnostics
from diagnostics.models import TestDefinition
from medications import services as medications
from medications.models import Medication
from registration.models import Patient

PATIENTS = 30
PROBLEMS = [
    # code, words, starter
    ("E11.9", "Type 2 diabetes mellitus without complications", "diabetes"),
    ("I10", "Essential (primary) hypertension", "hypertension"),
    ("E78.5", "Hyperlipidemia, unspecified", "hyperlipidaemia"),
    ("E03.9", "Hypothyroidism, unspecified", "hypothyroidism"),
]
HOME_TYPED = [
    ("Metformin", "metformin", "500 mg", "twice a day", "Not on the formulary"),
    ("Lisinopril", "lisinopril", "10 mg", "once a day", "Not on the formulary"),
    ("Atorvastatin", "atorvastatin", "20 mg", "at night", "Not on the formulary"),
    ("Levothyroxine", "levothyroxine", "75 mcg", "before breakfast", "Not stocked"),
]
# Days since the plan started: on track, due soon, overdue, review due (the
# review comes 182 or 365 days after the start).
STARTS = [20, 80, 120, 178, 200, 40]
A1C_SERIES = ["8.6", "8.1", "7.6", "7.2", "6.9"]


def _restamp(obj, **times) -> None:
    for field, value in times.items():
        setattr(obj, field, value)
    obj._change_reason = "demo timeline"
    obj.save()


def _a1c_trend(patient, clinician, nurse, start_day, rng) -> None:
    test = TestDefinition.objects.get(code="A1C")
    now = timezone.now()
    for index, value in enumerate(A1C_SERIES[: rng.randint(2, 5)]):
        when = now - timedelta(days=max(start_day - index * 40, 1))
        order = diagnostics.order_create(
            patient=patient,
            panels=[],
            tests=[test],
            priority="routine",
            reason_code="E11.9",
            reason_text="Diabetes follow-up",
            actor=clinician,
            ordered_at=when,
        )
        diagnostics.results_enter(order=order, values={test: value}, actor=nurse)
        for observation in order.observations.all():
            _restamp(observation, resulted_at=when + timedelta(hours=3))


def seed_careplans(*, faker, rng, options, stdout) -> None:
    if Problem.objects.exists():
        return
    clinician, nurse = demo_users("clinician", "nurse")
    patients = list(Patient.objects.filter(restriction="").order_by("mrn")[:PATIENTS])
    formulary = list(Medication.objects.filter(form="tablet"))
    for index, patient in enumerate(patients):
        code, words, slug = PROBLEMS[index % len(PROBLEMS)]
        # Put on the list at the patient's latest visit, when there was one.
        visit = patient.appointments.filter(arrived_at__isnull=False)
        problem = services.problem_add(
            patient=patient,
            code=code,
            description=words,
            onset_date=today() - timedelta(days=rng.randint(200, 3000)),
            appointment=visit.order_by("-start").first(),
            actor=clinician,
        )
        start_day = STARTS[index % len(STARTS)]
        plan = services.plan_from_starter(
            problem=problem,
            starter=BY_SLUG[slug],
            responsible=clinician,
            actor=clinician,
            start_date=today() - timedelta(days=start_day),
        )
        if index % 10 == 7:
            services.plan_review(
                plan=plan,
                actor=clinician,
                review_date=plan.review_date,
                status=CarePlan.Status.ON_HOLD,
            )
        elif index % 10 == 9:
            services.plan_review(
                plan=plan,
                actor=clinician,
                review_date=today(),
                status=CarePlan.Status.COMPLETED,
            )
            services.problem_resolve(problem=problem, actor=clinician)
        if slug == "diabetes" and index < 20:
            _a1c_trend(patient, clinician, nurse, start_day, rng)
        name, ingredient, dose, frequency, reason = HOME_TYPED[index % len(HOME_TYPED)]
        medications.home_medication_add(
            patient=patient,
            drug=medications.HomeDrug(
                name=name,
                typed_reason=reason,
                ingredients=(ingredient,),
                dose=dose,
                frequency=frequency,
                prescriber_outside=faker.name(),
                started_on=problem.onset_date,
            ),
            actor=nurse,
        )
        if formulary and index % 3 == 0:
            medications.home_medication_add(
                patient=patient,
                drug=medications.HomeDrug(
                    medication=rng.choice(formulary), dose="1 tablet", frequency="PRN"
                ),
                actor=nurse,
            )
        if index % 3 == 2:
            continue  # never reviewed with the patient
        review = medications.reconciliation_start(patient=patient, actor=nurse)
        if index == 1:
            continue  # a review still open
        for home in patient.home_medications.all():
            # One ACE-inhibitor cough: the drug stops and counts as an allergy.
            coughed = index == 9 and home.name == "Lisinopril"
            medications.reconciliation_decide(
                reconciliation=review,
                home_medication=home,
                decision="stopped" if coughed else "kept",
                reaction="dry cough" if coughed else "",
                actor=nurse,
            )
        review = medications.reconciliation_complete(reconciliation=review, actor=nurse)
        _restamp(review, completed_at=timezone.now() - timedelta(days=start_day // 2))
    stdout.write(f"care plans: {len(patients)} patients with problems and plans")
