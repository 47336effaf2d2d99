"""Writes of the clinic package: staff accounts and the access log."""

import logging
from collections.abc import Iterable

from axes.utils import reset as axes_reset
from django.contrib.auth import SESSION_KEY, get_user_model, password_validation
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from clinic.batches import batched
from clinic.exceptions import ApplicationError
from clinic.models import AccessLog, StaffProfile
from clinic.permissions import ADMINISTRATOR, ROLES
from clinic.requests import client_ip, user_agent

logger = logging.getLogger(__name__)
User = get_user_model()

# Any constant works; it only has to be the same for every writer of the log.
ACCESS_LOG_LOCK_KEY = 0x434C4F47  # "CLOG"
GENESIS_HASH = "0" * 64

CANNOT_DEACTIVATE_SELF = _("You cannot deactivate your own account.")
ALREADY_INACTIVE = _("This account is already deactivated.")
ALREADY_ACTIVE = _("This account is already active.")
REASON_REQUIRED = _("Give a reason; it is kept in the account's history.")


# --- PHI access log ------------------------------------------------------------------


def access_log_record(**arguments) -> AccessLog:
    """Every look at a patient's data leaves one row, chained to the row before it
    (arguments as ``access_log_entry``)."""
    entry = access_log_entry(**arguments)
    access_log_append([entry])
    return entry


def access_log_entry(
    *,
    user,
    action: str,
    patient=None,
    obj=None,
    what: str = "",
    request: HttpRequest | None = None,
    username: str = "",
    patient_id: int | None = None,
) -> AccessLog:
    """An unsaved row of the access log, for ``access_log_record`` (one row) or
    ``access_log_append`` (many). ``username`` names a reader that is not a staff
    user (a FHIR client: ``user=None, username="fhir-client:<name>"``);
    ``patient_id`` instead of ``patient`` spares loading the patient."""
    return AccessLog(
        user=user if user is not None and user.is_authenticated else None,
        username=user.get_username() if user is not None else username,
        **(
            {"patient_id": patient_id}
            if patient_id is not None
            else {"patient": patient}
        ),
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        what=what[:200],
        ip_address=(client_ip(request) or None) if request is not None else None,
        user_agent=user_agent(request) if request is not None else "",
    )


def _access_log_last_hash() -> str:
    """The chain's end, read under the writers' lock (taken here, held until the
    transaction ends)."""
    if connection.vendor == "postgresql":
        # Serialise writers so that each row chains to the one truly before it.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ACCESS_LOG_LOCK_KEY])
    last = AccessLog.objects.order_by("-id").values_list("row_hash", flat=True).first()
    return last or GENESIS_HASH


def access_log_append(entries: list[AccessLog]) -> None:
    """Chain and insert unsaved rows in one transaction under one lock (a FHIR
    Bundle's patients: one lock for the lot, not one per row)."""
    if not entries:
        return
    with transaction.atomic():
        last = _access_log_last_hash()
        for entry in entries:
            entry.prev_hash = last
            entry.created_at = timezone.now()
            entry.row_hash = entry.compute_hash()
            last = entry.row_hash
        if len(entries) == 1:
            entries[0].save(force_insert=True)
        else:
            AccessLog.objects.bulk_create(entries)


# The columns a bulk append writes, in COPY's order: the entry's own, then the
# three that change from row to row.
COPIED_COLUMNS = (
    "created_at",
    "user_id",
    "username",
    "action",
    "object_type",
    "object_id",
    "what",
    "ip_address",
    "user_agent",
    "patient_id",
    "prev_hash",
    "row_hash",
)
# Stands for the patient's id in a row's hashed text (no stored text holds NUL).
_PATIENT_MARK = "\x00patient\x00"


def _chained_rows(entry: AccessLog, patient_ids, last: str) -> list[tuple]:
    """COPY rows of ``entry`` for each patient, chained from ``last``. The hashed
    text is the model's own (``content_for_hash``), cut around the two values
    that change (the previous hash first, the patient's id), so each row costs
    one HMAC and no model instance."""
    entry.created_at = timezone.now()  # the batch's rows are written at once
    entry.prev_hash, entry.patient_id = "", _PATIENT_MARK
    head, tail = entry.content_for_hash().split(_PATIENT_MARK)
    entry.patient_id = None
    fixed = tuple(getattr(entry, name) for name in COPIED_COLUMNS[:-3])
    keyed = AccessLog.keyed_hmac()
    rows = []
    for patient_id in patient_ids:
        mac = keyed.copy()
        mac.update(f"{last}{head}{patient_id}{tail}".encode())
        row_hash = mac.hexdigest()
        rows.append((*fixed, patient_id, last, row_hash))
        last = row_hash
    return rows


def access_log_append_patients(
    entry: AccessLog, patient_ids: Iterable[int], *, batch: int = 10_000
) -> int:
    """``entry`` (unsaved, from ``access_log_entry``) once for each patient of
    ``patient_ids``, chained like any row: a bulk export's million patients.
    Written with COPY, ``batch`` rows per transaction, so the writers' lock is
    never held for long (a page's row waits at most one batch). Returns the count.
    """
    written = 0
    for ids in batched(patient_ids, batch):
        with transaction.atomic():
            _access_log_copy(_chained_rows(entry, ids, _access_log_last_hash()))
        written += len(ids)
    return written


