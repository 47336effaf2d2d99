from django.contrib import admin
from django.urls import include, path

from alerts import webhooks as alert_webhooks
from clinic.views import (
    accounts,
    health,
    history,
    home,
    reports,
    staff,
    two_factor,
)

two_factor_patterns = [
    path("", two_factor.TwoFactorView.as_view(), name="two-factor"),
    path("setup/", two_factor.TwoFactorSetupView.as_view(), name="two-factor-setup"),
    path(
        "codes/", two_factor.RecoveryCodesRenewView.as_view(), name="two-factor-codes"
    ),
]

# Pages about one staff account: staff/<pk>/...
staff_member_patterns = [
    path("", staff.StaffUpdateView.as_view(), name="staff-edit"),
    path("deactivate/", staff.StaffDeactivateView.as_view(), name="staff-deactivate"),
    path("reactivate/", staff.StaffReactivateView.as_view(), name="staff-reactivate"),
    path(
        "password/", staff.StaffPasswordResetView.as_view(), name="staff-password-reset"
    ),
    path("unlock/", staff.StaffUnlockView.as_view(), name="staff-unlock"),
    path(
        "two-factor/reset/",
        staff.StaffTwoFactorResetView.as_view(),
        name="staff-two-factor-reset",
    ),
]

report_patterns = [
    path("", reports.ReportListView.as_view(), name="reports"),
    path(
        "integrity/", reports.AccessLogIntegrityView.as_view(), name="report-integrity"
    ),
    path(
        "exports/<int:pk>/",
        reports.ReportExportDetailView.as_view(),
        name="export-detail",
    ),
    path(
        "exports/<int:pk>/download/",
        reports.ReportExportDownloadView.as_view(),
        name="export-download",
    ),
    path("<slug:slug>/", reports.ReportView.as_view(), name="report"),
    path("<slug:slug>/csv/", reports.ReportCsvView.as_view(), name="report-csv"),
    path(
        "<slug:slug>/export/",
        reports.ReportExportCreateView.as_view(),
        name="report-export",
    ),
]

clinic_patterns = [
    path("", home.HomeView.as_view(), name="home"),
    path("login/", accounts.LoginView.as_view(), name="login"),
    path("login/code/", two_factor.LoginCodeView.as_view(), name="login-code"),
    path("logout/", accounts.LogoutView.as_view(), name="logout"),
    path("password/", accounts.PasswordChangeView.as_view(), name="password-change"),
    path("session/keepalive/", accounts.KeepAliveView.as_view(), name="keepalive"),
    path("account/two-factor/", include(two_factor_patterns)),
    path("healthz", health.healthz, name="healthz"),
    path("staff/", staff.StaffListView.as_view(), name="staff-list"),
    path("staff/new/", staff.StaffCreateView.as_view(), name="staff-create"),
    path("staff/<int:pk>/", include(staff_member_patterns)),
    path(
        "history/<str:app_label>/<str:model_name>/<int:pk>/",
        history.RecordHistoryView.as_view(),
        name="history",
    ),
    path("reports/", include(report_patterns)),
]

urlpatterns = [
    path("", include((clinic_patterns, "clinic"))),
    path("alerts/", include("alerts.urls")),
    path("automations/", include("automations.urls")),
    path("webhooks/twilio/sms/", alert_webhooks.inbound_sms, name="twilio-sms"),
    path(
        "webhooks/twilio/status/", alert_webhooks.delivery_status, name="twilio-status"
    ),
    path("", include("registration.urls")),
    path("mar/", include("medications.urls")),
    path("diagnostics/", include("diagnostics.urls")),
    path("schedule/", include("scheduling.urls")),
    path("billing/", include("billing.urls")),
    path("admin/", admin.site.urls),
]

handler403 = "clinic.views.errors.permission_denied"
handler404 = "clinic.views.errors.not_found"
handler500 = "clinic.views.errors.server_error"
