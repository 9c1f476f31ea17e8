from __future__ import annotations

import csv
import datetime as dt
import queue
import sys
import threading
from argparse import ArgumentParser
from collections.abc import Callable, Collection, Iterator
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from regie.organisation.selectors import locator
from regie.registration.bulk import Prepared, import_prepared, prepare
from regie.registration.importer import (
    FileFormatError,
    RowError,
    count_rows,
    decode_line,
    parse_csv_row,
    parse_object,
    read_rows,
)
from regie.registration.inputs import RegistrationIn
from regie.registration.services import _codes

#: Rows per chunk parsed ahead, and chunks ready at most.
CHUNK = 500
IN_FLIGHT = 8

#: A rejected row before the database: (row number, ref, field, message).
Rejected = tuple[int, str, str, str]
Outcome = tuple[int, Prepared] | Rejected


def prepare_chunk(
    chunk: list[tuple[int, Any, str | None]],
    csv_format: bool,
    source_tag: str,
    now: dt.datetime,
    known_codes: Collection[str],
) -> list[Outcome]:
    """Parse and check a chunk of raw records (JSON text or CSV dicts): the CPU-bound part
    of an import (pure: no database)."""
    parse: Callable[[dict[str, Any]], tuple[str, RegistrationIn]] = (
        parse_csv_row if csv_format else parse_object
    )
    out: list[Outcome] = []
    for n, record, problem in chunk:
        raw = record
        if isinstance(record, str):
            raw, problem = decode_line(record)
        if problem is not None or raw is None:
            out.append((n, "", "(regel)", problem or "leeg"))
            continue
        try:
            ref, reg = parse(raw)
        except RowError as exc:
            raw_ref = str(raw.get("ref", "")) if isinstance(raw, dict) else ""
            out.append((n, f"{source_tag}:{raw_ref}" if raw_ref else "", exc.field, exc.message))
            continue
        out.append((n, prepare(f"{source_tag}:{ref}", reg, now=now, known_codes=known_codes)))
    return out


def _chunks(path: Path) -> Iterator[list[tuple[int, Any, str | None]]]:
    chunk: list[tuple[int, Any, str | None]] = []
    for record in read_rows(path, decode=False):
        chunk.append(record)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


_END = object()


class ParseAhead:
    """Reads, parses and checks the file in a thread, a few chunks ahead (pure Python, no
    database), while the caller's thread waits for the database to store the batch before.
    Bounded: the file is never in memory as a whole. Iterate for the outcomes in file order;
    an error of the reader (a bad file) is raised in the caller's thread."""

    def __init__(
        self,
        path: Path,
        csv_format: bool,
        source_tag: str,
        now: dt.datetime,
        known_codes: Collection[str],
    ) -> None:
        self._args = (csv_format, source_tag, now, known_codes)
        self._path = path
        self._queue: queue.Queue[object] = queue.Queue(maxsize=IN_FLIGHT)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="regie-import-parse", daemon=True)

    def _put(self, item: object) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _run(self) -> None:
        try:
            for chunk in _chunks(self._path):
                if not self._put(prepare_chunk(chunk, *self._args)):
                    return
            self._put(_END)
        except BaseException as exc:  # handed to the caller's thread
            self._put(exc)

    def __enter__(self) -> Iterator[Outcome]:
        self._thread.start()
        return self._outcomes()

    def _outcomes(self) -> Iterator[Outcome]:
        while True:
            item = self._queue.get()
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            yield from item  # type: ignore[misc]

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


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
        reg.add_argument("--batch-size", type=int, default=2000)
        reg.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not 1 <= options["batch_size"] <= 20_000:
            raise CommandError("--batch-size must lie between 1 and 20000", returncode=2)
        errors_path: Path = options["errors"] or path.with_name(path.name + ".errors.csv")
        source = "import"
        source_tag = options["source"][:20]  # the source system; part of each row's ref
        csv_format = path.suffix.lower() == ".csv"
        now = timezone.now()
        codes = frozenset(_codes())
        created = skipped = rejected = 0
        try:
            total = count_rows(path)
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
                batch: list[Prepared] = []
                row_of: dict[str, int] = {}

                def flush() -> None:
                    nonlocal created, skipped, rejected
                    if not batch:
                        return
                    result = import_prepared(batch, actor=None, source=source, now=now)
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

                with ParseAhead(path, csv_format, source_tag, now, codes) as outcomes:
                    # The point index is built while the first chunks are parsed.
                    locator()
                    for outcome in outcomes:
                        if len(outcome) == 4:
                            rejected += 1
                            errors.writerow(outcome)
                            bar.update(1)
                            continue
                        n, row = outcome
                        if row.ref in row_of:
                            rejected += 1
                            errors.writerow([n, row.ref, "ref", "dubbele ref in hetzelfde bestand"])
                            bar.update(1)
                            continue
                        row_of[row.ref] = n
                        batch.append(row)
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
