"""``regie legal``: the LIRC work queue from the command line.

regie legal import PATH...   # files or directories of .json/.xml (one message per file) and
                             # .jsonl/.ndjson (JSON Lines: one message per line)
regie legal train-classifier [--from-synthetic N] [--seed S]
                             # fit the text classifier on the triaged messages (seeded with
                             # N synthetic messages, or automatically when there are too few)

Every message goes through the intake service: a valid one is triaged and grouped with its
duplicates, an invalid one is quarantined with its errors (never dropped). The summary lists
the counts; the exit code is 1 when something was quarantined.
"""

from __future__ import annotations

from argparse import ArgumentParser
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from regie.legal_assistance import classifier
from regie.legal_assistance.models import QuarantinedMessage
from regie.legal_assistance.services import receive, train_classifier

MESSAGE_SUFFIXES = {".json", ".xml"}
LINES_SUFFIXES = {".jsonl", ".ndjson"}


def payloads(paths: list[Path]) -> Iterator[tuple[str, bytes]]:
    """(where, payload) for every message under ``paths``, in name order."""
    for path in paths:
        if path.is_dir():
            files = sorted(
                p
                for p in path.rglob("*")
                if p.is_file() and p.suffix.lower() in MESSAGE_SUFFIXES | LINES_SUFFIXES
            )
        elif path.is_file():
            files = [path]
        else:
            raise CommandError(f"{path}: no such file or directory")
        for f in files:
            raw = f.read_bytes()
            if f.suffix.lower() in LINES_SUFFIXES:
                for n, line in enumerate(raw.splitlines(), start=1):
                    if line.strip():
                        yield f"{f}:{n}", line
            else:
                yield str(f), raw


class Command(BaseCommand):
    help = "Import LIRC messages (JSON, XML, JSON Lines) into the work queue."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="import message files or directories")
        imp.add_argument("paths", nargs="+", type=Path, metavar="PATH")
        imp.add_argument("--channel", default="import", help="intake channel recorded")
        train = sub.add_parser(
            "train-classifier",
            help="fit the text classifier that proposes a category (a new version)",
        )
        train.add_argument(
            "--from-synthetic",
            type=int,
            default=None,
            metavar="N",
            help="add N synthetic messages to the examples (done automatically with "
            f"{classifier.SYNTHETIC_DEFAULT} when fewer than {classifier.MIN_TRIAGED} "
            "messages have been triaged)",
        )
        train.add_argument("--seed", type=int, default=1)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "train-classifier":
            self.train(options)
            return
        counts: Counter[str] = Counter()
        for where, payload in payloads(options["paths"]):
            result = receive(payload, channel=options["channel"], actor=None)
            if isinstance(result, QuarantinedMessage):
                counts["quarantined"] += 1
                first = result.errors[0] if result.errors else {}
                self.stderr.write(
                    f"{where}: quarantined as Q{result.pk}: "
                    f"{first.get('path') or '(message)'}: {first.get('message', '')}"
                )
            else:
                counts["imported"] += 1
                counts[f"priority {result.priority}"] += 1
                if result.case.messages.count() > 1:
                    counts["joined a case"] += 1
        summary = ", ".join(
            f"{counts[k]} {k}"
            for k in (
                "imported",
                "quarantined",
                "joined a case",
                *(f"priority {p}" for p in range(1, 5)),
            )
            if counts[k]
        )
        self.stdout.write(f"legal import: {summary or 'nothing to import'}")
        if counts["quarantined"]:
            raise CommandError(f"{counts['quarantined']} message(s) quarantined", returncode=1)

    def train(self, options: dict[str, Any]) -> None:
        n = options["from_synthetic"]
        if n is not None and n < 1:
            raise CommandError("--from-synthetic needs a positive number")
        try:
            row = train_classifier(actor=None, from_synthetic=n, seed=options["seed"])
        except classifier.ClassifierError as exc:
            raise CommandError(str(exc)) from exc
        accuracy = "n/a" if row.accuracy is None else f"{row.accuracy:.1%}"
        self.stdout.write(
            f"legal train-classifier: version {row.pk}, source {row.source}, "
            f"{row.n_examples} examples ({row.n_triaged} triaged, {row.n_synthetic} synthetic), "
            f"accuracy {accuracy} on {row.n_held_back} held back, "
            f"categories {', '.join(row.labels)}"
        )
