from __future__ import annotations

import csv
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from regie.registration.bulk import import_batch
from regie.registration.importer import (
    FileFormatError,
    RowError,
    parse_csv_row,
    parse_object,
    read_rows,
)
from regie.registration.inputs import RegistrationIn


class Command(BaseCommand):
    help = (
        "Import legacy registrations from CSV or JSON Lines: every row validated, good rows "
        "committed, bad rows written to an error file; rerunnable without duplicates."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        reg = sub.add_parser("registrations", help="registrations (.csv or .jsonl)")
        reg.add_argument("file", type=Path)
        reg.add_argument(
            "--source",
            default="import",
            help="name of the source system (part of the duplicate check)",
        )
        reg.add_argument(
            "--errors", type=Path, help="error file (default: FILE.errors.csv next to the input)"
        )
        reg.add_argument("--batch-size", type=int, default=1000)
        reg.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not 1 <= options["batch_size"] <= 20_000:
            raise CommandError("--batch-size must lie between 1 and 20000", returncode=2)
        errors_path: Path = options["errors"] or path.with_name(path.name + ".errors.csv")
        source = "import"
        source_tag = options["source"][:20]  # the source system; part of each row's ref
        parse = parse_csv_row if path.suffix.lower() == ".csv" else parse_object
        created = skipped = rejected = 0
        try:
            total = sum(1 for _ in read_rows(path))
            rows = read_rows(path)
            with (
                errors_path.open("w", newline="", encoding="utf-8") as err_fh,
                tqdm(
                    total=total,
                    unit="reg",
                    disable=options["no_progress"] or not sys.stderr.isatty(),
                    file=sys.stderr,
                ) as bar,
            ):
                errors = csv.writer(err_fh)
                errors.writerow(["row", "ref", "field", "message"])
                batch: list[tuple[str, RegistrationIn]] = []
                row_of: dict[str, int] = {}

                def flush() -> None:
                    nonlocal created, skipped, rejected
                    if not batch:
                        return
                    result = import_batch(batch, actor=None, source=source)
                    created += len(result.created)
                    skipped += len(result.skipped)
                    for ref, errs in result.errors.items():
                        rejected += 1
                        for field, messages in errs.items():
                            for m in messages:
                                errors.writerow([row_of[ref], ref, field, m])
                    bar.update(len(batch))
                    batch.clear()
                    row_of.clear()

                for n, raw, problem in rows:
                    if problem is not None or raw is None:
                        rejected += 1
                        errors.writerow([n, "", "(regel)", problem])
                        bar.update(1)
                        continue
                    try:
                        ref, reg = parse(raw)
                    except RowError as exc:
                        rejected += 1
                        raw_ref = str(raw.get("ref", "")) if isinstance(raw, dict) else ""
                        errors.writerow(
                            [
                                n,
                                f"{source_tag}:{raw_ref}" if raw_ref else "",
                                exc.field,
                                exc.message,
                            ]
                        )
                        bar.update(1)
                        continue
                    ref = f"{source_tag}:{ref}"
                    if ref in row_of:
                        rejected += 1
                        errors.writerow([n, ref, "ref", "dubbele ref in hetzelfde bestand"])
                        bar.update(1)
                        continue
                    row_of[ref] = n
                    batch.append((ref, reg))
                    if len(batch) >= options["batch_size"]:
                        flush()
                flush()
        except FileFormatError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        self.stdout.write(
            f"imported {created}, already present {skipped}, rejected {rejected}"
            + (f" (see {errors_path})" if rejected else "")
        )
        if rejected:
            raise CommandError(f"{rejected} row(s) rejected; see {errors_path}", returncode=1)
