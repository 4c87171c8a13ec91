from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("benchmarking/", views.benchmarking, name="benchmark"),
]
