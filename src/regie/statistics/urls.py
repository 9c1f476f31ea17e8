from django.urls import path

from regie.statistics import views

app_name = "statistics"

urlpatterns = [
    path("", views.counts, name="counts"),
    path("trechter/", views.case_funnel, name="funnel"),
    path("export/<slug:table>.<slug:fmt>", views.export, name="export"),
]
