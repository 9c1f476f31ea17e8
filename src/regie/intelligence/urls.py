from django.urls import path

from regie.intelligence import views

app_name = "intelligence"

urlpatterns = [
    path("koppelingen/", views.proposals, name="proposals"),
    path("koppelingen/<int:pk>/besluit/", views.decide, name="decide"),
    path("series/<int:pk>/", views.series_detail, name="series"),
    path("netwerk/<str:kind>/<int:pk>/", views.network, name="network"),
    path("problemen/", views.problems, name="problems"),
    path("problemen/nieuw/", views.problem_create, name="problem_create"),
    path("problemen/<int:pk>/", views.problem_detail, name="problem"),
    path("problemen/<int:pk>/toevoegen/", views.problem_add, name="problem_add"),
    path("problemen/<int:pk>/status/", views.problem_status, name="problem_status"),
    path("beeld/", views.picture_page, name="picture"),
    path("beeld.pdf", views.picture_pdf, name="picture_pdf"),
]
