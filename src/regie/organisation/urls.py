from django.urls import path

from regie.organisation import views

app_name = "organisation"
urlpatterns = [
    path("", views.units, name="units"),
    path("mijn-team/", views.my_team, name="my_team"),
    path("locatie/", views.locate, name="locate"),
    path("eenheden/<str:code>/", views.unit_detail, name="unit"),
    path("districten/<str:code>/", views.district_detail, name="district"),
    path("basisteams/<str:code>/", views.base_team_detail, name="base_team"),
    path("gemeenten/<str:code>/", views.municipality_detail, name="municipality"),
    path("medewerkers/", views.staff_list, name="staff_list"),
    path("medewerkers/<int:pk>/", views.staff_detail, name="staff_detail"),
]
