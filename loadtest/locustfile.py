"""A clinic morning: front desk, nurses, clinicians, billing and administrators,
each logged in as their demo user, clicking through their day with think time.

Every request is named by its class ("desk: search", ...); the tables group by
it. What the app said succeeded (a booking, a registration, a dose, an export, an
835 upload, a claim batch) is appended to ``LOADTEST_LEDGER`` as JSON lines, and
every answer to ``LOADTEST_ANSWERS`` (time, class, status, what the body was), so
``checks.py`` can compare them with the database and the fault timetable.
"""

import json
import os
import random
import re
import time
import uuid
from pathlib import Path

from locust import HttpUser, between, events, task

from loadtest import pages
from loadtest.checks import answer_kind

PASSWORD = "clinicops-demo-passphrase"
SURNAMES = ["smi", "joh", "wil", "bro", "jon", "gar", "mil", "dav", "rod", "mar"]
LEDGER = os.environ.get("LOADTEST_LEDGER")
ANSWERS = os.environ.get("LOADTEST_ANSWERS")


def _append(path: str | None, row: dict) -> None:
    if path:
        with open(path, "a") as out:
            out.write(json.dumps(row) + "\n")


@events.request.add_listener
def _record_answer(request_type, name, response, exception, **kwargs):
    if not ANSWERS:
        return
    status = getattr(response, "status_code", 0) or 0
    body = getattr(response, "text", "") or "" if status else ""
    kind = answer_kind(status, body)
    if exception is not None and not status:
        kind += f" ({type(exception).__name__})"
    _append(ANSWERS, {"t": time.time(), "name": name, "kind": kind})


LOGINS: list[float] = []


