"""``regie search``: the search index.

regie search reindex [--kind KIND ...]   # rebuild the index (all kinds, or these), with progress
regie search status                     # documents per kind
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count

from regie.search import services
from regie.search.models import SearchDocument
from regie.search.providers import providers


class Command(BaseCommand):
    help = "Rebuild or inspect the search index."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        rebuild = sub.add_parser("reindex", help="rebuild the index from the sources")
        rebuild.add_argument(
            "--kind", action="append", dest="kinds", metavar="KIND", help="only this kind"
        )
        sub.add_parser("status", help="documents per kind")

    def handle(self, *args: Any, **options: Any) -> None:
        known = [p.kind for p in providers()]
        if options["action"] == "status":
            counts = dict(
                SearchDocument.objects.values("kind")
                .annotate(n=Count("pk"))
                .values_list("kind", "n")
            )
            for kind in known:
                self.stdout.write(f"{kind}: {counts.get(kind, 0)} documents")
            return
        kinds = options.get("kinds") or []
        unknown = [k for k in kinds if k not in known]
        if unknown:
            raise CommandError(
                f"unknown kind {', '.join(unknown)}; choose from {', '.join(known)}", returncode=2
            )

        def progress(kind: str, done: int) -> None:
            self.stdout.write(f"  {kind}: {done} documents ...")
            self.stdout.flush()

        for report in services.reindex(kinds or None, progress=progress):
            self.stdout.write(
                f"{report.kind}: {report.documents} documents in {report.seconds:.1f} s"
            )
