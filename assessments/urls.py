from django.urls import path

from . import views

app_name = "assessments"

urlpatterns = [
    path("", views.assessment_list, name="list"),
    path("new/", views.assessment_new, name="new"),
    path("<int:pk>/", views.assessment_detail, name="detail"),
    path("<int:pk>/sections/<int:number>/", views.section_score, name="section"),
    path("<int:pk>/sections/<int:number>/value-codes/", views.key_area_flags, name="key_area_flags"),
    path("<int:pk>/all/", views.framework_score, name="score_all"),
    path("<int:pk>/all/<int:number>/", views.framework_section, name="score_all_section"),
    path("<int:pk>/objectives/<int:number>/autosave/", views.objective_autosave, name="autosave"),
    path("<int:pk>/objectives/<int:number>/history/", views.objective_history, name="history"),
    path("<int:pk>/objectives/<int:number>/evidence/", views.objective_evidence, name="evidence"),
    path("<int:pk>/evidence/<int:item>/", views.evidence_download, name="evidence_download"),
    path("<int:pk>/evidence/<int:item>/delete/", views.evidence_delete, name="evidence_delete"),
    path("<int:pk>/submit/", views.assessment_submit_view, name="submit"),
    path("<int:pk>/reopen/", views.assessment_reopen_view, name="reopen"),
    path("<int:pk>/deadline/", views.assessment_deadline, name="deadline"),
    path("<int:pk>/year-on-year/", views.year_on_year, name="year_on_year"),
    path("<int:pk>/export/", views.assessment_export, name="export"),
    path("<int:pk>/import/", views.assessment_import_view, name="import"),
    path("<int:pk>/import/confirm/", views.assessment_import_confirm, name="import_confirm"),
    path("export/history/", views.history_export, name="history_export"),
]
