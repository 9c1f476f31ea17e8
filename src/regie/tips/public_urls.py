"""URLs of the public intake process (see :mod:`regie.tips.public_settings`)."""

from django.urls import path

from regie.tips import public_views

urlpatterns = [
    path("", public_views.intake, name="tips_public_intake"),
    path("bonnummer/", public_views.follow_up, name="tips_public_follow_up"),
    path("bonnummer/aanvullen/", public_views.add_information, name="tips_public_add"),
    path("favicon.ico", public_views.favicon, name="tips_public_favicon"),
    path("health/", public_views.health, name="tips_public_health"),
]

handler404 = "regie.tips.public_views.not_found"
handler500 = "regie.tips.public_views.server_error"
