"""Demo patients (the registration issue extends them)."""

from datetime import date

from registration.models import Patient


def seed_patients(*, faker, rng, options, stdout) -> None:
    wanted = options["patients"]
    existing = Patient.objects.count()
    for number in range(1, wanted + 1):
        given, family = faker.first_name(), faker.last_name()
        birth = faker.date_between(
            start_date=date(1935, 1, 1), end_date=date(2020, 12, 31)
        )
        if number <= existing:
            continue  # keep the Faker sequence identical on a second run
        Patient.objects.create(
            mrn=f"D{number:06d}", given_name=given, family_name=family, birth_date=birth
        )
