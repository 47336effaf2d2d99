"""The header box's patient search: MRN, phone, date of birth, name fragments."""

from dataclasses import dataclass, field
from functools import cache

from django.db import connection
from django.db.models import Q
from rapidfuzz import fuzz

from registration.models import Patient
from registration.search import SEARCH_TEXT, ParsedQuery, parse_query
from registration.selectors.patients import patient_mrn_q

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


def patient_search(
    *, query: str, limit: int = SEARCH_LIMIT, offset: int = 0
) -> SearchResults:
    """Patients matching the header box: MRN, phone, date of birth, name fragments.

    At most two queries, whatever the data. A name search ranks up to
    SEARCH_CANDIDATE_CAP + 1 matching rows in SQL (word similarity, then name and
    id) and returns the page's patients with the capped count: first from the rows
    whose family and given names start with the first two fragments (a b-tree
    range, cheap however common the name), and when those do not fill the cap,
    from every row containing the fragments (the trigram GIN index). MRN, phone
    and date of birth are exact (b-tree indexes), listed by name. ``offset`` pages
    through the ranked matches (up to the cap).
    """
    parsed = parse_query(query)
    results = SearchResults(parsed=parsed)
    if parsed.is_empty:
        return results
    if parsed.names and _is_postgresql():
        # A common name fills the cap from the name-prefix index alone; otherwise
        # every row containing the fragments is looked up.
        found = _ranked_by_name(parsed, limit, offset, by_prefix=True)
        if not found or found[0].matched <= SEARCH_CANDIDATE_CAP:
            found = _ranked_by_name(parsed, limit, offset, by_prefix=False)
        results.patients = found
        results.matched = found[0].matched if found else 0
        return results
    rows = _filtered(parsed).only(*LIST_COLUMNS)
    if not parsed.names:
        found = list(
            rows.order_by("family_name", "given_name", "id")[: SEARCH_CANDIDATE_CAP + 1]
        )
        results.matched = len(found)
        results.patients = found[offset : offset + limit]
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
    results.patients = ranked[offset : offset + limit]
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


def _ranked_by_name(parsed: ParsedQuery, limit: int, offset: int, *, by_prefix: bool):
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
    params += [limit, offset]
    sql = (
        f"SELECT c.*, COUNT(*) OVER () AS matched FROM ("
        f"SELECT {columns}, word_similarity(%s, {text}) AS rank FROM {table} "
        f"WHERE {' AND '.join(conditions)} LIMIT {SEARCH_CANDIDATE_CAP + 1}"
        f") c ORDER BY rank DESC, family_name, given_name, id LIMIT %s OFFSET %s"
    )
    return list(Patient.objects.raw(sql, params))
