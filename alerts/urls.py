from django.urls import path

from alerts import views

app_name = "alerts"

urlpatterns = [
    path("", views.InboxView.as_view(), name="inbox"),
    path(
        "<int:pk>/acknowledge/",
        views.AlertAcknowledgeView.as_view(),
        name="acknowledge",
    ),
    path("<int:pk>/resolve/", views.AlertResolveView.as_view(), name="resolve"),
]
