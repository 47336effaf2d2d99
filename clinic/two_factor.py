"""Two-factor log-in: an authenticator app (TOTP, django-otp) plus one-time
recovery codes, the "trust this device" cookie, and which roles must enrol.

Reads and writes live together here because they share one small subject; the
pages are in ``clinic.views.two_factor`` and the gates in ``clinic.middleware``.

Devices are saved by django-otp at every verification (counters, last code's time
step); those saves write no history row, as a log-in's time does not. Enrolment and
reset do, with who and why.
"""

import re
from base64 import b32encode
from dataclasses import dataclass
from datetime import datetime

import segno
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.exceptions import ApplicationError
from clinic.permissions import role_of
from clinic.services import user_sessions_end

User = get_user_model()

WRONG_CODE = _(
    "That code is not right, or it was already used. Type the code your "
    "authenticator app shows now, or one of your recovery codes."
)
WRONG_ENROLMENT_CODE = _(
    "That code does not match. Check that the app's clock is right and type the "
    "6-digit code it shows now."
)
SLOW_DOWN = _(
    "Too many wrong codes for this account. Wait until %(time)s, then type the code "
    "your app shows then."
)
ALREADY_ENROLLED = _("Two-factor log-in is already set up for this account.")
NOTHING_TO_RESET = _("This account has no two-factor device to reset.")
REASON_REQUIRED = _("Give a reason; it is kept in the account's history.")

TRUSTED_COOKIE = "clinicops_trusted_device"
_TRUSTED_SALT = "clinic.two_factor.trusted_device"
_TOTP_CODE = re.compile(r"\d{6}")


# --- Reads -----------------------------------------------------------------------


def two_factor_required(user) -> bool:
    """Whether the user's role must use two-factor log-in (``OTP_REQUIRED_ROLES``)."""
    return role_of(user) in settings.OTP_REQUIRED_ROLES


def totp_device_of(user) -> TOTPDevice | None:
    """The user's enrolled authenticator app, or None."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def secret_for_display(device: TOTPDevice) -> str:
    """The secret as an authenticator app takes it typed in: base32, in fours."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_data_uri(device: TOTPDevice) -> str:
    """The ``otpauth://`` address as a QR code, an SVG ``data:`` URI (no request to
    any outside service, allowed by the content security policy)."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


# --- Enrolment -------------------------------------------------------------------


def enrolment_start(*, user) -> TOTPDevice:
    """An unconfirmed authenticator for the user to scan; the same one until it is
    confirmed, so reloading the page does not change the secret being scanned."""
    if totp_device_of(user) is not None:
        raise ApplicationError(ALREADY_ENROLLED)
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice(user=user, name="Authenticator app", confirmed=False)
        device._change_reason = "two-factor enrolment started"
        device.save()
    return device


def _new_recovery_codes(*, user) -> list[str]:
    """Replace the user's recovery codes with new ones; returns them (shown once)."""
    for old in StaticDevice.objects.filter(user=user):
        old._change_reason = "recovery codes replaced"
        old.delete()
    device = StaticDevice(user=user, name="Recovery codes", confirmed=True)
    device._change_reason = "recovery codes made"
    device.save()
    codes = []
    for _number in range(settings.OTP_RECOVERY_CODES):
        code = StaticToken.random_token()
        StaticToken.objects.create(device=device, token=code)
        codes.append(code)
    return codes


def enrolment_confirm(*, user, code: str) -> tuple[TOTPDevice, list[str]]:
    """An authenticator is enrolled once the user types a code it shows; the
    recovery codes are made then and shown once."""
    if totp_device_of(user) is not None:
        raise ApplicationError(ALREADY_ENROLLED)
    code = _normalise(code)
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=user, confirmed=False)
            .first()
        )
        if device is None or not _TOTP_CODE.fullmatch(code):
            raise ValidationError({"code": WRONG_ENROLMENT_CODE})
        device.skip_history_when_saving = True
        verified = device.verify_token(code)
        del device.skip_history_when_saving
        if not verified:
            raise ValidationError({"code": WRONG_ENROLMENT_CODE})
        device.confirmed = True
        device._change_reason = "two-factor enrolled"
        device.save()
        codes = _new_recovery_codes(user=user)
        _account_history(user=user, reason="two-factor log-in set up")
    return device, codes


