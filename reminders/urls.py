from django.urls import path

from . import views

app_name = "reminders"

urlpatterns = [
    path("accounts/reminders/", views.preferences, name="preferences"),
    path("reminders/stop/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
