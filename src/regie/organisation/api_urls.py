from django.urls import path

from regie.organisation import api

urlpatterns = [
    path("me/", api.Me.as_view(), name="api-me"),
    path("units/", api.UnitList.as_view(), name="api-units"),
    path("districts/", api.DistrictList.as_view(), name="api-districts"),
    path("base-teams/", api.BaseTeamList.as_view(), name="api-base-teams"),
    path("base-teams/<str:code>/", api.BaseTeamDetail.as_view(), name="api-base-team"),
    path("municipalities/", api.MunicipalityList.as_view(), name="api-municipalities"),
    path("municipalities/<str:code>/", api.MunicipalityDetail.as_view(), name="api-municipality"),
    path("locate/", api.Locate.as_view(), name="api-locate"),
    path("staff/", api.StaffList.as_view(), name="api-staff"),
    path("staff/<int:pk>/", api.StaffDetail.as_view(), name="api-staff-detail"),
]
