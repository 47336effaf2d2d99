"""Paging stays exact while patients are registered: fhirclient follows ``next``
through every Patient of the demo clinic, in three orders, while another thread
registers patients between every two pages (new ids land after the last page
in id order; in birth-date order they land before and after the reader's place,
where an offset pager would repeat or skip records). Every patient that existed at the
start is met exactly once."""

import queue
import random
import threading
from collections import Counter
from datetime import date, timedelta
from io import StringIO

import pytest
from django.db import connection
from faker import Faker
from fhirclient.client import FHIRClient
from fhirclient.models.bundle import Bundle

from registration.demo import seed_patients
from registration.models import Patient
from smart.testing import issue_test_token
from tests.registration.factories import PatientFactory

pytestmark = pytest.mark.django_db(transaction=True)

ORDERS = ("_id", "birthdate", "-_id", "-birthdate")


def _writer(turns: queue.Queue, done: queue.Queue, made: list) -> None:
    """Registers three patients (random birth dates: before and after the
    reader's place in every order) each time the reader has read a page."""
    rng = random.Random(19)
    try:
        while turns.get() is not None:
            for _ in range(3):
                birth = date(1930, 1, 1) + timedelta(days=rng.randrange(30_000))
                made.append(PatientFactory(birth_date=birth).pk)
            done.put(True)
    finally:
        connection.close()


def _all_pages(server, sort: str, between_pages) -> list[str]:
    seen = []
    path = f"Patient?_sort={sort}&_count=7"
    while path:
        bundle = Bundle(server.request_json(path), strict=True)
        seen += [e.resource.id for e in bundle.entry or []]
        nexts = [link.url for link in bundle.link if link.relation == "next"]
        path = nexts[0] if nexts else None
        between_pages()
    return seen


def test_every_patient_is_met_exactly_once_while_others_register(live_server):
    # The demo clinic's patients (registration's part of seed_demo, which needs
    # nothing an earlier transactional test's flush may have emptied).
    seed_patients(
        faker=Faker(), rng=random.Random(7), options={"patients": 60}, stdout=StringIO()
    )
    at_start = {str(pk) for pk in Patient.objects.values_list("pk", flat=True)}
    assert len(at_start) >= 60
    client = FHIRClient(
        settings={"app_id": "paging-test", "api_base": f"{live_server.url}/fhir/"}
    )
    client.server.session.headers["Authorization"] = f"Bearer {issue_test_token()}"
    turns, done, made = queue.Queue(), queue.Queue(), []
    writer = threading.Thread(target=_writer, args=(turns, done, made))
    writer.start()

    def between_pages():
        turns.put(True)
        assert done.get(timeout=60)

    try:
        for sort in ORDERS:
            seen = Counter(_all_pages(client.server, sort, between_pages))
            repeated = [pk for pk, n in seen.items() if n > 1]
            assert repeated == [], f"{sort}: met more than once: {repeated}"
            assert at_start - set(seen) == set(), f"{sort}: missed"
    finally:
        turns.put(None)
        writer.join()
    assert len(made) >= 4 * 3 * 6, "patients were registered between the pages"
