from django.apps import AppConfig


class MedicationsConfig(AppConfig):
    name = "medications"

    def ready(self) -> None:
        # Imported here: models load only after the app registry is ready.
        from medications.services import home
        from registration import merge_hooks

        merge_hooks.on_merge(home.reconciliations_merge)
