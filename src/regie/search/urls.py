from django.urls import path

from regie.search import views

app_name = "search"
urlpatterns = [
    path("", views.search_page, name="search"),
    path("open/<str:kind>/<int:pk>/", views.open_result, name="open"),
    path("object/<str:kind>/<int:pk>/", views.object_detail, name="object"),
]
