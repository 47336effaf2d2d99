from django.apps import AppConfig


class CareplansConfig(AppConfig):
    name = "careplans"
    verbose_name = "Care plans"

    def ready(self) -> None:
        # Imported here: models load only after the app registry is ready.
        from careplans import automation_sources, services
        from registration import merge_hooks

        automation_sources.register()
        merge_hooks.on_merge(services.problems_merge)
