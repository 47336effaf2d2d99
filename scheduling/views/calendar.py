"""The day and week grids and the front desk's "today" list."""

from datetime import timedelta

from django.utils import timezone
from django.views.generic import TemplateView

from clinic.edges import FilteredListMixin
from clinic.mixins import ListAccessLogMixin
from clinic.permissions import RoleRequiredMixin
from registration.restriction import mark_hidden
from scheduling import selectors
from scheduling.forms import DayFilterForm, WeekFilterForm
from scheduling.models import Provider, Room

VIEW = "scheduling.view_appointment"


class _ScheduleFilters(FilteredListMixin):
    """The filter bar of a schedule page (its choices cached a minute);
    ``filters`` is the query without ``date``, for the previous/next links."""

    filter_form_class = DayFilterForm

    def get_filter_form_kwargs(self) -> dict:
        return {"choices": selectors.optional_choices()}

    def filters_without_date(self) -> str:
        query = (self.get_filter_data() or self.request.GET).copy()
        query.pop("date", None)
        return query.urlencode()


class DayView(ListAccessLogMixin, RoleRequiredMixin, _ScheduleFilters, TemplateView):
    """All providers' (or rooms') visits of one day, as a grid."""

    permission_required = VIEW
    template_name = "scheduling/day.html"

    def get_access_what(self):
        return f"schedule day view {self.request.GET.urlencode()}"[:200]

    def get_context_data(self, **kwargs):
        data = self.get_filters()
        day = data.get("date") or timezone.localdate()
        by = data.get("by") or "provider"
        view = selectors.day_view(
            day=day,
            by=by,
            location_id=data.get("location") or None,
            provider_id=data.get("provider") or None,
        )
        mark_hidden(view["appointments"], user=self.request.user)
        return super().get_context_data(
            day=day,
            by=by,
            previous_day=day - timedelta(days=1),
            next_day=day + timedelta(days=1),
            filters=self.filters_without_date(),
            can_change=self.request.user.has_perm("scheduling.change_appointment"),
            **view,
            **kwargs,
        )


class WeekView(ListAccessLogMixin, RoleRequiredMixin, _ScheduleFilters, TemplateView):
    """One provider's or one room's week."""

    permission_required = VIEW
    template_name = "scheduling/week.html"
    filter_form_class = WeekFilterForm

    def get_access_what(self):
        return f"schedule week view {self.request.GET.urlencode()}"[:200]

    def get_filter_data(self):
        # Never a blank week: with no provider or room asked, a clinician sees
        # their own week, anyone else the first provider's (the form shows which).
        data = self.request.GET.copy()
        if not (data.get("provider") or data.get("room")):
            provider = (
                Provider.objects.filter(user=self.request.user, is_active=True).first()
                or Provider.objects.filter(is_active=True).order_by("name").first()
            )
            if provider is not None:
                data["provider"] = str(provider.pk)
        return data or None

    def get_context_data(self, **kwargs):
        data = self.get_filters()
        day = data.get("date") or timezone.localdate()
        monday = day - timedelta(days=day.weekday())
        provider = Provider.objects.filter(pk=data.get("provider") or 0).first()
        room = Room.objects.filter(pk=data.get("room") or 0).first()
        view = {"columns": [], "rows": []}
        if provider or room:
            view = selectors.week_view(first_day=monday, provider=provider, room=room)
            mark_hidden(view["appointments"], user=self.request.user)
        return super().get_context_data(
            monday=monday,
            previous_week=monday - timedelta(days=7),
            next_week=monday + timedelta(days=7),
            subject=provider or room,
            filters=self.filters_without_date(),
            can_change=self.request.user.has_perm("scheduling.change_appointment"),
            **view,
            **kwargs,
        )


class TodayView(ListAccessLogMixin, RoleRequiredMixin, _ScheduleFilters, TemplateView):
    """Expected arrivals, waiting (minutes waited), in room, done."""

    permission_required = VIEW
    template_name = "scheduling/today.html"
    access_what = "front desk today list"

    def get_context_data(self, **kwargs):
        location = self.get_filters().get("location")
        board = selectors.today_board(location_id=location or None)
        mark_hidden(
            [a for visits in board.values() for a in visits], user=self.request.user
        )
        return super().get_context_data(
            board=board,
            today=timezone.localdate(),
            can_change=self.request.user.has_perm("scheduling.change_appointment"),
            **kwargs,
        )
