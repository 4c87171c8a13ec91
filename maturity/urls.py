from django.urls import path

from . import views

app_name = "maturity"

urlpatterns = [
    path("", views.framework_list, name="list"),
    path("load/", views.framework_upload, name="upload"),
    path("<slug:code>/", views.framework_detail, name="detail"),
]
