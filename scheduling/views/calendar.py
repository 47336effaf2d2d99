"""The day and week grids and the front desk's "today" list."""

from datetime import timedelta

from django.utils import timezone
from django.views.generic import TemplateView

from clinic.mixins import ListAccessLogMixin
from clinic.permissions import RoleRequiredMixin
from registration.restriction import mark_hidden
from scheduling import selectors
from scheduling.forms import DayFilterForm, WeekFilterForm
from scheduling.models import Provider, Room

VIEW = "scheduling.view_appointment"


class DayView(ListAccessLogMixin, RoleRequiredMixin, TemplateView):
    """All providers' (or rooms') visits of one day, as a grid."""

    permission_required = VIEW
    template_name = "scheduling/day.html"

    def get_access_what(self):
        return f"schedule day view {self.request.GET.urlencode()}"[:200]

    def get_context_data(self, **kwargs):
        form = DayFilterForm(
            self.request.GET or None, choices=selectors.filter_choices()
        )
        data = form.cleaned_data if form.is_valid() else {}
        day = data.get("date") or timezone.localdate()
        by = data.get("by") or "provider"
        view = selectors.day_view(
            day=day,
            by=by,
            location_id=data.get("location") or None,
            provider_id=data.get("provider") or None,
        )
        mark_hidden(view["appointments"], user=self.request.user)
        query = self.request.GET.copy()
        query.pop("date", None)
        return super().get_context_data(
            form=form,
            day=day,
            by=by,
            previous_day=day - timedelta(days=1),
            next_day=day + timedelta(days=1),
            filters=query.urlencode(),
            can_change=self.request.user.has_perm("scheduling.change_appointment"),
            **view,
            **kwargs,
        )


class WeekView(ListAccessLogMixin, RoleRequiredMixin, TemplateView):
    """One provider's or one room's week."""

    permission_required = VIEW
    template_name = "scheduling/week.html"

    def get_access_what(self):
        return f"schedule week view {self.request.GET.urlencode()}"[:200]

    def get_context_data(self, **kwargs):
        form = WeekFilterForm(
            self.request.GET or None, choices=selectors.filter_choices()
        )
        data = form.cleaned_data if form.is_valid() else {}
        day = data.get("date") or timezone.localdate()
        monday = day - timedelta(days=day.weekday())
        provider = Provider.objects.filter(pk=data.get("provider") or 0).first()
        room = Room.objects.filter(pk=data.get("room") or 0).first()
        view = {"columns": [], "rows": []}
        if provider or room:
            view = selectors.week_view(first_day=monday, provider=provider, room=room)
            mark_hidden(view["appointments"], user=self.request.user)
        query = self.request.GET.copy()
        query.pop("date", None)
        return super().get_context_data(
            form=form,
            monday=monday,
            previous_week=monday - timedelta(days=7),
            next_week=monday + timedelta(days=7),
            subject=provider or room,
            filters=query.urlencode(),
            can_change=self.request.user.has_perm("scheduling.change_appointment"),
            **view,
            **kwargs,
        )


class TodayView(ListAccessLogMixin, RoleRequiredMixin, TemplateView):
    """Expected arrivals, waiting (minutes waited), in room, done."""

    permission_required = VIEW
    template_name = "scheduling/today.html"
    access_what = "front desk today list"

    def get_context_data(self, **kwargs):
        form = DayFilterForm(
            self.request.GET or None, choices=selectors.filter_choices()
        )
        location = form.cleaned_data.get("location") if form.is_valid() else None
        board = selectors.today_board(location_id=location or None)
        mark_hidden(
            [a for visits in board.values() for a in visits], user=self.request.user
        )
        return super().get_context_data(
            form=form,
            board=board,
            today=timezone.localdate(),
            can_change=self.request.user.has_perm("scheduling.change_appointment"),
            **kwargs,
        )
