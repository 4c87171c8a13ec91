from django.urls import path

from . import views

app_name = "actionplans"

urlpatterns = [
    path("", views.plan_list, name="list"),
    path("new/", views.plan_new, name="new"),
    path("<int:pk>/", views.plan_detail, name="detail"),
    path("<int:pk>/edit/", views.plan_edit, name="edit"),
    path("<int:pk>/publish/", views.plan_publish_view, name="publish"),
    path("<int:pk>/gap/", views.plan_gap, name="gap"),
    path("<int:pk>/versions/<int:version>/", views.plan_version_view, name="version"),
    path("<int:pk>/export/", views.plan_export, name="export"),
    path("<int:pk>/lines/new/", views.line_edit, name="line_new"),
    path("<int:pk>/lines/key-areas/", views.plan_key_areas_add, name="add_key_areas"),
    path("<int:pk>/lines/<int:line>/", views.line_edit, name="line_edit"),
    path("<int:pk>/goals/new/", views.goal_edit, name="goal_new"),
    path("<int:pk>/goals/<int:item>/", views.goal_edit, name="goal_edit"),
    path("<int:pk>/reviews/new/", views.review_edit, name="review_new"),
    path("<int:pk>/reviews/<int:item>/", views.review_edit, name="review_edit"),
    path("<int:pk>/considerations/new/", views.consideration_edit, name="consideration_new"),
    path("<int:pk>/considerations/<int:item>/", views.consideration_edit, name="consideration_edit"),
    path("<int:pk>/kpis/new/", views.kpi_edit, name="kpi_new"),
    path("<int:pk>/kpis/<int:kpi>/", views.kpi_edit, name="kpi_edit"),
    path("<int:pk>/<str:kind>/<int:item>/delete/", views.item_delete, name="delete"),
]
