from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "scheduling"

    def ready(self) -> None:
        # Imported here: models may be imported only once the app registry is ready.
        from scheduling import automation_sources, sms_replies, waitlist_offers

        automation_sources.register()
        sms_replies.register()
        waitlist_offers.register()
