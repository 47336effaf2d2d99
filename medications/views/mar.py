"""The unit's MAR grid, the wristband scan, one patient's 24 hours."""

from datetime import datetime, timedelta
from functools import cached_property
from operator import attrgetter

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from clinic.clock import day_bounds
from clinic.edges import FilteredListMixin
from clinic.fields import date_from_query
from clinic.mixins import PatientAccessLogMixin
from clinic.permissions import RoleRequiredMixin
from clinic.services import access_log_request
from medications import selectors
from medications.forms import MarFilterForm
from medications.views.common import (
    ADMINISTER,
    CHART_DOSE,
    ORDER,
    VIEW_MAR,
    mar_default_location,
)
from registration.banner import PatientBannerMixin
from registration.models import Patient
from registration.restriction import mark_hidden
from registration.selectors import patient_by_mrn

UNKNOWN_WRISTBAND = _("No patient has the wristband %(code)s.")


class MarView(RoleRequiredMixin, FilteredListMixin, TemplateView):
    """The unit's MAR: patients × hours, each dose coloured by its state."""

    permission_required = VIEW_MAR
    template_name = "medications/mar.html"
    filter_form_class = MarFilterForm

    @cached_property
    def locations(self) -> list:
        return list(selectors.mar_locations())

    def get_filter_form_kwargs(self) -> dict:
        return {"locations": self.locations}

    def _window(self, data) -> tuple[datetime, datetime]:
        hours = data.get("hours") or 12
        day, from_hour = data.get("day"), data.get("from_hour")
        if day is None and from_hour is None:
            now = timezone.localtime()
            start = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=4)
        else:
            day = day or timezone.localdate()
            start, _end = day_bounds(day)
            start = start + timedelta(hours=from_hour or 0)
        return start, start + timedelta(hours=hours)

    def get_context_data(self, **kwargs):
        data = self.get_filters()
        chosen = data.get("location")
        location = next((loc for loc in self.locations if loc.pk == chosen), None)
        location = location or mar_default_location(self.request, self.locations)
        start, end = self._window(data)
        mar = None
        if location is not None:
            mar = selectors.mar_for_unit(
                location=location,
                start=start,
                end=end,
                state=data.get("state", ""),
                query=data.get("q", ""),
            )
            self.filter_form.initial.setdefault("location", location.pk)
            mark_hidden(
                [row.patient for row in mar.rows],
                user=self.request.user,
                patient_id=attrgetter("pk"),
                restricted=attrgetter("restriction"),
            )
        access_log_request(
            self.request,
            obj=location,
            what=f"unit MAR from {start:%Y-%m-%d %H:%M} to {end:%H:%M}",
        )
        return super().get_context_data(
            mar=mar,
            location=location,
            can_give=self.request.user.has_perm(ADMINISTER),
            # Chips link to <give_url><pk>/give/: one reverse() for 300 chips.
            give_url=reverse("medications:dose-give", kwargs={"pk": 0})[
                : -len("0/give/")
            ],
            # Patient names link to <patient_url><pk>/: the patient's own MAR.
            patient_url=reverse("medications:patient-mar", kwargs={"patient_pk": 0})[
                : -len("0/")
            ],
            now=timezone.now(),
            **kwargs,
        )


class ScanWristbandView(RoleRequiredMixin, TemplateView):
    """A scanned (or typed) wristband opens that patient's MAR."""

    permission_required = VIEW_MAR
    http_method_names = ["get"]
    template_name = "medications/scan.html"

    def get(self, request, *args, **kwargs):
        code = "".join(ch for ch in request.GET.get("wristband", "") if ch.isalnum())
        if not code:
            return super().get(request, *args, **kwargs)
        patient = patient_by_mrn(mrn=code)
        if patient is None:
            messages.error(request, UNKNOWN_WRISTBAND % {"code": code})
            return redirect("medications:mar")
        url = reverse("medications:patient-mar", kwargs={"patient_pk": patient.pk})
        return HttpResponseRedirect(f"{url}?{urlencode({'wristband': patient.mrn})}")


class PatientMarView(
    RoleRequiredMixin, PatientAccessLogMixin, PatientBannerMixin, TemplateView
):
    """One patient's 24 hours: every dose, who gave it, the orders behind them."""

    permission_required = VIEW_MAR
    template_name = "medications/patient_mar.html"
    access_what = "patient MAR"

    def get_access_object(self):
        return self.patient

    def get_context_data(self, **kwargs):
        self.patient = get_object_or_404(Patient, pk=self.kwargs["patient_pk"])
        day = date_from_query(self.request.GET.get("date")) or timezone.localdate()
        start, end = day_bounds(day)
        orders = selectors.patient_orders(patient=self.patient)
        return super().get_context_data(
            patient=self.patient,
            day=day,
            previous_day=day - timedelta(days=1),
            next_day=day + timedelta(days=1),
            doses=selectors.patient_doses(patient=self.patient, start=start, end=end),
            orders=orders,
            prn_orders=[o for o in orders if o.is_prn and o.status == "active"],
            wristband=self.request.GET.get("wristband", ""),
            can_give=self.request.user.has_perm(ADMINISTER),
            can_chart=self.request.user.has_perm(CHART_DOSE),
            can_order=self.request.user.has_perm(ORDER),
            **kwargs,
        )
