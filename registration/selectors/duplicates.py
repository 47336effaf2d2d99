"""Existing patients who may be the person being registered."""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q
from django.utils.translation import gettext as _
from rapidfuzz import fuzz

from registration.models import Coverage, Patient
from registration.search import SEARCH_TEXT
from registration.selectors.patient_search import _is_postgresql

NAME_SIMILARITY_THRESHOLD = 0.35
DUPLICATE_LIMIT = 10


@dataclass
class DuplicateMatch:
    patient: Patient
    score: float
    reasons: list[str] = field(default_factory=list)


def _name_similarity_rows(*, given: str, family: str, birth_date: date):
    """Patients born that day with their name's similarity to the given one (0..1).

    Trigram similarity on PostgreSQL; rapidfuzz elsewhere. Both ignore word order,
    so swapped given and family names still match.
    """
    wanted = f"{given} {family}".lower().strip()
    same_day = Patient.objects.filter(birth_date=birth_date).exclude(
        status=Patient.Status.MERGED
    )
    if _is_postgresql():
        # PostgreSQL only: elsewhere rapidfuzz below does the comparing.
        from django.contrib.postgres.search import TrigramSimilarity

        rows = same_day.annotate(similarity=TrigramSimilarity(SEARCH_TEXT, wanted))
        return [(p, float(p.similarity)) for p in rows[:200]]
    found = []
    for patient in same_day[:200]:
        name = f"{patient.given_name} {patient.family_name}".lower()
        found.append((patient, fuzz.token_sort_ratio(wanted, name) / 100))
    return found


def patient_possible_duplicates(
    *,
    given_name: str,
    family_name: str,
    birth_date: date | None,
    phones: list[str] = (),
    member_id: str = "",
    exclude_pk: int | None = None,
    limit: int = DUPLICATE_LIMIT,
) -> list[DuplicateMatch]:
    """Existing patients who may be this person, most likely first, with why."""
    matches: dict[int, DuplicateMatch] = {}

    def add(patient, score, reason):
        if exclude_pk is not None and patient.pk == exclude_pk:
            return
        match = matches.setdefault(patient.pk, DuplicateMatch(patient, 0.0))
        match.score += score
        match.reasons.append(reason)

    if birth_date and (given_name or family_name):
        for patient, similarity in _name_similarity_rows(
            given=given_name, family=family_name, birth_date=birth_date
        ):
            if similarity >= NAME_SIMILARITY_THRESHOLD:
                add(
                    patient,
                    0.5 + 0.5 * similarity,
                    _("Same date of birth, similar name (%(pct)d%% alike)")
                    % {"pct": round(similarity * 100)},
                )
    phones = [str(phone) for phone in phones if phone]
    if phones:
        same_phone = Patient.objects.filter(
            Q(phone_mobile__in=phones) | Q(phone_home__in=phones)
        ).exclude(status=Patient.Status.MERGED)
        for patient in same_phone[:50]:
            add(patient, 0.4, _("Same phone number"))
    if member_id:
        same_member = Coverage.objects.filter(
            member_id=member_id.strip().upper()
        ).select_related("patient", "payer")
        for coverage in same_member[:50]:
            if coverage.patient.status == Patient.Status.MERGED:
                continue
            add(
                coverage.patient,
                0.6,
                _("Same member ID at %(payer)s") % {"payer": coverage.payer.name},
            )
    ranked = sorted(
        matches.values(),
        key=lambda m: (-m.score, m.patient.family_name, m.patient.pk),
    )
    return ranked[:limit]
