"""Citizen online reporting under /aangifte-doen/ (see :mod:`regie.registration.online`).

No URL takes a path parameter: the receipt shows the registration kept in the session."""

from django.urls import path

from regie.registration import online

app_name = "online"
urlpatterns = [
    path("", online.start, name="start"),
    path("inloggen/", online.login, name="login"),
    path("digid/ontwikkel/", online.digid_dev, name="digid_dev"),
    path("digid/terug/", online.digid_return, name="digid_return"),
    path("uitloggen/", online.logout, name="logout"),
    path("fietsdiefstal/", online.report_bicycle, name="bicycle"),
    path("diefstal-uit-auto/", online.report_car, name="car"),
    path("oplichting-online-aankoop/", online.report_fraud, name="fraud"),
    path("winkeldiefstal/", online.report_shoplifting, name="shoplifting"),
    path("ontvangstbevestiging/", online.receipt, name="receipt"),
]
