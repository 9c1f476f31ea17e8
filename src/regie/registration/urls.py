from django.urls import path

from regie.registration import desk, views

app_name = "registration"
urlpatterns = [
    path("", views.registration_list, name="list"),
    path("nieuw/", desk.desk_new, name="new"),
    path("nieuw/personen-suggesties/", desk.person_suggest, name="person_suggest"),
    path("personen/<int:pk>/", views.person_detail, name="person"),
    path("<str:number>/", views.registration_detail, name="detail"),
]
