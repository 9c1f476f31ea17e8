from django.urls import path

from regie.registration import desk, review_views, views

app_name = "registration"
urlpatterns = [
    path("", views.registration_list, name="list"),
    path("nieuw/", desk.desk_new, name="new"),
    path("nieuw/personen-suggesties/", desk.person_suggest, name="person_suggest"),
    path("personen/<int:pk>/", views.person_detail, name="person"),
    path("dubbelen/", review_views.review_queue, name="review_queue"),
    path("dubbelen/<int:pk>/", review_views.review_detail, name="review"),
    path("<str:number>/", views.registration_detail, name="detail"),
]
