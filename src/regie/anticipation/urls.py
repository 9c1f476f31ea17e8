from django.urls import path

from regie.anticipation import views

app_name = "anticipation"

urlpatterns = [
    path("", views.team_page, name="team"),
    path("schakelaar/", views.switch, name="switch"),
    path("<int:pk>/modelkaart/", views.model_card, name="model_card"),
    path("<int:pk>/advies.<str:fmt>", views.export, name="export"),
]
