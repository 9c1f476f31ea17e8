from django.urls import include, path

from regie.selection import views as selection_views

api_patterns = [
    path("", include("regie.organisation.api_urls")),
    path("", include("regie.audit.api_urls")),
    path("", include("regie.registration.api_urls")),
    path("", include("regie.selection.api_urls")),
    path("", include("regie.core.api_urls")),
]

urlpatterns = [
    path("", include("regie.core.urls")),
    path("organisatie/", include("regie.organisation.urls")),
    path("audit/", include("regie.audit.urls")),
    path("registraties/", include("regie.registration.urls")),
    path("aangifte-doen/", include("regie.registration.online_urls")),
    path("zaken/", include("regie.selection.urls")),
    path("statistiek/", include("regie.statistics.urls")),
    path("anticipatie/", include("regie.anticipation.urls")),
    path("rechtshulp/", include("regie.legal_assistance.urls")),
    path("intelligence/", include("regie.intelligence.urls")),
    path("zoeken/", include("regie.search.urls")),
    path("signalen/", include("regie.alerts.urls")),
    path("tips/", include("regie.tips.urls")),
    path("mijn-zaak/", selection_views.victim_status, name="victim_status"),
    path("api/v1/", include(api_patterns)),
]

handler400 = "regie.core.errors.bad_request"
handler403 = "regie.core.errors.permission_denied"
handler404 = "regie.core.errors.page_not_found"
handler500 = "regie.core.errors.server_error"
