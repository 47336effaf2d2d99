import cProfile
import io
import pstats
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import tests.bench.test_bench_scheduling as b

pytestmark = pytest.mark.django_db


def test_profile(client, make_user):
    b.DAYS = 60
    visit, providers, today = b._seed()
    client.force_login(make_user("Front desk"))
    weekday = today + timedelta(days=(7 - today.weekday()) % 7 or 1)
    url = reverse("scheduling:day") + f"?date={weekday:%Y-%m-%d}"
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        t0 = time.perf_counter()
        client.get(url)
        print("day", time.perf_counter() - t0)
    for q in ctx.captured_queries:
        print(q["time"], q["sql"][:100])
    pr = cProfile.Profile()
    pr.enable()
    client.get(url)
    pr.disable()
    s = io.StringIO()
    pstats.Stats(pr, stream=s).sort_stats("tottime").print_stats(25)
    print(s.getvalue()[:6000])
