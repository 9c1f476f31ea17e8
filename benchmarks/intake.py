"""Intake speed on PostgreSQL: the JSON API under 8 concurrent clients, and the bulk import
against a plain PostgreSQL COPY of the same rows, measured in the same run.

    .venv/bin/python benchmarks/intake.py [--requests 800] [--clients 8] [--rows 20000]
        [--workers 2] [--threads 4] [--skip-api] [--skip-bulk]

Creates a throwaway database on $PGHOST:$PGPORT (default 127.0.0.1:5432, user postgres),
migrates it, loads the organisation, and drops the database at the end. Rows come from the
synthetic-country generator (recurring persons and goods, several offences per registration).

API: Regie served as ``make run`` serves it: gunicorn with gthread workers (default 2
processes x 4 threads for the 2-core machine of the targets; ``--workers/--threads``), and a
database connection pool per process (``DATABASE_URL=...?pool=true``, Django's psycopg pool),
each client POSTing one registration at a time with its own ``Idempotency-Key``, after a
warm-up of 40 requests (point index built in every worker).

Bulk: ``regie import registrations FILE.jsonl`` as a separate process (start-up, reading and
building the point index included). The reference then copies **every row the import wrote**
(registrations, offences, involvements, and the persons, goods, organisations, locations and
audit entries it created; read back from the real tables and rendered as COPY text
beforehand) with one plain ``COPY ... FROM STDIN`` per table, in one committed transaction,
into ordinary logged tables made with ``CREATE TABLE bench_x (LIKE x INCLUDING ALL)``: the
same columns, defaults, primary keys, unique constraints, indexes and check constraints as the
real tables, without foreign keys (``LIKE`` does not copy them) and triggers. Only the COPYs
and the COMMIT are timed.

Targets (issue 3): API >= 100 registrations/s with p95 < 100 ms; bulk import >= 2,000
registrations/s and >= 0.25x the COPY reference.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def regie(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    out = subprocess.run(
        [str(BIN / "regie"), *args],
        env=env,
        input=stdin,
        text=True,
        capture_output=True,
        check=False,
    )
    if out.returncode not in (0, 1):
        raise SystemExit(f"regie {' '.join(args)} failed:\n{out.stderr[-3000:]}")
    return out.stdout


def synthetic_rows(n: int, seed: int = 7) -> list[dict[str, Any]]:
    """Realistic registrations from the synthetic-country generator, as API/JSONL objects."""
    sys.path.insert(0, str(ROOT / "src"))
    from regie.organisation.geodata import load_reference
    from regie.synth.registrations_gen import (
        GeneratorConfig,
        RegistrationGenerator,
        inputs_from_reference,
    )

    muns, hoods = inputs_from_reference(load_reference())
    config = GeneratorConfig(
        start=dt.date(2019, 1, 1),
        end=dt.date(2019, 12, 31),
        seed=seed,
        municipality_codes=frozenset({"GM0344", "GM0363", "GM0599"}),
    )
    rows = []
    for entry in RegistrationGenerator(config, muns, hoods):
        involvements = []
        for inv in entry.involvements:
            if inv.person is not None:
                p = inv.person
                involvements.append(
                    {
                        "role": inv.role,
                        "person": {
                            "first_names": p.first_names,
                            "particle": p.particle,
                            "surname": p.surname,
                            "bsn": p.bsn,
                            "nationality": p.nationality,
                            "date_of_birth": p.date_of_birth.isoformat()
                            if p.date_of_birth
                            else None,
                        },
                    }
                )
            elif inv.good is not None:
                g = inv.good
                involvements.append(
                    {
                        "role": inv.role,
                        "good": {
                            "kind": g.kind,
                            "brand": g.brand,
                            "description": g.description,
                            "frame_number": g.frame_number,
                            "plate": g.plate,
                            "imei": g.imei,
                            "serial_number": g.serial_number,
                        },
                    }
                )
            elif inv.organisation is not None:
                involvements.append(
                    {
                        "role": inv.role,
                        "organisation": {
                            "name": inv.organisation.name,
                            "kvk_number": inv.organisation.kvk_number,
                        },
                    }
                )
        rows.append(
            {
                "ref": entry.key,
                "kind": entry.kind,
                "occurred_from": entry.occurred_from.isoformat(),
                "occurred_to": entry.occurred_to.isoformat(),
                "reported_at": entry.reported_at.isoformat(),
                "channel": entry.channel,
                "x": entry.x,
                "y": entry.y,
                "narrative": entry.narrative,
                "damage_amount": str(entry.damage_eur) if entry.damage_eur is not None else None,
                "offences": [
                    {
                        "incident_code": o.incident_code,
                        "category_code": o.category_code,
                        "attempt": o.attempt,
                    }
                    for o in entry.offences
                ],
                "involvements": involvements,
            }
        )
        if len(rows) >= n:
            break
    return rows


def api_benchmark(
    url: str, token: str, rows: list[dict[str, Any]], clients: int
) -> tuple[float, list[float], int]:
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()
    queue = list(enumerate(rows))

    def worker() -> None:
        while True:
            with lock:
                if not queue:
                    return
                i, row = queue.pop()
            body = {k: v for k, v in row.items() if k != "ref"}
            req = urllib.request.Request(
                f"{url}/api/v1/registrations/",
                data=json.dumps(body).encode(),
                headers={
                    "Authorization": f"Token {token}",
                    "Content-Type": "application/json",
                    "Idempotency-Key": f"bench-{i}-{row['ref']}"[:64],
                },
                method="POST",
            )
            t0 = time.perf_counter()
            try:
                with urllib.request.urlopen(req, timeout=30) as resp:
                    resp.read()
                    ok = resp.status in (200, 201)
            except urllib.error.HTTPError as exc:
                ok = False
                if failures[0] < 3:
                    print("API error", exc.code, exc.read()[:300], file=sys.stderr)
            dt_ = time.perf_counter() - t0
            with lock:
                latencies.append(dt_)
                if not ok:
                    failures[0] += 1

    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - t0, latencies, failures[0]


#: The tables the bulk import writes, with the condition selecting the rows of one import
#: (``{before}``: the table's highest id before the import).
IMPORTED_ROWS = {
    "registration_registration": "id > {before}",
    "registration_offence": "id > {before}",
    "registration_involvement": "id > {before}",
    "registration_person": "id > {before}",
    "registration_good": "id > {before}",
    "registration_organisation": "id > {before}",
    "registration_location": "id > {before}",
    "selection_case": "id > {before}",
    "audit_auditentry": "id > {before}",
}


def highest_ids(conninfo: str) -> dict[str, int]:
    with psycopg.connect(conninfo) as conn:
        return {
            table: int(conn.execute(f"SELECT coalesce(max(id), 0) FROM {table}").fetchone()[0])  # type: ignore[index]
            for table in IMPORTED_ROWS
        }


def copy_benchmark(conninfo: str, before: dict[str, int]) -> tuple[float, dict[str, int]]:
    """The floor: every row the import wrote (registrations, offences, involvements, the
    persons, goods, organisations and locations it created, the case opened for each
    registration, and the audit entries), copied with one
    plain ``COPY ... FROM STDIN`` per table into ordinary (logged) tables made with
    ``CREATE TABLE ... (LIKE real INCLUDING ALL)``: the same columns, defaults, primary keys,
    unique constraints, indexes and check constraints as the real tables, but no foreign keys
    (``LIKE`` never copies them) and no triggers. The rows are read back from the real tables
    and rendered as COPY text beforehand; the timing covers only the COPYs and the COMMIT of
    their one transaction. Returns (seconds, rows per table)."""
    counts: dict[str, int] = {}
    data: dict[str, bytes] = {}
    with psycopg.connect(conninfo, autocommit=True) as conn, conn.cursor() as cur:
        for table, condition in IMPORTED_ROWS.items():
            where = condition.format(before=before[table])
            buf = bytearray()
            with cur.copy(f"COPY (SELECT * FROM {table} WHERE {where}) TO STDOUT") as copy:
                for chunk in copy:
                    buf += chunk
            data[table] = bytes(buf)
            counts[table] = data[table].count(b"\n")
            cur.execute(f"DROP TABLE IF EXISTS bench_{table}")
            cur.execute(f"CREATE TABLE bench_{table} (LIKE {table} INCLUDING ALL)")
        t0 = time.perf_counter()
        with conn.transaction():
            for table, payload in data.items():
                with cur.copy(f"COPY bench_{table} FROM STDIN") as copy:
                    copy.write(payload)
        elapsed = time.perf_counter() - t0
        for table in IMPORTED_ROWS:
            cur.execute(f"DROP TABLE bench_{table}")
    return elapsed, counts


def start_server(env: dict[str, str], workers: int, threads: int) -> subprocess.Popen[bytes]:
    """Regie under gunicorn as ``make run`` serves it (gthread workers)."""
    bind = f"127.0.0.1:{free_port()}"
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "regie.wsgi",
            "--bind",
            bind,
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    url = f"http://{bind}"
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{url}/health/", timeout=1).read()
            break
        except OSError:
            time.sleep(0.2)
    server.url = url  # type: ignore[attr-defined]
    return server


def stop_server(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    server.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=800)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker")
    parser.add_argument(
        "--jobs", type=int, default=None, help="regie import --jobs (default: its own default)"
    )
    parser.add_argument("--skip-api", action="store_true", help="only the bulk import")
    parser.add_argument("--skip-bulk", action="store_true", help="only the API")
    args = parser.parse_args()

    host = os.environ.get("PGHOST", "127.0.0.1")
    port = os.environ.get("PGPORT", "5432")
    user = os.environ.get("PGUSER", "postgres")
    db = f"regie_bench_{os.getpid()}"
    admin = f"host={host} port={port} user={user} dbname=postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{db}"')
    tmp = Path(tempfile.mkdtemp(prefix="regie-bench-"))
    env = {
        **os.environ,
        # Served as in production: a connection pool per worker process (Django's psycopg
        # pool; `?pool=true`), not a new database connection and backend per request.
        "DATABASE_URL": f"postgres://{user}@{host}:{port}/{db}?pool=true",
        "SECRET_KEY": secrets.token_urlsafe(32),
        "REGIE_VAR_DIR": str(tmp),
        "DEBUG": "0",
        "REGIE_DEMO": "0",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("REGIE_TESTING", None)
    conninfo = f"host={host} port={port} user={user} dbname={db}"
    server = None
    try:
        print("preparing database ...", file=sys.stderr)
        regie(env, "migrate", "--noinput", "-v0")
        regie(env, "org", "load")
        token = (
            regie(
                env,
                "shell",
                "-c",
                (
                    "from rest_framework.authtoken.models import Token;"
                    "from regie.organisation.models import BaseTeam;"
                    "from regie.organisation.roles import Role, ScopeLevel;"
                    "from regie.organisation.services import staff_create;"
                    "p = staff_create(username='bench-desk', first_name='B', last_name='Bench',"
                    " role=Role.DESK_OFFICER, scope_level=ScopeLevel.NATIONAL);"
                    "print(Token.objects.create(user=p.user).key)"
                ),
            )
            .strip()
            .splitlines()[-1]
        )
        print("generating rows ...", file=sys.stderr)
        rows = synthetic_rows(args.requests + args.rows)
        api_rows, bulk_rows = rows[: args.requests], rows[args.requests :]

        if not args.skip_api:
            server = start_server(env, args.workers, args.threads)
            url = server.url  # type: ignore[attr-defined]
            # Warm-up (builds the point index in every worker).
            api_benchmark(
                url, token, [{**r, "ref": f"w{r['ref']}"} for r in api_rows[:40]], args.clients
            )
            elapsed, lat, failed = api_benchmark(url, token, api_rows, args.clients)
            lat.sort()
            p95 = lat[int(0.95 * (len(lat) - 1))] * 1000
            print(
                f"API   : {len(api_rows)} registrations, {args.clients} clients, "
                f"{len(api_rows) / elapsed:,.0f} registrations/s, p50 "
                f"{statistics.median(lat) * 1000:.0f} ms, p95 {p95:.0f} ms, failed {failed}"
            )
            stop_server(server)
            server = None

        if args.skip_bulk:
            return
        path = tmp / "bulk.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in bulk_rows))
        before = highest_ids(conninfo)
        t0 = time.perf_counter()
        jobs = ["--jobs", str(args.jobs)] if args.jobs else []
        out = regie(
            env, "import", "registrations", str(path), "--no-progress", "--source", "bench", *jobs
        )
        bulk_s = time.perf_counter() - t0
        copy_s, counts = copy_benchmark(conninfo, before)
        bulk_rate, copy_rate = len(bulk_rows) / bulk_s, len(bulk_rows) / copy_s
        print(
            f"bulk  : {len(bulk_rows)} rows in {bulk_s:.1f} s = {bulk_rate:,.0f} "
            f"registrations/s ({out.strip()})"
        )
        tables = ", ".join(f"{t.split('_', 1)[1]} {n:,}" for t, n in counts.items() if n)
        print(
            f"COPY  : the same {sum(counts.values()):,} rows ({tables}) "
            f"in {copy_s:.2f} s = {copy_rate:,.0f} registrations/s"
        )
        print(f"ratio : bulk import / COPY = {bulk_rate / copy_rate:.3f}x (target >= 0.25x)")
    finally:
        if server is not None:
            stop_server(server)
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


if __name__ == "__main__":
    main()
