from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/benchmarking/", views.benchmarking, name="benchmark"),
    path("reports/<int:pk>/pdf/", views.report_download, name="pdf"),
]
