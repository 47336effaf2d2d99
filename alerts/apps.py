from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "alerts"

    def ready(self):
        # Imported here: models may be imported only once the app registry is ready.
        from alerts import hooks, reminder_holds

        hooks.send_hold_register(reminder_holds.reminder_hold)
