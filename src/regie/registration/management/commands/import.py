from __future__ import annotations

import csv
import datetime as dt
import multiprocessing
import os
import queue
import sys
import threading
from argparse import ArgumentParser
from collections.abc import Callable, Collection, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from regie.organisation.selectors import locator
from regie.registration import import_jobs
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
#: From this many rows on, two writer processes (see ``_default_jobs``).
PARALLEL_FROM = 10_000

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


def _chunks(
    path: Path, owned: Callable[[int], bool] | None = None
) -> Iterator[list[tuple[int, Any, str | None]]]:
    chunk: list[tuple[int, Any, str | None]] = []
    for record in read_rows(path, decode=False):
        if owned is not None and not owned(record[0]):
            continue
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
        owned: Callable[[int], bool] | None = None,
    ) -> None:
        self._args = (csv_format, source_tag, now, known_codes)
        self._path = path
        self._owned = owned
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
            for chunk in _chunks(self._path, self._owned):
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


@dataclass
class ShareResult:
    created: int = 0
    skipped: int = 0
    rejected: list[Rejected] = field(default_factory=list)


def run_share(
    *,
    path: Path,
    csv_format: bool,
    source_tag: str,
    now: dt.datetime,
    batch_size: int,
    job: int = 0,
    jobs: int = 1,
    progress: Callable[[int], object] = lambda n: None,
) -> ShareResult:
    """Import the rows of ``path`` that belong to share ``job`` of ``jobs``: the blocks of
    ``batch_size`` consecutive rows whose number modulo ``jobs`` is ``job`` (all rows for
    one job). Each share is its own writer: batches are transactions, and a core object
    that another share registers at the same moment makes a batch go again (see
    ``bulk.import_prepared``)."""
    result = ShareResult()
    codes = frozenset(_codes())
    batch: list[Prepared] = []
    row_of: dict[str, int] = {}

    def flush() -> None:
        if not batch:
            return
        done = import_prepared(batch, actor=None, source="import", now=now)
        result.created += len(done.created)
        result.skipped += len(done.skipped)
        for ref, errs in done.errors.items():
            for name, messages in errs.items():
                result.rejected.extend((row_of[ref], ref, name, m) for m in messages)
        progress(len(batch))
        batch.clear()
        row_of.clear()

    def owned(n: int) -> bool:
        return ((n - 1) // batch_size) % jobs == job

    with ParseAhead(
        path, csv_format, source_tag, now, codes, owned=owned if jobs > 1 else None
    ) as outcomes:
        # The point index is built while the first chunks are parsed.
        locator()
        for outcome in outcomes:
            if len(outcome) == 4:
                result.rejected.append(outcome)
                progress(1)
                continue
            n, row = outcome
            if row.ref in row_of:
                result.rejected.append((n, row.ref, "ref", "dubbele ref in hetzelfde bestand"))
                progress(1)
                continue
            row_of[row.ref] = n
            batch.append(row)
            if len(batch) >= batch_size:
                flush()
        flush()
    return result


def _default_jobs(total: int) -> int:
    """Two writers for a large file on PostgreSQL with several cores (one process's Python
    work then overlaps the other's database work); one otherwise (SQLite has one writer)."""
    from django.db import connection

    if connection.vendor != "postgresql" or (os.cpu_count() or 1) < 2:
        return 1
    return 2 if total >= PARALLEL_FROM else 1


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
        reg.add_argument(
            "--jobs",
            type=int,
            default=None,
            help="writer processes (default: 2 for files from "
            f"{PARALLEL_FROM} rows on PostgreSQL with several cores, else 1)",
        )
        reg.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not 1 <= options["batch_size"] <= 20_000:
            raise CommandError("--batch-size must lie between 1 and 20000", returncode=2)
        if options["jobs"] is not None and not 1 <= options["jobs"] <= 16:
            raise CommandError("--jobs must lie between 1 and 16", returncode=2)
        errors_path: Path = options["errors"] or path.with_name(path.name + ".errors.csv")
        share = {
            "path": path,
            "csv_format": path.suffix.lower() == ".csv",
            "source_tag": options["source"][:20],  # the source system; part of each ref
            "now": timezone.now(),
            "batch_size": options["batch_size"],
        }
        try:
            total = count_rows(path)
            jobs = options["jobs"] or _default_jobs(total)
            with tqdm(
                total=total,
                unit="reg",
                disable=options["no_progress"] or not sys.stderr.isatty(),
                file=sys.stderr,
            ) as bar:
                if jobs == 1:
                    results = [run_share(**share, progress=bar.update)]
                else:
                    results = _run_parallel(share, jobs, bar)
        except FileFormatError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        created = sum(r.created for r in results)
        skipped = sum(r.skipped for r in results)
        rejected_rows = sorted(
            (row for r in results for row in r.rejected), key=lambda row: (row[0], row[2])
        )
        rejected = len({(row[0], row[1]) for row in rejected_rows})
        with errors_path.open("w", newline="", encoding="utf-8") as err_fh:
            errors = csv.writer(err_fh)
            errors.writerow(["row", "ref", "field", "message"])
            errors.writerows(rejected_rows)
        self.stdout.write(
            f"imported {created}, already present {skipped}, rejected {rejected}"
            + (f" (see {errors_path})" if rejected else "")
        )
        if rejected:
            raise CommandError(f"{rejected} row(s) rejected; see {errors_path}", returncode=1)


def _run_parallel(share: dict[str, Any], jobs: int, bar: Any) -> list[ShareResult]:
    """``jobs`` writer processes, each with its share of the file and its own database
    connection; their progress feeds the bar."""
    from django.db import connection

    context = multiprocessing.get_context("spawn")
    progress = context.Queue()
    with ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=context,
        initializer=import_jobs.init_worker,
        initargs=(progress, connection.settings_dict["NAME"]),
    ) as pool:
        futures = [
            pool.submit(import_jobs.run_share_in_worker, **share, job=k, jobs=jobs)
            for k in range(jobs)
        ]
        while not all(f.done() for f in futures):
            try:
                bar.update(progress.get(timeout=0.2))
            except queue.Empty:
                continue
        while not progress.empty():
            bar.update(progress.get())
        return [f.result() for f in futures]
