from django.urls import path

from . import views

app_name = "signin"

urlpatterns = [
    path("account/", views.account, name="account"),
    path("sso/start/", views.sso_start, name="sso_start"),
    path("council/", views.council_settings, name="council"),
    path("council/members/", views.members, name="members"),
    path("council/members/<int:pk>/remove/", views.member_remove_view, name="member_remove"),
]