def _access_log_copy(rows: list[tuple]) -> None:
    if connection.vendor != "postgresql":
        AccessLog.objects.bulk_create(
            [AccessLog(**dict(zip(COPIED_COLUMNS, row, strict=True))) for row in rows]
        )
        return
    table = connection.ops.quote_name(AccessLog._meta.db_table)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(
            f"COPY {table} ({', '.join(COPIED_COLUMNS)}) FROM STDIN"
        ) as copy,
    ):
        for row in rows:
            copy.write_row(row)


def access_log_request(
    request: HttpRequest,
    *,
    what: str,
    patient=None,
    obj=None,
    action: str = AccessLog.Action.VIEW,
) -> AccessLog:
    """``access_log_record`` for what a request showed (or printed, exported):
    the user and where they were come from the request."""
    seen = {"patient": patient, "obj": obj, "what": what}
    return access_log_record(user=request.user, action=action, request=request, **seen)


def access_log_first_broken(
    *, start_id: int | None = None, end_id: int | None = None
) -> AccessLog | None:
    """The first row whose hash or link to its predecessor does not hold, or None."""
    rows = AccessLog.objects.order_by("id")
    if end_id is not None:
        rows = rows.filter(id__lte=end_id)
    expected_prev = GENESIS_HASH
    if start_id is not None:
        rows = rows.filter(id__gte=start_id)
        before = (
            AccessLog.objects.filter(id__lt=start_id)
            .order_by("-id")
            .values_list("row_hash", flat=True)
            .first()
        )
        expected_prev = before or GENESIS_HASH
    for row in rows.iterator(chunk_size=2000):
        if row.prev_hash != expected_prev or row.compute_hash() != row.row_hash:
            return row
        expected_prev = row.row_hash
    return None


# --- Staff accounts ------------------------------------------------------------------


def _set_role(*, user, role: str) -> None:
    if role not in ROLES:
        raise ValidationError({"role": _("Choose one of the clinic's roles.")})
    user.groups.set([Group.objects.get(name=role)])
    user.is_staff = role == ADMINISTRATOR  # Django admin and job dashboard


def staff_create(
    *,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    role: str,
    default_location=None,
    password: str,
    actor,
) -> User:
    """A new staff account has one role; its user chooses a password at first log-in."""
    user = User(
        username=username, first_name=first_name, last_name=last_name, email=email
    )
    user.full_clean(exclude=["password"])
    password_validation.validate_password(password, user)
    with transaction.atomic():
        user.set_password(password)
        user._change_reason = f"created by {actor.get_username()}"
        user.save()
        _set_role(user=user, role=role)
        user.save()
        StaffProfile.objects.create(
            user=user,
            role=role,
            default_location=default_location,
            must_change_password=True,
        )
    return user


def staff_update(
    *,
    user,
    first_name: str,
    last_name: str,
    email: str,
    role: str,
    default_location,
    actor,
) -> User:
    """Name, e-mail, role and default location change together, with history."""
    user.first_name, user.last_name, user.email = first_name, last_name, email
    user.full_clean(exclude=["password"])
    with transaction.atomic():
        profile, _created = StaffProfile.objects.get_or_create(user=user)
        role_changed = profile.role != role
        _set_role(user=user, role=role)
        user._change_reason = f"updated by {actor.get_username()}"
        user.save()
        profile.role = role
        profile.default_location = default_location
        if role_changed:
            profile._change_reason = f"role set to {role} by {actor.get_username()}"
        profile.save()
    return user


def staff_deactivate(*, user, reason: str, actor) -> User:
    """A deactivated account cannot log in, and every session it has ends at once."""
    if not reason.strip():
        raise ValidationError({"reason": REASON_REQUIRED})
    if user.pk == actor.pk:
        raise ApplicationError(CANNOT_DEACTIVATE_SELF)
    if not user.is_active:
        raise ApplicationError(ALREADY_INACTIVE)
    with transaction.atomic():
        user.is_active = False
        user._change_reason = f"deactivated: {reason.strip()}"
        user.save(update_fields=["is_active"])
        user_sessions_end(user=user)
    return user


def staff_reactivate(*, user, reason: str, actor) -> User:
    if not reason.strip():
        raise ValidationError({"reason": REASON_REQUIRED})
    if user.is_active:
        raise ApplicationError(ALREADY_ACTIVE)
    with transaction.atomic():
        user.is_active = True
        user._change_reason = f"reactivated: {reason.strip()}"
        user.save(update_fields=["is_active"])
    return user


def staff_password_reset(*, user, new_password: str, actor) -> User:
    """An administrator sets a temporary password; the user replaces it at log-in."""
    password_validation.validate_password(new_password, user)
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        profile, _created = StaffProfile.objects.get_or_create(user=user)
        profile.must_change_password = True
        profile._change_reason = f"password reset by {actor.get_username()}"
        profile.save()
        user_sessions_end(user=user)
    axes_reset(username=user.get_username())
    return user


def staff_password_changed(*, user) -> None:
    """The user chose their own password: the forced-change flag is cleared."""
    profile, _created = StaffProfile.objects.get_or_create(user=user)
    if profile.must_change_password:
        profile.must_change_password = False
        profile._change_reason = "password changed by the user"
        profile.save()


def staff_unlock(*, username: str, actor) -> int:
    """Lift a log-in lock-out for a user name (from every address)."""
    logger.info("%s unlocked log-in for %s", actor.get_username(), username)
    return axes_reset(username=username)


def user_sessions_end(*, user) -> int:
    """Delete every live session that belongs to ``user``; returns how many."""
    ended = 0
    live = Session.objects.filter(expire_date__gt=timezone.now())
    for session in live.iterator():
        if session.get_decoded().get(SESSION_KEY) == str(user.pk):
            session.delete()
            ended += 1
    return ended
