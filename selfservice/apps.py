from django.apps import AppConfig


class SelfserviceConfig(AppConfig):
    name = "selfservice"
    verbose_name = "Self-service links and intake"

    def ready(self) -> None:
        # Imported here: models load only after the app registry is ready.
        from selfservice import hooks

        hooks.register()
