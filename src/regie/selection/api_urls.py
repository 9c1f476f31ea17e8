from django.urls import path

from regie.selection import api

urlpatterns = [
    path("cases/", api.CaseQueue.as_view(), name="api-cases"),
    path("cases/<int:pk>/", api.CaseDetail.as_view(), name="api-case"),
    path("cases/<int:pk>/transitions/", api.CaseTransitions.as_view(), name="api-case-transitions"),
]
