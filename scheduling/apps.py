from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "scheduling"

    def ready(self):
        # Imported here: models may be imported only once the app registry is ready.
        from scheduling import sms_replies, waitlist_offers

        sms_replies.register()
        waitlist_offers.register()
