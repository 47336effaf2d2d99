from django.apps import AppConfig


class DiagnosticsConfig(AppConfig):
    name = "diagnostics"

    def ready(self) -> None:
        # Models can be imported only once the apps are loaded.
        from diagnostics.automation_sources import register

        register()
