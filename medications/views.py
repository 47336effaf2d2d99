"""The MAR pages: the unit grid, a patient's 24 hours, the bedside forms, orders,
the formulary. Thin: parse, call one service or selector, render."""

from datetime import datetime, timedelta
from operator import attrgetter

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import (
    CreateView,
    FormView,
    ListView,
    TemplateView,
    UpdateView,
)

from clinic.clock import day_bounds
from clinic.exceptions import ApplicationError
from clinic.fields import date_from_query
from clinic.forms import add_validation_error
from clinic.mixins import PatientAccessLogMixin
from clinic.models import AccessLog
from clinic.permissions import RoleRequiredMixin
from clinic.services import access_log_record
from medications import printing, selectors, services
from medications.exceptions import DuplicateTherapy
from medications.forms import (
    DoseStatusForm,
    GiveDoseForm,
    MarFilterForm,
    MedicationForm,
    OrderForm,
    OrderStatusForm,
)
from medications.models import Medication, MedicationOrder, ScheduledDose
from registration.banner import PatientBannerMixin
from registration.models import Patient
from registration.restriction import mark_hidden
from registration.selectors import patient_banner, patient_by_mrn

VIEW_MAR = "medications.view_scheduleddose"
ADMINISTER = "medications.add_administration"
CHART_DOSE = "medications.change_scheduleddose"
VIEW_ORDERS = "medications.view_medicationorder"
ORDER = "medications.add_medicationorder"
CHANGE_ORDER = "medications.change_medicationorder"
VIEW_FORMULARY = "medications.view_medication"
UNKNOWN_WRISTBAND = _("No patient has the wristband %(code)s.")


def _default_location(request, locations: list | None = None):
    """The user's own unit, else the infusion unit, else the first one."""
    locations = list(selectors.mar_locations()) if locations is None else locations
    profile = getattr(request.user, "profile", None)
    mine = getattr(profile, "default_location_id", None)
    for wanted in (
        lambda loc: loc.pk == mine,
        lambda loc: loc.kind == "infusion",
        lambda loc: True,
    ):
        found = next((loc for loc in locations if wanted(loc)), None)
        if found is not None:
            return found
    return None


