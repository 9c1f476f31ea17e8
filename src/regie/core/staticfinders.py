"""Serves vendored JavaScript that ships inside Python packages (no CDN, works offline).

``vendor/plotly.min.js`` comes from the installed ``plotly`` package; htmx comes with
django-htmx (``{% htmx_script %}``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import plotly
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

VENDOR = {
    "vendor/plotly.min.js": Path(plotly.__file__).parent / "package_data" / "plotly.min.js",
}


class VendorFinder(BaseFinder):
    def check(self, **kwargs: Any) -> list[Any]:
        return []

    def find(self, path: str, find_all: bool = False, **kwargs: Any) -> Any:
        source = VENDOR.get(path)
        if source is None or not source.exists():
            return [] if find_all else ""
        return [str(source)] if find_all else str(source)

    def list(self, ignore_patterns: Any) -> Iterator[tuple[str, FileSystemStorage]]:
        for rel, source in VENDOR.items():
            storage = FileSystemStorage(location=str(source.parent))
            storage.prefix = str(Path(rel).parent)  # type: ignore[attr-defined]
            yield source.name, storage
