"""Two nurses chart the same dose at the same moment, on separate connections."""

import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from medications import services
from medications.exceptions import DoseAlreadyGiven
from medications.models import Administration, ScheduledDose
from medications.services import Bedside
from tests.medications.factories import MedicationFactory, MedicationOrderFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_nurses_at_once_exactly_one_succeeds_and_the_other_is_told_who(
    make_user,
):
    assert connection.vendor == "postgresql"
    order = MedicationOrderFactory(
        medication=MedicationFactory(barcode="11111111111", routes=["PO"]),
        patient__mrn="C0000001",
        dose=Decimal("500"),
    )
    dose = ScheduledDose.objects.create(order=order, due_at=timezone.now())
    nurses = [
        make_user("Nurse", first_name="Nora", last_name="One"),
        make_user("Nurse", first_name="Nick", last_name="Two"),
    ]
    barrier = threading.Barrier(2)
    outcomes: dict[int, object] = {}

    def chart(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            outcomes[index] = services.dose_administer(
                dose=dose,
                entry=Bedside(
                    wristband="C0000001",
                    barcode="11111111111",
                    amount="500",
                    unit="mg",
                    route="PO",
                ),
                actor=nurses[index],
            )
        except Exception as error:  # noqa: BLE001 - the outcome is what is tested
            outcomes[index] = error
        finally:
            connection.close()  # each thread had its own connection

    threads = [threading.Thread(target=chart, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    given = [o for o in outcomes.values() if isinstance(o, Administration)]
    refused = [o for o in outcomes.values() if isinstance(o, DoseAlreadyGiven)]
    assert (len(given), len(refused)) == (1, 1), outcomes
    record = Administration.objects.select_related("given_by").get()
    winner = record.given_by
    local = timezone.localtime(record.given_at)
    assert refused[0].message == (
        f"Already given by {winner.get_full_name()} at "
        f"{local:%b} {local.day}, {local:%H:%M}."
    )
    dose.refresh_from_db()
    assert dose.status == "given"