class MarView(RoleRequiredMixin, TemplateView):
    """The unit's MAR: patients × hours, each dose coloured by its state."""

    permission_required = VIEW_MAR
    template_name = "medications/mar.html"

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
        locations = list(selectors.mar_locations())
        form = MarFilterForm(self.request.GET or None, locations=locations)
        data = form.cleaned_data if form.is_valid() else {}
        chosen = data.get("location")
        location = next((loc for loc in locations if loc.pk == chosen), None)
        location = location or _default_location(self.request, locations)
        start, end = self._window(data)
        mar = (
            selectors.mar_for_unit(
                location=location,
                start=start,
                end=end,
                state=data.get("state", ""),
                query=data.get("q", ""),
            )
            if location is not None
            else None
        )
        if location is not None:
            form.initial.setdefault("location", location.pk)
            mark_hidden(
                [row.patient for row in mar.rows],
                user=self.request.user,
                patient_id=attrgetter("pk"),
                restricted=attrgetter("restriction"),
            )
        access_log_record(
            user=self.request.user,
            action=AccessLog.Action.VIEW,
            obj=location,
            what=f"unit MAR from {start:%Y-%m-%d %H:%M} to {end:%H:%M}",
            request=self.request,
        )
        return super().get_context_data(
            filter_form=form,
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
            messages.error(request, UNKNOWN_WRISTBAND % {"code": code or "—"})
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


class _BedsideMixin(RoleRequiredMixin, PatientAccessLogMixin, PatientBannerMixin):
    access_what = "bedside charting"

    def get_banner_patient(self):
        return self.dose.order.patient

    def get_access_object(self):
        return self.dose

    def get_access_patient(self):
        return self.dose.order.patient

    def dispatch(self, request, *args, **kwargs):
        self.dose = get_object_or_404(
            ScheduledDose.objects.select_related(
                "order__patient", "order__medication", "order__location"
            ),
            pk=kwargs["pk"],
        )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        selectors._decorate(self.dose, timezone.now())
        return super().get_context_data(
            dose=self.dose,
            order=self.dose.order,
            patient=self.dose.order.patient,
            **kwargs,
        )

    def back_url(self) -> str:
        url = reverse(
            "medications:patient-mar", kwargs={"patient_pk": self.dose.order.patient_id}
        )
        return url


def _bedside_entry(data) -> services.Bedside:
    return services.Bedside(
        wristband=data["wristband"],
        barcode=data["barcode"],
        amount=data["amount"],
        unit=data["unit"],
        route=data["route"],
        site=data.get("site", ""),
        reason=data.get("reason", ""),
        note=data.get("note", ""),
        witness_username=data.get("witness_username", ""),
        witness_password=data.get("witness_password", ""),
    )


class GiveDoseView(_BedsideMixin, FormView):
    """Scan the wristband and the medication, check the five rights, record."""

    permission_required = ADMINISTER
    template_name = "medications/give_dose.html"
    form_class = GiveDoseForm

    def get_order(self) -> MedicationOrder:
        return self.dose.order

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["high_alert"] = self.get_order().medication.is_high_alert
        return kwargs

    def get_initial(self):
        order = self.get_order()
        return {
            "amount": f"{order.dose.normalize():f}",
            "unit": order.dose_unit,
            "route": order.route,
            "wristband": self.request.GET.get("wristband", ""),
        }

    def record(self, entry):
        return services.dose_administer(
            dose=self.dose, entry=entry, actor=self.request.user
        )

    def form_valid(self, form):
        try:
            given = self.record(_bedside_entry(form.cleaned_data))
        except ValidationError as error:
            add_validation_error(form, error)
            return self.form_invalid(form)
        except ApplicationError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        order = self.get_order()
        messages.success(
            self.request,
            _("Given: %(drug)s %(dose)s %(route)s to %(patient)s at %(time)s.")
            % {
                "drug": order.medication.name,
                "dose": order.dose_label,
                "route": order.route,
                "patient": f"{order.patient.given_name} {order.patient.family_name}",
                "time": f"{timezone.localtime(given.given_at):%H:%M}",
            },
        )
        return redirect(self.back_url())


class GivePrnView(GiveDoseView):
    """An as-needed dose, given now within the order's PRN limits."""

    template_name = "medications/give_dose.html"

    def dispatch(self, request, *args, **kwargs):
        self.order = get_object_or_404(
            MedicationOrder.objects.select_related("patient", "medication", "location"),
            pk=kwargs["pk"],
        )
        self.dose = ScheduledDose(order=self.order, due_at=timezone.now())
        return super(_BedsideMixin, self).dispatch(request, *args, **kwargs)

    def get_access_object(self):
        return self.order

    def get_order(self):
        return self.order

    def get_context_data(self, **kwargs):
        return super().get_context_data(prn=True, **kwargs)

    def record(self, entry):
        return services.prn_administer(
            order=self.order, entry=entry, actor=self.request.user
        )

    def back_url(self):
        return reverse(
            "medications:patient-mar", kwargs={"patient_pk": self.order.patient_id}
        )


class DoseStatusView(_BedsideMixin, FormView):
    """Hold a dose, or record that the patient refused it, with a reason."""

    permission_required = CHART_DOSE
    template_name = "medications/dose_status.html"
    form_class = DoseStatusForm

    def form_valid(self, form):
        action = {"hold": services.dose_hold, "refuse": services.dose_refuse}[
            form.cleaned_data["action"]
        ]
        try:
            dose = action(
                dose=self.dose,
                actor=self.request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_validation_error(form, error)
            return self.form_invalid(form)
        except ApplicationError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("%(drug)s due %(time)s: %(status)s.")
            % {
                "drug": self.dose.order.medication.name,
                "time": f"{timezone.localtime(dose.due_at):%H:%M}",
                "status": dose.get_status_display().lower(),
            },
        )
        return redirect(self.back_url())


class OrderCreateView(
    RoleRequiredMixin, PatientAccessLogMixin, PatientBannerMixin, FormView
):
    permission_required = ORDER
    template_name = "medications/order_form.html"
    form_class = OrderForm
    access_what = "new medication order"

    def dispatch(self, request, *args, **kwargs):
        self.patient = get_object_or_404(Patient, pk=kwargs["patient_pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_access_object(self):
        return self.patient

    def get_initial(self):
        location = selectors.patient_care_unit(
            patient=self.patient
        ) or _default_location(self.request)
        return {"location": location.pk if location else None, "dose_unit": "mg"}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            patient=self.patient,
            orders=selectors.patient_orders(patient=self.patient),
            **kwargs,
        )

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            order = services.order_create(
                patient=self.patient,
                actor=self.request.user,
                **{k: v for k, v in data.items() if v not in (None, "")},
            )
        except ValidationError as error:
            add_validation_error(form, error)
            return self.form_invalid(form)
        except DuplicateTherapy as error:
            form.add_error("confirm_duplicate", error.message)
            return self.form_invalid(form)
        except ApplicationError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        messages.success(self.request, _("Ordered: %(order)s.") % {"order": order})
        return redirect(order.get_absolute_url())


class OrderDetailView(
    RoleRequiredMixin, PatientAccessLogMixin, PatientBannerMixin, FormView
):
    """An order, its upcoming doses, and (for clinicians) hold/resume/discontinue."""

    permission_required = VIEW_ORDERS
    template_name = "medications/order_detail.html"
    form_class = OrderStatusForm
    access_what = "medication order"

    def dispatch(self, request, *args, **kwargs):
        self.order = get_object_or_404(
            MedicationOrder.objects.select_related(
                "patient", "medication", "ordered_by", "location"
            ),
            pk=kwargs["pk"],
        )
        return super().dispatch(request, *args, **kwargs)

    def get_access_object(self):
        return self.order

    def get_banner_patient(self):
        return self.order.patient

    def get_context_data(self, **kwargs):
        now = timezone.now()
        doses = self.order.doses.select_related(
            "administration__given_by", "status_changed_by"
        ).order_by("-due_at")[:30]
        return super().get_context_data(
            order=self.order,
            patient=self.order.patient,
            doses=[selectors._decorate(dose, now) for dose in doses],
            can_change=self.request.user.has_perm(CHANGE_ORDER),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        if not request.user.has_perm(CHANGE_ORDER):
            return self.handle_no_permission()
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        action = {
            "hold": services.order_hold,
            "resume": services.order_resume,
            "discontinue": services.order_discontinue,
        }[form.cleaned_data["action"]]
        try:
            order = action(
                order=self.order,
                actor=self.request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_validation_error(form, error)
            return self.form_invalid(form)
        except ApplicationError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("The order is now %(status)s.")
            % {"status": order.get_status_display().lower()},
        )
        return redirect(order.get_absolute_url())


class FormularyView(RoleRequiredMixin, ListView):
    permission_required = VIEW_FORMULARY
    template_name = "medications/formulary.html"
    context_object_name = "medications"
    paginate_by = 50

    def get_queryset(self):
        return selectors.formulary(query=self.request.GET.get("q", ""))

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            q=self.request.GET.get("q", ""),
            can_edit=self.request.user.has_perm("medications.change_medication"),
            **kwargs,
        )


class _MedicationFormMixin(RoleRequiredMixin):
    model = Medication
    form_class = MedicationForm
    template_name = "medications/medication_form.html"

    def form_valid(self, form):
        try:
            medication = services.medication_save(
                medication=form.instance, actor=self.request.user
            )
        except ValidationError as error:
            add_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Saved: %(m)s.") % {"m": medication})
        return redirect("medications:formulary")


class MedicationCreateView(_MedicationFormMixin, CreateView):
    permission_required = "medications.add_medication"


class MedicationUpdateView(_MedicationFormMixin, UpdateView):
    permission_required = "medications.change_medication"


class _PatientPdfView(RoleRequiredMixin, View):
    permission_required = VIEW_MAR
    access_what = ""

    def get(self, request, patient_pk):
        patient = get_object_or_404(Patient, pk=patient_pk)
        content, filename = self.render_pdf(patient)
        access_log_record(
            user=request.user,
            action=AccessLog.Action.PRINT,
            patient=patient,
            obj=patient,
            what=self.access_what,
            request=request,
        )
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{filename}"'
        return response


class WristbandPdfView(_PatientPdfView):
    access_what = "wristband"

    def render_pdf(self, patient):
        content = printing.wristband_pdf(
            banner=patient_banner(patient=patient), clinic_name=settings.CLINIC_NAME
        )
        return content, f"wristband-{patient.mrn}.pdf"


class MarPrintView(_PatientPdfView):
    access_what = "MAR printout"

    def render_pdf(self, patient):
        day = date_from_query(self.request.GET.get("date")) or timezone.localdate()
        start, end = day_bounds(day)
        content = printing.mar_pdf(
            banner=patient_banner(patient=patient),
            day=day,
            doses=selectors.patient_doses(patient=patient, start=start, end=end),
            orders=selectors.patient_orders(patient=patient),
            clinic_name=settings.CLINIC_NAME,
            printed_by=self.request.user,
        )
        return content, f"mar-{patient.mrn}-{day:%Y-%m-%d}.pdf"
