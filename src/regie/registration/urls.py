from django.urls import path

from regie.registration import views

app_name = "registration"
urlpatterns = [
    path("", views.registration_list, name="list"),
    path("personen/<int:pk>/", views.person_detail, name="person"),
    path("<str:number>/", views.registration_detail, name="detail"),
]
