from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _update_last_login_without_history(sender, user, **kwargs):
    """The log-in time is not a change worth a history row (it is excluded from the
    staff account's history); without this every log-in wrote an empty "Changed"."""
    from django.contrib.auth.models import update_last_login

    user.skip_history_when_saving = True
    try:
        update_last_login(sender, user, **kwargs)
    finally:
        del user.skip_history_when_saving


class ClinicConfig(AppConfig):
    name = "clinic"
    verbose_name = "ClinicOps"

    def ready(self) -> None:
        from django.conf import settings
        from django.contrib.auth.signals import user_logged_in
        from django.core.exceptions import ImproperlyConfigured

        # Imported here: apps.py loads before the app registry is ready.
        from clinic.permissions import ROLES

        # A misspelt role would silently let that role log in with a password alone.
        unknown = sorted(set(settings.OTP_REQUIRED_ROLES) - set(ROLES))
        if unknown:
            raise ImproperlyConfigured(
                f"OTP_REQUIRED_ROLES names no such role: {', '.join(unknown)} "
                f"(the roles are {', '.join(ROLES)})"
            )

        from clinic import db_guards  # (here for the same reason)

        # Cross-cutting: after every migrate, role permissions and the append-only
        # triggers are brought up to date for tables added since.
        post_migrate.connect(db_guards.after_migrate, sender=self)
        user_logged_in.disconnect(dispatch_uid="update_last_login")
        user_logged_in.connect(
            _update_last_login_without_history, dispatch_uid="clinic_update_last_login"
        )
