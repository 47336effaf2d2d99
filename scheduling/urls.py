from django.urls import path

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
    path(
        "appointments/<int:pk>/action/",
        appointments.AppointmentActionView.as_view(),
        name="appointment-action",
    ),
    path(
        "appointments/<int:pk>/check-in/",
        appointments.CheckInView.as_view(),
        name="appointment-check-in",
    ),
    path(
        "appointments/<int:pk>/undo/",
        appointments.UndoView.as_view(),
        name="appointment-undo",
    ),
    path(
        "appointments/<int:pk>/cancel/",
        appointments.CancelView.as_view(),
        name="appointment-cancel",
    ),
    path(
        "appointments/<int:pk>/move/",
        appointments.MoveView.as_view(),
        name="appointment-move",
    ),
    path(
        "appointments/<int:pk>/candidates/",
        booking.CandidatesView.as_view(),
        name="appointment-candidates",
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