class Staff(HttpUser):
    """A member of staff: logs in once (timed apart: the whole shift logging in at
    once is not the morning's work; the stats start when the last one is in)."""

    abstract = True
    wait_time = between(2, 6)
    username = ""
    last_form: pages.Form | None = None  # the form a refused POST showed again
    found: list[str] = []  # the links of the last list opened

    def on_start(self):
        started = time.perf_counter()
        self.log_in()
        LOGINS.append(time.perf_counter() - started)
        runner = self.environment.runner
        if len(LOGINS) == runner.target_user_count:
            runner.stats.reset_all()
            LOGINS.sort()
            _append(
                os.environ.get("LOADTEST_LOGINS"),
                {
                    "users": len(LOGINS),
                    "p50": LOGINS[len(LOGINS) // 2],
                    "max": LOGINS[-1],
                },
            )
            LOGINS.clear()

    def log_in(self):
        page = self.client.get("/login/", name="log in")
        login = pages.form(page.text, "")
        self.client.post(
            "/login/",
            data={**login.fields, "username": self.username, "password": PASSWORD}
            if login
            else {},
            name="log in",
        )

    def fetch(self, url: str, name: str, **kwargs) -> str:
        with self.client.get(url, name=name, catch_response=True, **kwargs) as answer:
            if answer.status_code != 200:
                answer.failure(f"{answer.status_code}")
                return ""
            return answer.text

    def pick(self, *, keep: bool = True) -> str | None:
        """One of the links the last list showed (taken off it unless ``keep``)."""
        if not self.found:
            return None
        index = random.randrange(len(self.found))
        return self.found[index] if keep else self.found.pop(index)

    def browse(self, url: str, name: str, pattern: str) -> list[str]:
        """Open a list; the links on it to what it lists."""
        return pages.links(self.fetch(url, name), pattern)

    def submit(self, url: str, form: pages.Form, name: str, **kwargs) -> str | None:
        """POST a form; the redirect's target on success, None when the page
        answered with the form again (a refusal the user reads) or failed."""
        with self.client.post(
            url,
            data=form.fields,
            name=name,
            allow_redirects=False,
            catch_response=True,
            **kwargs,
        ) as answer:
            if answer.status_code == 302:
                return answer.headers.get("Location", "")
            if answer.status_code != 200:
                answer.failure(f"{answer.status_code}")
                return None
            self.last_form = pages.form(answer.text, form.action)
            return None

    def record(self, kind: str, location: str, **details) -> None:
        number = re.search(r"/(\d+)/", location)
        _append(
            LEDGER,
            {
                "kind": kind,
                "id": int(number.group(1)) if number else None,
                "t": time.time(),
                **details,
            },
        )


class FrontDesk(Staff):
    weight = 4
    username = "frontdesk"
    charts: list[str] = []

    @task(4)
    def search(self):
        page = self.fetch(
            "/patients/", "desk: search", params={"q": random.choice(SURNAMES)}
        )
        self.charts = pages.links(page, r"/patients/\d+/") or self.charts

    @task(3)
    def chart(self):
        if self.charts:
            self.fetch(random.choice(self.charts), "desk: chart")

    @task(1)
    def book(self):
        if not self.charts:
            return
        chart = self.fetch(random.choice(self.charts), "desk: chart")
        mrn = re.search(r'data-mrn="([^"]+)"', chart)
        finder = pages.forms(self.fetch("/schedule/find/", "desk: find a slot"))
        finder = [f for f in finder if f.attrs.get("id") == "find-slot-form"]
        if not (mrn and finder):
            return
        kinds = [value for value in finder[0].options["appointment_type"] if value]
        found = self.fetch(
            "/schedule/find/",
            "desk: find a slot",
            params={
                **finder[0].fields,
                "patient": mrn.group(1),
                "appointment_type": random.choice(kinds),
            },
        )
        slots = pages.links(found, r"/schedule/book/\?[^\"]*")
        if not slots:
            return
        slot = random.choice(slots[:20])
        form = pages.form(self.fetch(slot, "desk: book"))
        booked = form and self.submit(slot, form, "desk: book")
        if booked:
            self.record("booking", booked)

    @task(1)
    def check_in(self):
        today = self.fetch("/schedule/today/", "desk: today")
        visits = pages.links(today, r"/schedule/appointments/\d+/check-in/")
        if not visits:
            return
        visit = random.choice(visits)
        form = pages.form(self.fetch(visit, "desk: check in"))
        if form:
            self.submit(visit, form, "desk: check in")

    @task(1)
    def register(self):
        form = pages.form(self.fetch("/patients/new/", "desk: register"))
        if not form:
            return
        family = f"Load{uuid.uuid4().hex[:10]}"
        form.fields.update(
            given_name="Morgan",
            family_name=family,
            birth_date="1980-04-0" + str(random.randint(1, 9)),
            sex_at_birth="F",
            country="US",
            phone_mobile="+12025550" + f"{random.randint(100, 199)}",
            preferred_contact_method="phone",
        )
        registered = self.submit("/patients/new/", form, "desk: register")
        if (
            registered is None
            and self.last_form
            and "duplicate_reason" in (self.last_form.fields)
        ):
            # The duplicate check saw a look-alike (the demo's phone numbers are
            # few): the clerk says why this is someone else, as on the page.
            form = self.last_form
            form.fields["duplicate_reason"] = "New patient, confirmed at the desk"
            registered = self.submit("/patients/new/", form, "desk: register")
        if registered:
            self.record("registration", registered, family_name=family)


class Nurse(Staff):
    weight = 3
    username = "nurse"
    patients: list[str] = []
    doses: list[str] = []
    barcodes: dict[str, str] = {}

    def on_start(self):
        super().on_start()
        formulary = self.fetch("/mar/formulary/", "nurse: formulary")
        for row in re.findall(r"<tr>(.*?)</tr>", formulary, re.S):
            cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
            if len(cells) > 3 and "high-alert" not in cells[0]:
                self.barcodes[cells[0].split()[0]] = cells[3].strip()

    @task(3)
    def unit_mar(self):
        page = self.fetch("/mar/", "nurse: unit MAR")
        self.patients = pages.links(page, r"/mar/patients/\d+/")
        self.doses = pages.links(page, r"/mar/doses/\d+/give/")

    @task(2)
    def patient_mar(self):
        if self.patients:
            page = self.fetch(random.choice(self.patients), "nurse: patient MAR")
            self.doses = pages.links(page, r"/mar/doses/\d+/give/") or self.doses

    @task(2)
    def give_dose(self):
        if not self.doses:
            return
        give = self.doses.pop(random.randrange(len(self.doses)))
        page = self.fetch(give, "nurse: give dose")
        form = pages.form(page)
        mrn = re.search(r'data-mrn="([^"]+)"', page)
        drug = re.search(r'id="order-summary">\s*(\S+)', page)
        barcode = drug and self.barcodes.get(drug.group(1))
        if not (form and mrn and barcode):
            return
        form.fields.update(
            wristband=mrn.group(1), barcode=barcode, reason="Load test round"
        )
        given = self.submit(give, form, "nurse: give dose")
        if given is not None:
            self.record("dose", give)


class Clinician(Staff):
    weight, username = 2, "clinician"

    @task(3)
    def results_to_review(self):
        self.found = self.browse(
            "/diagnostics/review/", "clinician: results to review", r"/diagnostics/\d+/"
        )

    @task(2)
    def sign_off(self):
        order = self.pick(keep=False)
        if order is None:
            return
        page = self.fetch(order, "clinician: result")
        critical = pages.form(page, "/acknowledge/")
        if critical:
            critical.fields["action_taken"] = "Called the patient; repeat tomorrow."
            self.submit(critical.action, critical, "clinician: acknowledge")
            return
        review = pages.form(page, "/review/")
        if review:
            review.fields["note"] = "Reviewed."
            self.submit(review.action, review, "clinician: sign off")


class Billing(Staff):
    weight, username = 1, "billing"

    @task(3)
    def claim(self):
        """A claim from the list last opened (the list first, at the start)."""
        claim = self.pick() or "/billing/claims/"
        self.fetch(claim, "billing: claim" if self.found else "billing: claims")

    @task(3)
    def claims_list(self):
        self.found = self.browse(
            "/billing/claims/", "billing: claims", r"/billing/claims/\d+/"
        )

    @task(1)
    def post_835(self):
        remits = sorted(Path(os.environ.get("LOADTEST_835_DIR", "-")).glob("*.835"))
        if not remits:
            return
        remit = remits[0]
        try:
            text = remit.read_bytes()
            remit.unlink()
        except FileNotFoundError:  # another billing user took it
            return
        form = pages.form(self.fetch("/billing/remittances/upload/", "billing: 835"))
        if not form:
            return
        posted = self.submit(
            "/billing/remittances/upload/",
            form,
            "billing: 835",
            files={"file": (remit.name, text, "text/plain")},
        )
        if posted:
            self.record("remittance upload", posted, trace=remit.stem)

    @task(1)
    def submit_ready_claims(self):
        page = self.fetch("/billing/submit/review/", "billing: submit batch")
        form = pages.form(page, "/billing/submit/")
        batch = form and self.submit(form.action, form, "billing: submit batch")
        if batch and "/batches/" in batch:
            self.record("batch", batch)


class Administrator(Staff):
    weight = 1
    username = "admin"

    @task(3)
    def report(self):
        self.fetch("/reports/access-log/", "admin: report")

    @task(1)
    def export(self):
        """The access log since yesterday as CSV, in the background (the reports
        queue). Yesterday in UTC is never after the clinic's today."""
        today = time.strftime("%Y-%m-%d", time.gmtime(time.time() - 86400))
        page = self.fetch(
            "/reports/access-log/", "admin: report", params={"date_from": today}
        )
        form = pages.form(page, "/export/")
        if not form:
            return
        form.fields["format"] = "csv"
        exported = self.submit(form.action, form, "admin: export")
        if exported:
            self.record("export", exported)
