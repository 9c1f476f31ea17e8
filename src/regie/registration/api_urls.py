from django.urls import path

from regie.registration import api

urlpatterns = [
    path("registrations/", api.RegistrationCollection.as_view(), name="api-registrations"),
    path("registrations/<str:number>/", api.RegistrationDetail.as_view(), name="api-registration"),
]
