from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "scheduling"

    def ready(self) -> None:
        # Models can be imported only once the apps are loaded.
        from scheduling.automation_sources import register

        register()
