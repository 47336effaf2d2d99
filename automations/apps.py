from django.apps import AppConfig


class AutomationsConfig(AppConfig):
    name = "automations"
    verbose_name = "Automations"

    def ready(self) -> None:
        # Imported here: the app registry must be ready before models load.
        from automations.reminders import grouping

        grouping.register()
