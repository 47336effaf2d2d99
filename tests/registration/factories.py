from datetime import timedelta

import factory
from django.utils import timezone

from alerts.services import number_consent_record
from registration.breakglass import GRANT_DURATION
from registration.models import (
    Allergy,
    BreakGlassGrant,
    Coverage,
    EligibilityCheck,
    Patient,
    PatientContact,
    Payer,
)
from registration.mrn import mrn_from_number


def number_texting(number, allowed: bool = True):
    """Record a number's consent as the front desk would (tests' shortcut)."""
    return number_consent_record(
        number=number, allowed=allowed, source="front_desk", how="test"
    )


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient
        skip_postgeneration_save = True

    # Test MRNs sit far above the sequence the app draws from, so they never clash.
    mrn = factory.Sequence(lambda n: mrn_from_number(9_000_000 + n))
    given_name = factory.Faker("first_name")
    family_name = factory.Faker("last_name")
    birth_date = factory.Faker("date_of_birth", minimum_age=1, maximum_age=95)

    @factory.post_generation
    def texting(patient, create, extracted, **kwargs):
        """A patient made agreeing to texts has their number opted in, as the
        registration form does (the outbox asks the number)."""
        if create and patient.sms_consent and patient.phone_mobile:
            number_texting(patient.phone_mobile)


class PayerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Payer
        django_get_or_create = ["payer_id"]

    name = factory.Sequence(lambda n: f"Test Payer {n}")
    payer_id = factory.Sequence(lambda n: f"TP{n:04d}")


class CoverageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Coverage

    patient = factory.SubFactory(PatientFactory)
    payer = factory.SubFactory(PayerFactory)
    member_id = factory.Sequence(lambda n: f"MEM{n:07d}")


class AllergyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Allergy

    patient = factory.SubFactory(PatientFactory)
    substance = "Penicillin"
    reaction = "Hives"


class EligibilityCheckFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EligibilityCheck

    coverage = factory.SubFactory(CoverageFactory)
    patient = factory.LazyAttribute(lambda check: check.coverage.patient)
    backend = "simulated"


def card_image(kind: str = "PNG", size: tuple[int, int] = (60, 38)) -> bytes:
    """A real (small) picture of a card, as a scanner or phone would send it."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", size, (240, 244, 250))
    ImageDraw.Draw(image).rectangle(
        (4, 4, size[0] // 2, size[1] // 3), fill=(0, 80, 160)
    )
    buffer = io.BytesIO()
    image.save(buffer, kind)
    return buffer.getvalue()


MARKER = "Qwzxvyk"  # a family name no page holds by chance


def break_glass_grant(user, patient, *, minutes_ago=0, reason="direct_care"):
    """A live (or, with ``minutes_ago``, older) break-glass grant."""
    start = timezone.now() - timedelta(minutes=minutes_ago)
    return BreakGlassGrant.objects.create(
        user=user,
        patient=patient,
        reason=reason,
        reason_text="on the ward",
        granted_at=start,
        expires_at=start + GRANT_DURATION,
    )


class PatientContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PatientContact

    patient = factory.SubFactory(PatientFactory)
    name = factory.Faker("name")
    relationship = PatientContact.Relationship.PARENT
    phone_mobile = factory.Sequence(lambda n: f"+1617555{n % 10000:04d}")
    consent_method = PatientContact.ConsentMethod.IN_PERSON
    receives_reminders = True
