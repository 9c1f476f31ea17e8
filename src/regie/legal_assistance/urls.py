from django.urls import path

from regie.legal_assistance import views

app_name = "legal_assistance"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/beoordelen/", views.assess, name="assess"),
    path("<int:pk>/bevestigen/", views.confirm, name="confirm"),
    path("<int:pk>/prioriteit/", views.priority, name="priority"),
    path("<int:pk>/toewijzen/", views.assign, name="assign"),
    path("<int:pk>/antwoorden/", views.answer, name="answer"),
    path("<int:pk>/afsluiten/", views.close, name="close"),
    path("quarantaine/", views.quarantine_list, name="quarantine"),
    path("quarantaine/<int:pk>/", views.quarantine_detail, name="quarantine_detail"),
    path("meldingen/", views.notifications, name="notifications"),
    path("stuurinformatie/", views.management, name="management"),
    path("stuurinformatie/export.csv", views.management_export, name="management_export"),
]
