from django.urls import path

from . import views

app_name = "api_keys"

urlpatterns = [
    path("accounts/api-keys/", views.keys, name="list"),
    path("accounts/api-keys/<int:pk>/revoke/", views.revoke, name="revoke"),
]