def recovery_codes_renew(*, user) -> list[str]:
    """New recovery codes replace all the old ones (used or not)."""
    if totp_device_of(user) is None:
        raise ApplicationError(NOTHING_TO_RESET)
    with transaction.atomic():
        return _new_recovery_codes(user=user)


# --- The second step of log-in ----------------------------------------------------


def _normalise(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").lower()


def second_step_needed(user) -> bool:
    """A user with an enrolled authenticator always gives a second factor."""
    return totp_device_of(user) is not None


@dataclass(frozen=True)
class SecondStep:
    """The device that accepted a code, or None; and, when earlier wrong codes
    paused checking (django-otp doubles the wait after each, whatever the
    address), until when."""

    device: Device | None
    paused_until: datetime | None = None


def second_step_verify(*, user, code: str) -> SecondStep:
    """Check a current authenticator code, or an unused recovery code (which is
    used up).

    A code is accepted once: django-otp keeps the last accepted time step and takes
    only later ones. The device row is locked while it is checked, so two requests
    with the same code cannot both pass.
    """
    code = _normalise(code)
    if not code:
        return SecondStep(None)
    model = TOTPDevice if _TOTP_CODE.fullmatch(code) else StaticDevice
    paused = []
    with transaction.atomic():
        devices = model.objects.select_for_update().filter(user=user, confirmed=True)
        for device in devices:
            allowed, data = device.verify_is_allowed()
            if not allowed:
                paused.append((data or {}).get("locked_until"))
                continue
            device.skip_history_when_saving = True
            if device.verify_token(code):
                del device.skip_history_when_saving
                return SecondStep(device)
    return SecondStep(None, max((p for p in paused if p), default=None))


# --- Trusted devices --------------------------------------------------------------


def _device_fingerprint(device: TOTPDevice) -> str:
    # Changes with the secret, so a reset (a new device) ends every trusted browser.
    return salted_hmac(
        _TRUSTED_SALT, f"{device.persistent_id}:{device.key}"
    ).hexdigest()


def trusted_cookie_value(*, user, device: TOTPDevice) -> str:
    """A signed, timestamped value naming the user and their authenticator."""
    return signing.TimestampSigner(salt=_TRUSTED_SALT).sign_object(
        {"u": user.pk, "f": _device_fingerprint(device)}
    )


def trusted_cookie_max_age() -> int:
    return settings.OTP_TRUSTED_DEVICE_HOURS * 3600


def trusted_device(*, user, cookie: str | None) -> TOTPDevice | None:
    """The user's authenticator when ``cookie`` says this browser was trusted for it
    within ``OTP_TRUSTED_DEVICE_HOURS``; else None."""
    if not cookie:
        return None
    try:
        data = signing.TimestampSigner(salt=_TRUSTED_SALT).unsign_object(
            cookie, max_age=trusted_cookie_max_age()
        )
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(data, dict) or data.get("u") != user.pk:
        return None
    device = totp_device_of(user)
    if device is None or not constant_time_compare(
        str(data.get("f", "")), _device_fingerprint(device)
    ):
        return None
    return device


# --- Administrators ---------------------------------------------------------------


def _account_history(*, user, reason: str) -> None:
    """One row in the account's history saying what happened and why (the user row
    itself does not change; ``is_active`` is written as it is)."""
    user._change_reason = reason
    user.save(update_fields=["is_active"])


def staff_two_factor_reset(*, user, reason: str, actor) -> int:
    """An administrator removes a user's authenticator and recovery codes (a lost
    phone), with a reason kept in history; the user's sessions end and, if their
    role requires it, they enrol again at their next log-in. Returns how many
    devices were removed."""
    if not reason.strip():
        raise ValidationError({"reason": REASON_REQUIRED})
    why = f"two-factor reset by {actor.get_username()}: {reason.strip()}"
    with transaction.atomic():
        devices = [
            *TOTPDevice.objects.select_for_update().filter(user=user),
            *StaticDevice.objects.select_for_update().filter(user=user),
        ]
        if not any(d.confirmed for d in devices):
            raise ApplicationError(NOTHING_TO_RESET)
        for token in StaticToken.objects.filter(device__user=user):
            token._change_reason = why
            token.delete()
        for device in devices:
            device._change_reason = why
            device.delete()
        _account_history(user=user, reason=why)
        user_sessions_end(user=user)
    return len(devices)
