from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/benchmarking/", views.benchmarking, name="benchmark"),
    path("reports/<int:pk>/pdf/", views.report_download, name="pdf"),
    path("reports/<int:pk>/pdf/status/", views.report_status, name="pdf_status"),
    path("reports/<int:pk>/pdf/retry/", views.report_retry, name="pdf_retry"),
    path("reports/<int:pk>/pdf/notify/", views.report_notify, name="pdf_notify"),
]
