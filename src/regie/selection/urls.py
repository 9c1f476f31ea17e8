from django.urls import path

from regie.selection import views

app_name = "selection"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("bulk/", views.bulk, name="bulk"),
    path("<int:pk>/", views.case_detail, name="case"),
    path("<int:pk>/actie/", views.case_action, name="action"),
    path("<int:pk>/indicaties/", views.case_leads, name="leads"),
    path("<int:pk>/statuscode/", views.case_status_code, name="status_code"),
]
