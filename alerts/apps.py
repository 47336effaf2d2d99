from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "alerts"

    def ready(self):
        # Imported here: models (through services) load only once apps are ready.
        from alerts import hooks, reminder_holds
        from alerts.login_spraying import spraying_alert_raise
        from clinic import login_guard

        hooks.send_hold_register(reminder_holds.reminder_hold)
        if spraying_alert_raise not in login_guard.SPRAYING_NOTIFIERS:
            login_guard.SPRAYING_NOTIFIERS.append(spraying_alert_raise)
