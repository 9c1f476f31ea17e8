"""``{% search_box %}``: the one search box in the page header, for users who may search."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from regie.core.access import allowed
from regie.organisation.roles import Perm

register = template.Library()


@register.inclusion_tag("search/box.html", takes_context=True)
def search_box(context: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    show = user is not None and allowed(user, Perm.SEARCH)
    q = request.GET.get("q", "") if show and request.path == reverse("search:search") else ""
    return {"show": show, "q": q}
