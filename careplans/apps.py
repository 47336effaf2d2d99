from django.apps import AppConfig


class CareplansConfig(AppConfig):
    name = "careplans"
    verbose_name = "Care plans"

    def ready(self) -> None:
        # Imported here: models load only after the app registry is ready.
        from careplans import automation_sources

        automation_sources.register()
