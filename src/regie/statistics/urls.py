from django.urls import path

from regie.statistics import views

app_name = "statistics"

urlpatterns = [
    path("", views.dashboard_page, name="dashboard"),
    path("dashboard.<slug:fmt>", views.dashboard_export, name="dashboard_export"),
    path("telregels/", views.counts, name="counts"),
    path("trechter/", views.case_funnel, name="funnel"),
    path("trend/", views.trend_page, name="trend"),
    path("export/<slug:table>.<slug:fmt>", views.export, name="export"),
    path("registratiekwaliteit/", views.registration_quality, name="quality"),
]
