from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from regie.core.access import PUBLIC


class SchemaView(SpectacularAPIView):
    """The OpenAPI schema of this API (public: it holds no data)."""

    required_perm = PUBLIC


urlpatterns = [
    path("schema/", SchemaView.as_view(), name="api-schema"),
]
