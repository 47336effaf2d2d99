from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "billing"

    def ready(self) -> None:
        # Imported here: models load only after the app registry is ready.
        from billing.services import (
            charges_capture_for_visit,
            charges_withdraw_for_visit,
        )
        from scheduling import visit_hooks

        visit_hooks.on_completed(charges_capture_for_visit)
        visit_hooks.on_completion_undone(charges_withdraw_for_visit)
