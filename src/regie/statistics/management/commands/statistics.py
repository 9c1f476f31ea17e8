"""``regie statistics``: keep the dashboards' summary tables current.

regie statistics refresh               # recompute the partitions changed since the last run
regie statistics refresh --every 30    # ... and again every 30 seconds until stopped
regie statistics refresh --full        # drop and rebuild every summary row
regie statistics status                # last refresh, partitions waiting
"""

from __future__ import annotations

import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from regie.statistics import services


class Command(BaseCommand):
    help = "Refresh the summary tables the statistics dashboards read."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        refresh = sub.add_parser("refresh", help="recompute changed partitions")
        refresh.add_argument("--full", action="store_true", help="rebuild everything")
        refresh.add_argument(
            "--every", type=int, metavar="SECONDS", help="repeat every SECONDS until stopped"
        )
        refresh.add_argument("--limit", type=int, help="at most this many partitions per run")
        sub.add_parser("status", help="last refresh and partitions waiting")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "status":
            st = services.status()
            when = st["refreshed_at"].isoformat() if st["refreshed_at"] else "never"
            self.stdout.write(f"last refresh: {when}; partitions waiting: {st['pending']}")
            return
        every = options.get("every")
        if every is not None and every < 1:
            raise CommandError("--every must be at least 1 second")
        if options["full"] and every:
            raise CommandError("--full rebuilds once; do not combine it with --every")
        full = bool(options["full"])
        while True:
            report = services.refresh(limit=options.get("limit"), full=full)
            if report.partitions or report.failed or every is None:
                self.stdout.write(
                    f"{report.partitions} partition(s) refreshed in {report.seconds:.1f} s "
                    f"({report.offence_rows} offence rows, {report.case_rows} case rows)"
                )
            if report.failed:
                self.stderr.write(
                    "skipped (inconsistent case history, see the log): " + ", ".join(report.failed)
                )
            if every is None:
                if report.failed:
                    raise CommandError(f"{len(report.failed)} partition(s) could not be refreshed")
                return
            full = False
            time.sleep(every)
