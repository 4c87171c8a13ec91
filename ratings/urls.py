from django.urls import path

from . import views

app_name = "ratings"

urlpatterns = [
    path("assessments/<int:pk>/raters/", views.raters, name="raters"),
    path("assessments/<int:pk>/raters/<int:invitation>/withdraw/", views.withdraw, name="withdraw"),
    path("assessments/<int:pk>/consolidation/", views.consolidation, name="consolidation"),
    path("assessments/<int:pk>/consolidation/<int:number>/", views.consolidate, name="consolidate"),
    path("assessments/<int:pk>/consolidation/weakest/", views.consolidate_weakest, name="consolidate_weakest"),
    path("assessments/<int:pk>/response-sheet/", views.response_sheet, name="response_sheet"),
    path("ratings/<int:pk>/", views.rate, name="rate"),
    path("invitations/<str:uidb64>/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
