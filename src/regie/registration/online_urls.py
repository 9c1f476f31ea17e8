"""Citizen online reporting (filled in by the online-intake work)."""

from django.urls import URLPattern

app_name = "online"
urlpatterns: list[URLPattern] = []
