from django.urls import path

from clinic.routes import record_actions
from scheduling.views import appointments, booking, calendar, manage, reports

app_name = "scheduling"

urlpatterns = [
    path("", calendar.DayView.as_view(), name="day"),
    path("week/", calendar.WeekView.as_view(), name="week"),
    path("today/", calendar.TodayView.as_view(), name="today"),
    path("find/", booking.FindSlotView.as_view(), name="find"),
    path("book/", booking.BookView.as_view(), name="book"),
    path(
        "appointments/<int:pk>/",
        appointments.AppointmentDetailView.as_view(),
        name="appointment-detail",
    ),
    *record_actions(
        "appointments/<int:pk>/",
        "appointment",
        {
            "action": appointments.AppointmentActionView,
            "check-in": appointments.CheckInView,
            "undo": appointments.UndoView,
            "cancel": appointments.CancelView,
            "move": appointments.MoveView,
            "candidates": booking.CandidatesView,
        },
    ),
    path("waitlist/", manage.WaitlistView.as_view(), name="waitlist"),
    path("waitlist/new/", manage.WaitlistCreateView.as_view(), name="waitlist-add"),
    path(
        "waitlist/<int:pk>/remove/",
        manage.WaitlistRemoveView.as_view(),
        name="waitlist-remove",
    ),
    path("providers/", manage.ProviderListView.as_view(), name="provider-list"),
    path(
        "providers/<int:pk>/feed/",
        manage.ProviderFeedView.as_view(),
        name="provider-feed",
    ),
    path("feed/<str:token>.ics", manage.provider_feed, name="feed"),
    path("metrics/", reports.MetricsView.as_view(), name="metrics"),
]
