from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ClinicConfig(AppConfig):
    name = "clinic"
    verbose_name = "ClinicOps"

    def ready(self) -> None:
        from clinic import db_guards

        # Cross-cutting: after every migrate, role permissions and the append-only
        # triggers are brought up to date for tables added since.
        post_migrate.connect(db_guards.after_migrate, sender=self)
