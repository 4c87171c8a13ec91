from django.contrib import admin
from django.urls import include, path

from config.accounts import QueuedPasswordResetView
from config.views import health, login
from home.views import guidance, home

urlpatterns = [
    path("", home, name="home"),
    path("health/", health, name="health"),
    path("guidance/", guidance, name="guidance"),
    path("accounts/login/", login, name="login"),
    path("accounts/password_reset/", QueuedPasswordResetView.as_view(), name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("frameworks/", include("maturity.urls")),
    path("assessments/", include("assessments.urls")),
    path("plans/", include("actionplans.urls")),
    path("", include("reports.urls")),
    path("", include("ratings.urls")),
    path("admin/", admin.site.urls),
]

handler500 = "config.views.server_error"
