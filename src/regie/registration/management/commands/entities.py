"""``regie entities``: entity resolution of the register's core objects.

regie entities train [--kind KIND] [--no-activate] [--seed N] [--min-records N]
regie entities activate --kind KIND MODEL_ID|none   # person: none = the rule-based matcher
regie entities resolve [--kind KIND] [--engine duckdb|spark] [--spark-master URL]
regie entities status

KIND: person (default), organisation, good, location; ``all`` for train and resolve.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count

from regie.registration import resolution
from regie.registration.models import MatchModel, PairReview

KIND_CHOICES = [*resolution.KINDS, "all"]


class Command(BaseCommand):
    help = "Train entity-resolution models, run the batch resolution, show the review queue."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        train = sub.add_parser("train", help="train a model on the register's objects of a kind")
        train.add_argument("--kind", choices=KIND_CHOICES, default="person")
        train.add_argument("--no-activate", action="store_true")
        train.add_argument("--seed", type=int, default=42)
        train.add_argument("--min-records", type=int, default=resolution.MIN_TRAINING_RECORDS)
        activate = sub.add_parser("activate", help="choose the active model of a kind")
        activate.add_argument("--kind", choices=list(resolution.KINDS), default="person")
        activate.add_argument("model", help="a model id, or 'none'")
        run = sub.add_parser("resolve", help="put possible duplicates in the review queue")
        run.add_argument("--kind", choices=KIND_CHOICES, default="person")
        run.add_argument("--engine", choices=["duckdb", "spark"], default="duckdb")
        run.add_argument(
            "--spark-master", default="local[2]", help="Spark master URL (with --engine spark)"
        )
        sub.add_parser("status", help="the active models and the review queue")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        kinds = (
            list(resolution.KINDS)
            if options.get("kind") == "all"
            else [options.get("kind", "person")]
        )
        try:
            if action == "train":
                for kind in kinds:
                    try:
                        self._train(kind, options)
                    except resolution.ResolutionError as error:
                        if options["kind"] != "all":
                            raise
                        self.stderr.write(f"{kind}: not trained: {error}")
            elif action == "activate":
                raw = options["model"]
                if raw != "none" and not raw.isdigit():
                    raise CommandError(f"not a model id or 'none': {raw!r}", returncode=2)
                resolution.activate_model(kinds[0], None if raw == "none" else int(raw), actor=None)
                self.stdout.write(f"{kinds[0]}: active {raw}")
            elif action == "resolve":
                session = None
                if options["engine"] == "spark":
                    from regie.intelligence.er.spark import SparkUnavailable, spark_session

                    try:
                        session = spark_session(options["spark_master"])
                    except SparkUnavailable as error:
                        raise CommandError(str(error), returncode=2) from error
                for kind in kinds:
                    if (
                        options["kind"] == "all"
                        and not MatchModel.objects.filter(object_type=kind, active=True).exists()
                    ):
                        self.stderr.write(f"{kind}: no active model, skipped")
                        continue
                    result = resolution.resolve(
                        kind,
                        actor=None,
                        engine=options["engine"],
                        spark_session=session,
                        progress=self.stdout.write,
                    )
                    self.stdout.write(
                        f"{kind}: {result.objects} objects, {result.pairs} pairs: "
                        f"{result.new_reviews} new in the queue, {result.updated_reviews} "
                        f"updated, {result.skipped_decided} already decided, "
                        f"{result.skipped_registry} with different registry numbers, "
                        f"{result.obsolete} obsolete; {result.seconds} s"
                    )
            else:
                self._status()
        except resolution.ResolutionError as error:
            raise CommandError(str(error), returncode=2) from error

    def _train(self, kind: str, options: dict[str, Any]) -> None:
        model = resolution.train_model(
            kind,
            actor=None,
            activate=not options["no_activate"],
            seed=options["seed"],
            min_records=options["min_records"],
        )
        self.stdout.write(
            f"{kind}: model {model.pk} on {model.record_count} objects, "
            f"{model.summary.get('training_seconds')} s" + (" (active)" if model.active else "")
        )

    def _status(self) -> None:
        for kind in resolution.KINDS:
            active = MatchModel.objects.filter(object_type=kind, active=True).first()
            label = (
                f"model {active.pk}, trained {active.trained_at:%Y-%m-%d %H:%M} on "
                f"{active.record_count} objects"
                if active
                else ("rule based" if kind == "person" else "no model")
            )
            counts = dict(
                PairReview.objects.filter(object_type=kind)
                .values_list("status")
                .annotate(n=Count("pk"))
                .order_by()
            )
            queue = ", ".join(f"{status} {n}" for status, n in sorted(counts.items())) or "empty"
            self.stdout.write(f"{kind}: {label}; queue: {queue}")
