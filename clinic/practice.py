"""The practice clinic's one switch: with ``PRACTICE_MODE`` on, the settings of
every outbound edge are replaced here, so nothing leaves the machine — texts and
e-mails are kept for the practice outbox page (training's backends, named by
path), claim files go to a practice folder — whatever the environment says, and
no call site needs to know."""

from pathlib import Path


def practice_settings(var_dir: Path) -> dict:
    return {
        "SMS_BACKEND": "training.practice_outbox.PracticeSMS",
        "TWILIO_API_BASE": "",
        "EMAIL_BACKEND": "training.practice_outbox.PracticeEmailBackend",
        "CLEARINGHOUSE_BACKEND": "folder",
        "CLEARINGHOUSE_DIR": var_dir / "practice" / "clearinghouse",
        "CLEARINGHOUSE_URL": "",
    }
