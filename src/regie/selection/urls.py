from django.urls import path

from regie.selection import steering_views, views

app_name = "selection"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("bulk/", views.bulk, name="bulk"),
    path("kader/", steering_views.framework_rules, name="framework"),
    path("kader/nieuw/", steering_views.framework_rule_add, name="framework_add"),
    path("model/", steering_views.model_page, name="model"),
    path("model/schakelaar/", steering_views.model_switch, name="model_switch"),
    path("model/fitten/", steering_views.model_fit, name="model_fit"),
    path("kwaliteit/", steering_views.quality, name="quality"),
    path("<int:pk>/", views.case_detail, name="case"),
    path("<int:pk>/actie/", views.case_action, name="action"),
    path("<int:pk>/indicaties/", views.case_leads, name="leads"),
    path("<int:pk>/statuscode/", views.case_status_code, name="status_code"),
]
