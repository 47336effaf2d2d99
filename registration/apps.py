from django.apps import AppConfig


class RegistrationConfig(AppConfig):
    name = "registration"

    def ready(self):
        # Imported here: models may be imported only once the app registry is ready.
        from registration import messaging

        messaging.register()
