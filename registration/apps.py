from django.apps import AppConfig


class RegistrationConfig(AppConfig):
    name = "registration"

    def ready(self):
        # Imported here: models may be imported only once the app registry is ready.
        from clinic import mixins
        from registration import messaging
        from registration.restriction import may_open

        messaging.register()
        if may_open not in mixins.PATIENT_GATES:
            mixins.PATIENT_GATES.append(may_open)
