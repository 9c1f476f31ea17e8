from django.urls import path

from regie.tips import views

app_name = "tips"

urlpatterns = [
    path("", views.desk, name="desk"),
    path("telefoon/", views.phone_intake, name="phone"),
    path("<int:pk>/", views.tip_detail, name="tip"),
    path("<int:pk>/herschrijven/", views.tip_rewrite, name="rewrite"),
    path("<int:pk>/doorzetten/", views.tip_forward, name="forward"),
    path("<int:pk>/niet-concreet/", views.tip_not_concrete, name="not_concrete"),
    path("<int:pk>/afsluiten/", views.tip_close, name="close"),
    path("<int:pk>/vraag/", views.tip_ask, name="ask"),
    path("bijlage/<int:pk>/", views.attachment, name="attachment"),
    path("ontvangen/", views.inbox, name="inbox"),
    path("ontvangen/ontgrendelen/", views.unlock, name="unlock"),
    path("ontvangen/vergrendelen/", views.lock, name="lock"),
    path("ontvangen/<int:tip>/", views.received, name="received"),
    path(
        "ontvangen/<int:tip>/bijlage/<int:index>/",
        views.received_attachment,
        name="received_attachment",
    ),
    path("ontvangen/<int:tip>/bevestigen/", views.acknowledge, name="acknowledge"),
    path("ontvangen/<int:tip>/terugkoppeling/", views.feedback, name="feedback"),
    path("facturatie/", views.billing_overview, name="billing"),
    path("facturatie/vergelijking.csv", views.billing_csv, name="billing_csv"),
    path("statistiek/", views.statistics, name="statistics"),
]
