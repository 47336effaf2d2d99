from django.contrib import admin
from django.urls import include, path

from alerts import webhooks as alert_webhooks
from clinic.routes import record_actions
from clinic.views import (
    accounts,
    health,
    history,
    home,
    reports,
    staff,
    two_factor,
)

clinic_patterns = [
    path("", home.HomeView.as_view(), name="home"),
    path("login/", accounts.LoginView.as_view(), name="login"),
    path("login/code/", two_factor.LoginCodeView.as_view(), name="login-code"),
    path("logout/", accounts.LogoutView.as_view(), name="logout"),
    path("password/", accounts.PasswordChangeView.as_view(), name="password-change"),
    path("session/keepalive/", accounts.KeepAliveView.as_view(), name="keepalive"),
    path("account/two-factor/", two_factor.TwoFactorView.as_view(), name="two-factor"),
    path(
        "account/two-factor/setup/",
        two_factor.TwoFactorSetupView.as_view(),
        name="two-factor-setup",
    ),
    path(
        "account/two-factor/codes/",
        two_factor.RecoveryCodesRenewView.as_view(),
        name="two-factor-codes",
    ),
    path("healthz", health.healthz, name="healthz"),
    path("staff/", staff.StaffListView.as_view(), name="staff-list"),
    path("staff/new/", staff.StaffCreateView.as_view(), name="staff-create"),
    path("staff/<int:pk>/", staff.StaffUpdateView.as_view(), name="staff-edit"),
    *record_actions(
        "staff/<int:pk>/",
        "staff",
        {
            "deactivate": staff.StaffDeactivateView,
            "reactivate": staff.StaffReactivateView,
            "unlock": staff.StaffUnlockView,
        },
    ),
    path(
        "staff/<int:pk>/password/",
        staff.StaffPasswordResetView.as_view(),
        name="staff-password-reset",
    ),
    path(
        "staff/<int:pk>/two-factor/reset/",
        staff.StaffTwoFactorResetView.as_view(),
        name="staff-two-factor-reset",
    ),
    path(
        "history/<str:app_label>/<str:model_name>/<int:pk>/",
        history.RecordHistoryView.as_view(),
        name="history",
    ),
    path("reports/", reports.ReportListView.as_view(), name="reports"),
    path(
        "reports/integrity/",
        reports.AccessLogIntegrityView.as_view(),
        name="report-integrity",
    ),
    path(
        "reports/exports/<int:pk>/",
        reports.ReportExportDetailView.as_view(),
        name="export-detail",
    ),
    path(
        "reports/exports/<int:pk>/download/",
        reports.ReportExportDownloadView.as_view(),
        name="export-download",
    ),
    path("reports/<slug:slug>/", reports.ReportView.as_view(), name="report"),
    path(
        "reports/<slug:slug>/csv/", reports.ReportCsvView.as_view(), name="report-csv"
    ),
    path(
        "reports/<slug:slug>/export/",
        reports.ReportExportCreateView.as_view(),
        name="report-export",
    ),
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
    path("careplans/", include("careplans.urls")),
    path("", include("selfservice.urls")),
    path("training/", include("training.urls")),
    path("", include("smart.urls")),
    path("admin/", admin.site.urls),
    path("fhir/", include("fhir.urls")),
]

handler403 = "clinic.views.errors.permission_denied"
handler404 = "clinic.views.errors.not_found"
handler500 = "clinic.views.errors.server_error"
