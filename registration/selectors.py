"""Reads of the registration app shared by pages, jobs and other apps."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from rapidfuzz import fuzz

from registration.models import Allergy, Coverage, EligibilityCheck, Patient
from registration.search import SEARCH_TEXT, ParsedQuery, parse_query

SEARCH_LIMIT = 25
# The search ranks at most this many matching rows; a broader query says
# "more than N" and asks for more letters rather than sorting half the clinic.
SEARCH_CANDIDATE_CAP = 200

# What the results list shows. Phone numbers are left out: phonenumber_field parses
# every number it loads, which costs more than the rest of the row together.
LIST_COLUMNS = (
    "id",
    "mrn",
    "given_name",
    "middle_name",
    "family_name",
    "preferred_name",
    "birth_date",
    "sex_at_birth",
    "status",
    "merged_into_id",
    "restriction",
)


def _is_postgresql() -> bool:
    return connection.vendor == "postgresql"


@dataclass
class SearchResults:
    parsed: ParsedQuery
    patients: list = field(default_factory=list)
    matched: int = 0  # rows that match, counted up to SEARCH_CANDIDATE_CAP + 1

    @property
    def capped(self) -> bool:
        return self.matched > SEARCH_CANDIDATE_CAP


def _filtered(parsed: ParsedQuery):
    rows = Patient.objects.all()
    if parsed.mrn:
        rows = rows.filter(patient_mrn_q(mrn=parsed.mrn))
    if parsed.phone:
        rows = rows.filter(Q(phone_mobile=parsed.phone) | Q(phone_home=parsed.phone))
    if parsed.birth_date:
        rows = rows.filter(birth_date=parsed.birth_date)
    if parsed.names:
        rows = rows.annotate(search_text=SEARCH_TEXT)
        for token in parsed.names:
            # Three letters or more: anywhere in a name (served by the trigram
            # index). Two letters: the start of a name, so the index still has
            # trigrams to look up ("  j", " jo").
            fragment = token if len(token) >= 3 else f" {token}"
            rows = rows.filter(search_text__contains=fragment)
    return rows


def patient_search(*, query: str, limit: int = SEARCH_LIMIT) -> SearchResults:
    """Patients matching the header box: MRN, phone, date of birth, name fragments.

    At most two queries, whatever the data. A name search ranks up to
    SEARCH_CANDIDATE_CAP + 1 matching rows in SQL (word similarity, then name and
    id) and returns the page's patients with the capped count: first from the rows
    whose family and given names start with the first two fragments (a b-tree
    range, cheap however common the name), and when those do not fill the cap,
    from every row containing the fragments (the trigram GIN index). MRN, phone
    and date of birth are exact (b-tree indexes), listed by name.
    """
    parsed = parse_query(query)
    results = SearchResults(parsed=parsed)
    if parsed.is_empty:
        return results
    if parsed.names and _is_postgresql():
        # A common name fills the cap from the name-prefix index alone; otherwise
        # every row containing the fragments is looked up.
        found = _ranked_by_name(parsed, limit, by_prefix=True)
        if not found or found[0].matched <= SEARCH_CANDIDATE_CAP:
            found = _ranked_by_name(parsed, limit, by_prefix=False)
        results.patients = found
        results.matched = found[0].matched if found else 0
        return results
    rows = _filtered(parsed).only(*LIST_COLUMNS)
    if not parsed.names:
        found = list(
            rows.order_by("family_name", "given_name", "id")[: SEARCH_CANDIDATE_CAP + 1]
        )
        results.matched = len(found)
        results.patients = found[:limit]
        return results
    # Elsewhere (SQLite): rank the capped candidates in Python with rapidfuzz.
    words = " ".join(parsed.names)
    ranked = []
    for patient in rows.order_by()[: SEARCH_CANDIDATE_CAP + 1]:
        name = " ".join(
            (patient.family_name, patient.given_name, patient.preferred_name)
        )
        patient.rank = fuzz.partial_token_sort_ratio(words, name.lower()) / 100
        ranked.append(patient)
    ranked.sort(key=lambda p: (-p.rank, p.family_name, p.given_name, p.pk))
    results.matched = len(ranked)
    results.patients = ranked[:limit]
    return results


@cache
def _search_text_sql() -> str:
    """SEARCH_TEXT as SQL text, exactly as the trigram index (migration 0004) has it.

    Compiled once per process from the ORM expression, so the two cannot drift; its
    only parameters are constant spaces and empty strings, written inline as literals
    (as psycopg's client-side binding sends them) for the planner to match the index.
    """
    query = Patient.objects.annotate(text=SEARCH_TEXT).query
    sql, params = query.get_compiler(connection=connection).compile(
        query.annotations["text"]
    )
    assert all(param in ("", " ") for param in params), params
    return sql % tuple(f"'{param}'" for param in params)


def _ranked_by_name(parsed: ParsedQuery, limit: int, *, by_prefix: bool):
    """The best ``limit`` patients for a name search, ranked in SQL (PostgreSQL).

    The inner query takes up to SEARCH_CANDIDATE_CAP + 1 rows that contain every
    fragment; the outer one ranks them by pg_trgm's word_similarity to the typed
    words, then by name, keeps ``limit`` and counts the candidates with a window:
    the page's rows and the capped count in one round trip. (Ranking every match
    instead of a capped set costs a heap fetch per match: 300 ms for "dav da",
    28,000 matches among 1,000,000 patients.)

    ``by_prefix``: only rows whose family name starts with the first fragment and
    given name with the second, through the b-tree of migration 0005 (the
    fragments are checked on the index entries, so a common name costs no more
    than a rare one). Otherwise every row containing the fragments, through the
    trigram GIN index of migration 0004, whose bitmap grows with the number of
    matches (25 ms for "dav da").
    """
    text = _search_text_sql()
    table = connection.ops.quote_name(Patient._meta.db_table)
    columns = ", ".join(
        connection.ops.quote_name(Patient._meta.get_field(name).column)
        for name in LIST_COLUMNS
    )
    params: list = [" ".join(parsed.names)]
    conditions = []
    # Three letters or more: anywhere in a name. Two letters: the start of a name
    # (so the trigram index still has trigrams to look up: "  j", " jo").
    fragments = [t if len(t) >= 3 else f" {t}" for t in parsed.names]
    if by_prefix:
        for column, token in zip(
            ("family_name", "given_name"), parsed.names, strict=False
        ):
            conditions.append(f'LOWER("{column}") LIKE %s')
            params.append(f"{connection.ops.prep_for_like_query(token)}%")
        # strpos: the same test as LIKE '%fragment%', which the planner would
        # otherwise serve with the trigram index as well.
        conditions += [f"strpos({text}, %s) > 0" for _ in fragments]
        params += fragments
    else:
        conditions += [f"{text} LIKE %s" for _ in fragments]
        params += [f"%{connection.ops.prep_for_like_query(f)}%" for f in fragments]
    if parsed.birth_date:
        conditions.append('"birth_date" = %s')
        params.append(parsed.birth_date)
    params.append(limit)
    sql = (
        f"SELECT c.*, COUNT(*) OVER () AS matched FROM ("
        f"SELECT {columns}, word_similarity(%s, {text}) AS rank FROM {table} "
        f"WHERE {' AND '.join(conditions)} LIMIT {SEARCH_CANDIDATE_CAP + 1}"
        f") c ORDER BY rank DESC, family_name, given_name, id LIMIT %s"
    )
    return list(Patient.objects.raw(sql, params))


# --- Duplicate detection -------------------------------------------------------------

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


# --- The chart -----------------------------------------------------------------------


def patient_for_chart(*, pk: int) -> Patient:
    return Patient.objects.select_related("merged_into", "sms_consent_recorded_by").get(
        pk=pk
    )


def mrn_normalise(text: str) -> str:
    """An MRN as typed or scanned: letters and digits only, upper case."""
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())


def patient_mrn_q(*, mrn: str, path: str = "mrn") -> Q:
    """Rows whose patient carries this MRN, for a list's search (``path`` is the
    lookup to the MRN, "patient__mrn"): the rule of ``patient_by_mrn``. Text
    with no letter or digit matches nothing."""
    code = mrn_normalise(mrn)
    return Q(**{path: code}) if code else Q(pk__in=[])


def patient_by_mrn(*, mrn: str) -> Patient | None:
    """The patient whose wristband or card carries this MRN, or None. Every MRN
    box and search asks this (or ``patient_mrn_q``).

    Typed or scanned text is normalised (spaces and dashes dropped, capitals) and
    compared exactly: a stored MRN is in that form (``validate_mrn``), so exact
    finds what a case-blind match would, through the unique index (``iexact``
    compares UPPER(mrn), which no index serves: a scan of every patient)."""
    if not mrn_normalise(mrn):
        return None
    return Patient.objects.filter(patient_mrn_q(mrn=mrn)).first()


@dataclass
class PatientBanner:
    """What every page about one patient shows at its top (DESIGN invariant 10):
    who this is, and what they react to."""

    patient: Patient
    allergies: list[Allergy]

    @property
    def severe(self) -> bool:
        return any(allergy.is_severe for allergy in self.allergies)

    @property
    def allergy_state(self) -> str:
        """``severe`` | ``allergies`` | ``nka`` | ``inactive`` | ``unknown``."""
        if self.allergies:
            return "severe" if self.severe else "allergies"
        review = self.patient.allergy_review
        if review == Patient.AllergyReview.NO_KNOWN:
            return "nka"
        if review == Patient.AllergyReview.RECORDED:
            return "inactive"
        return "unknown"

    @property
    def allergy_text(self) -> str:
        """The allergy summary in words, for printouts and texts."""
        if self.allergies:
            return "; ".join(
                allergy.substance
                + (f" ({allergy.reaction})" if allergy.reaction else "")
                + (
                    f" {allergy.get_severity_display().upper()}"
                    if allergy.is_severe
                    else ""
                )
                for allergy in self.allergies
            )
        return {
            "nka": _("No known allergies"),
            "inactive": _("No active allergies"),
            "unknown": _("Allergies not yet asked"),
        }[self.allergy_state]


def patient_banner(*, patient: Patient) -> PatientBanner:
    """The patient banner: the patient (already loaded) and their active
    allergies, severe ones first (one query)."""
    allergies = patient_active_allergies(patient=patient)
    allergies.sort(key=lambda allergy: not allergy.is_severe)
    return PatientBanner(patient=patient, allergies=allergies)


def patient_active_allergies(*, patient: Patient) -> list[Allergy]:
    return list(
        Allergy.objects.filter(
            patient=patient, status=Allergy.Status.ACTIVE
        ).select_related("recorded_by")[:100]
    )


# The order of benefits: priority, then the newest plan of that priority.
COVERAGE_ORDER = ("priority", "-effective_date", "-id")


def _in_force_on(on: date) -> Q:
    return (
        Q(is_active=True)
        & (Q(effective_date__isnull=True) | Q(effective_date__lte=on))
        & (Q(end_date__isnull=True) | Q(end_date__gte=on))
    )


def coverages_in_force(*, patient: Patient, on: date) -> list[Coverage]:
    """The patient's coverages that pay for a service on ``on``, in order of benefits.

    The one answer to "which plan is primary" (check-in, the nightly eligibility
    check, automations, claims): a plan switched off, not yet effective or ended on
    that day does not count, so the next in force is primary for that day.
    """
    return list(
        Coverage.objects.filter(_in_force_on(on), patient=patient)
        .select_related("payer")
        .order_by(*COVERAGE_ORDER)
    )


def coverage_primary(*, patient: Patient, on: date) -> Coverage | None:
    """The primary coverage on ``on`` (see ``coverages_in_force``); None: self-pay."""
    return (
        Coverage.objects.filter(_in_force_on(on), patient=patient)
        .select_related("payer")
        .order_by(*COVERAGE_ORDER)
        .first()
    )


def coverage_primary_ids(*, patient_ids, on: date) -> dict[int, int]:
    """Patient id → id of its primary coverage on ``on``, for many patients at once."""
    primary: dict[int, int] = {}
    rows = (
        Coverage.objects.filter(_in_force_on(on), patient_id__in=patient_ids)
        .order_by("patient_id", *COVERAGE_ORDER)
        .values_list("patient_id", "pk")
    )
    for patient_id, coverage_id in rows:
        primary.setdefault(patient_id, coverage_id)
    return primary


def patient_coverages(*, patient: Patient, limit: int = 20) -> list[Coverage]:
    """Current and past coverages, each with its latest eligibility check."""
    coverages = list(
        Coverage.objects.filter(patient=patient)
        .select_related("payer")
        .order_by("-is_active", "priority", "-effective_date", "-id")[:limit]
    )
    latest: dict[int, EligibilityCheck] = {}
    checks = EligibilityCheck.objects.filter(
        coverage__in=[c.pk for c in coverages]
    ).order_by("-requested_at", "-id")
    for check in checks[: limit * 5]:
        latest.setdefault(check.coverage_id, check)
    for coverage in coverages:
        coverage.latest_check = latest.get(coverage.pk)
    return coverages


@dataclass
class EligibilityStatus:
    level: str  # "ok", "warning" or "none"
    message: str
    check: EligibilityCheck | None = None
    coverage: Coverage | None = None


def eligibility_status_for_checkin(
    *, patient: Patient, now: datetime | None = None
) -> EligibilityStatus:
    """What the desk should know about insurance at check-in.

    A warning when the primary coverage was never checked, its latest check failed
    or found it inactive, or the latest answer is older than ELIGIBILITY_STALE_DAYS.
    """
    now = now or timezone.now()
    coverage = coverage_primary(patient=patient, on=timezone.localdate(now))
    if coverage is None:
        return EligibilityStatus("none", _("No current insurance on file (self-pay)."))
    check = (
        EligibilityCheck.objects.filter(coverage=coverage)
        .order_by("-requested_at", "-id")
        .first()
    )
    return eligibility_status_of(coverage=coverage, check=check, now=now)


def eligibility_status_of(
    *, coverage: Coverage, check: EligibilityCheck | None, now: datetime | None = None
) -> EligibilityStatus:
    now = now or timezone.now()
    stale = timedelta(days=settings.ELIGIBILITY_STALE_DAYS)
    if check is None:
        return EligibilityStatus(
            "warning", _("Insurance not verified yet."), None, coverage
        )
    if check.result == EligibilityCheck.Result.PENDING:
        return EligibilityStatus(
            "warning", _("Verification in progress."), check, coverage
        )
    if check.result == EligibilityCheck.Result.ERROR:
        return EligibilityStatus(
            "warning",
            _("The last verification failed: %(msg)s") % {"msg": check.message},
            check,
            coverage,
        )
    if check.result == EligibilityCheck.Result.INACTIVE:
        return EligibilityStatus(
            "warning", _("The payer reports this coverage inactive."), check, coverage
        )
    when = check.completed_at or check.requested_at
    if now - when > stale:
        return EligibilityStatus(
            "warning",
            _("Last verified %(days)d days ago: verify again.")
            % {"days": (now - when).days},
            check,
            coverage,
        )
    return EligibilityStatus("ok", _("Coverage active."), check, coverage)
