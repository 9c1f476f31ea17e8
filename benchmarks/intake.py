"""Intake speed on PostgreSQL: the JSON API under 8 concurrent clients, and the bulk import
against a plain PostgreSQL COPY of the same rows, measured in the same run.

    .venv/bin/python benchmarks/intake.py [--requests 800] [--clients 8] [--rows 20000]

Creates a throwaway database on $PGHOST:$PGPORT (default 127.0.0.1:5432, user postgres),
migrates it, loads the organisation, serves Regie with gunicorn on a free port and drops the
database at the end. Targets (issue 3): API >= 100 registrations/s with p95 < 100 ms;
bulk import >= 2,000 registrations/s and >= 0.25x COPY.
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


def copy_benchmark(conninfo: str, rows: list[dict[str, Any]]) -> float:
    """The same rows with plain COPY into flat tables (registrations + offences): the floor."""
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("""CREATE TEMP TABLE bench_reg (ref text, kind text, occurred_from
            timestamptz, occurred_to timestamptz, reported_at timestamptz, channel text,
            x double precision, y double precision, narrative text, damage numeric)""")
        conn.execute("CREATE TEMP TABLE bench_off (ref text, seq int, code text, attempt bool)")
        t0 = time.perf_counter()
        with conn.cursor() as cur:
            with cur.copy("COPY bench_reg FROM STDIN") as copy:
                for r in rows:
                    copy.write_row(
                        (
                            r["ref"],
                            r["kind"],
                            r["occurred_from"],
                            r["occurred_to"],
                            r["reported_at"],
                            r["channel"],
                            r["x"],
                            r["y"],
                            r["narrative"],
                            r["damage_amount"],
                        )
                    )
            with cur.copy("COPY bench_off FROM STDIN") as copy:
                for r in rows:
                    for i, o in enumerate(r["offences"], 1):
                        copy.write_row((r["ref"], i, o["incident_code"], o["attempt"]))
        return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=800)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=4)
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
        "DATABASE_URL": f"postgres://{user}@{host}:{port}/{db}",
        "SECRET_KEY": secrets.token_urlsafe(32),
        "REGIE_VAR_DIR": str(tmp),
        "DEBUG": "0",
        "REGIE_DEMO": "0",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("REGIE_TESTING", None)
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

        bind = f"127.0.0.1:{free_port()}"
        server = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "regie.wsgi",
                "--bind",
                bind,
                "--workers",
                str(args.workers),
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

        path = tmp / "bulk.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in bulk_rows))
        t0 = time.perf_counter()
        out = regie(env, "import", "registrations", str(path), "--no-progress", "--source", "bench")
        bulk_s = time.perf_counter() - t0
        copy_s = copy_benchmark(env["DATABASE_URL"], bulk_rows)
        bulk_rate, copy_rate = len(bulk_rows) / bulk_s, len(bulk_rows) / copy_s
        print(
            f"bulk  : {len(bulk_rows)} rows in {bulk_s:.1f} s = {bulk_rate:,.0f} "
            f"registrations/s ({out.strip()})"
        )
        print(f"COPY  : {len(bulk_rows)} rows in {copy_s:.2f} s = {copy_rate:,.0f} rows/s")
        print(f"ratio : bulk import / COPY = {bulk_rate / copy_rate:.3f}x (target >= 0.25x)")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


if __name__ == "__main__":
    main()
