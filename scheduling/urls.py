from django.urls import include, path

from scheduling.views import appointments, booking, calendar, manage, reports

app_name = "scheduling"

# Pages about one appointment: appointments/<pk>/...
appointment_patterns = [
    path("", appointments.AppointmentDetailView.as_view(), name="appointment-detail"),
    path(
        "action/",
        appointments.AppointmentActionView.as_view(),
        name="appointment-action",
    ),
    path("check-in/", appointments.CheckInView.as_view(), name="appointment-check-in"),
    path("undo/", appointments.UndoView.as_view(), name="appointment-undo"),
    path("cancel/", appointments.CancelView.as_view(), name="appointment-cancel"),
    path("move/", appointments.MoveView.as_view(), name="appointment-move"),
    path(
        "candidates/", booking.CandidatesView.as_view(), name="appointment-candidates"
    ),
]

urlpatterns = [
    path("", calendar.DayView.as_view(), name="day"),
    path("week/", calendar.WeekView.as_view(), name="week"),
    path("today/", calendar.TodayView.as_view(), name="today"),
    path("find/", booking.FindSlotView.as_view(), name="find"),
    path("book/", booking.BookView.as_view(), name="book"),
    path("appointments/<int:pk>/", include(appointment_patterns)),
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
