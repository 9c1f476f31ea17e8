from django.urls import path

from regie.alerts import views

app_name = "alerts"

urlpatterns = [
    path("", views.queues, name="queues"),
    path("wachtrij/<str:code>/", views.queue, name="queue"),
    path("signaal/<int:pk>/", views.flag_detail, name="flag"),
    path("signaal/<int:pk>/actie/", views.flag_action, name="flag_action"),
    path("regels/", views.rules, name="rules"),
    path("regels/<str:code>/", views.rule_edit, name="rule_edit"),
    path("volglijsten/", views.watchlists, name="watchlists"),
    path("volglijsten/<int:pk>/", views.watchlist, name="watchlist"),
    path("volglijsten/<int:pk>/toevoegen/", views.entry_add, name="entry_add"),
    path("volglijsten/vermelding/<int:pk>/beeindigen/", views.entry_remove, name="entry_remove"),
    path("meldingen/", views.notifications, name="notifications"),
]
