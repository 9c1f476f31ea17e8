"""``regie statistics``: keep the dashboards' summary tables current.

regie statistics refresh               # recompute the partitions changed since the last run
regie statistics refresh --every 30    # ... and again every 30 seconds until stopped
regie statistics refresh --full        # drop and rebuild every summary row
regie statistics status                # last refresh, partitions waiting
regie statistics quality-check [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--folds 5] [--if-none]
                                       # the misclassification detector's review list
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from regie.core.argtypes import date_type
from regie.statistics import services

logger = logging.getLogger(__name__)


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
        check = sub.add_parser("quality-check", help="flag likely misclassified registrations")
        check.add_argument("--from", dest="start", type=date_type, help="first report date")
        check.add_argument("--to", dest="end", type=date_type, help="last report date")
        check.add_argument("--folds", type=int, default=5)
        check.add_argument(
            "--if-none", action="store_true", help="only when no check has run yet (make run)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "quality-check":
            self.quality_check(options)
            return
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
            try:
                report = services.refresh(limit=options.get("limit"), full=full)
            except Exception as exc:
                if every is None:
                    raise
                # The refresher next to the web server keeps going (a lost database
                # connection, a deadlock): the marks stay, the next round retries.
                logger.exception("summary refresh failed; retrying in %s s", every)
                self.stderr.write(f"refresh failed ({exc.__class__.__name__}); retrying")
                if connection.connection is not None and not connection.is_usable():
                    connection.close()  # the next round opens a fresh one
                time.sleep(every)
                continue
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

    def quality_check(self, options: dict[str, Any]) -> None:
        from regie.registration.models import Registration
        from regie.statistics.models import QualityCheck

        if options["if_none"] and QualityCheck.objects.exists():
            self.stdout.write("a quality check exists; nothing done (--if-none)")
            return
        if not 2 <= options["folds"] <= 20:
            raise CommandError("--folds must be between 2 and 20")
        end = options.get("end")
        start = options.get("start")
        if end is None or start is None:
            last = Registration.objects.order_by("-reported_at").values_list(
                "reported_at", flat=True
            )
            latest = last.first()
            if latest is None:
                raise CommandError("no registrations to check")
            end = end or timezone.localtime(latest).date()
            start = start or end - dt.timedelta(days=90)
        if end < start:
            raise CommandError("--to lies before --from")
        try:
            run = services.run_quality_check(
                actor=None, start=start, end=end, folds=options["folds"]
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"{run.registrations} registrations checked ({start} to {end}, {run.folds} folds): "
            f"{run.flagged} on the review list"
        )
