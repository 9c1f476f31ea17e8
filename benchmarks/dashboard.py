"""Dashboard speed on PostgreSQL: p95 server time of each statistics page, read from the summary
tables, against computing the same numbers with a full scan (PostgreSQL COPY into Polars, then
the same pure functions), measured in the same run.

    .venv/bin/python benchmarks/dashboard.py [--registrations 4000000] [--requests 30]

Creates a throwaway database on $PGHOST:$PGPORT (default 127.0.0.1:5432, user postgres),
migrates it, loads the organisation and generates a national five-year dataset inside
PostgreSQL (``INSERT ... SELECT`` over ``generate_series``): registrations spread over
2015-2019 and over the country's neighbourhoods by population, 1-3 offences each (about 1.25
on average: ~5M offences for 4M registrations), a case per registration with a legal history
(rejected, taken up and investigated, terminated, through ZSM, or through the OM to court).
Then ``regie statistics refresh --full`` builds the summaries (its time is printed), and each
page is requested ``--requests`` times in-process (Django test client, after two warm-up
requests; server time = the request's handling time) by a user of that page's scope.

The reference for each page reads the source rows of the same scope and period with
``COPY (SELECT ...) TO STDOUT`` into Polars and computes the same numbers with the same pure
functions (``offence_measures``/``case_measures`` and the ``*_from_counts`` reports): what a
page without summary tables would have to do per request. Reading is part of the scan (it is
most of it); the Polars compute alone is printed too.

Targets (issue 5): p95 <= 300 ms and <= 0.2x the scan, for every page.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

GENERATE = """
CREATE TEMP TABLE bench_hood AS
    SELECT row_number() OVER () AS i, h.*
    FROM (SELECT n.id AS nid, n.municipality_id AS mid, n.base_team_id AS tid
          FROM organisation_neighbourhood n, generate_series(1, greatest(1, n.population / 400))
          ORDER BY n.id) h;
CREATE TEMP TABLE bench_code AS
    SELECT row_number() OVER (ORDER BY ic.id) AS i, ic.id AS icid, ic.category_id AS cid
    FROM registration_incidentcode ic;

INSERT INTO registration_registration (purpose, retain_until, number, kind, occurred_from,
    occurred_to, reported_at, channel, narrative, modus_operandi, confidentiality, source,
    source_ref, payload_hash, created_at, base_team_id, municipality_id, neighbourhood_id)
SELECT 'wpg8', DATE '2099-12-31', 'BM' || s.g, 'aangifte', s.t - interval '3 hours',
    s.t - interval '2 hours', s.t,
    CASE WHEN random() < 0.25 THEN 'internet' ELSE 'desk' END, '', '',
    CASE WHEN random() < 0.95 THEN 1 ELSE 2 END, 'synth', 'bench:' || s.g, '', now(),
    h.tid, h.mid, h.nid
FROM (SELECT g, timestamptz '2015-01-01 00:00+01' + random() * interval '1826 days' AS t,
             1 + floor(random() * (SELECT count(*) FROM bench_hood))::int AS hi
      FROM generate_series(1, %(n)s) g) s
JOIN bench_hood h ON h.i = s.hi;

INSERT INTO registration_offence (seq, attempt, status, incident_code_id, category_id,
    registration_id)
SELECT s.k, false, 'registered', c.icid, c.cid, s.rid
FROM (SELECT r.rid, k, 1 + floor(random() * (SELECT count(*) FROM bench_code))::int AS ci
      FROM (SELECT id AS rid,
                   CASE WHEN random() < 0.2 THEN 2 + (random() < 0.25)::int ELSE 1 END AS n
            FROM registration_registration) r
      CROSS JOIN LATERAL generate_series(1, r.n) k) s
JOIN bench_code c ON c.i = s.ci;

CREATE TEMP TABLE bench_case AS
SELECT DISTINCT ON (o.registration_id)
    o.registration_id AS rid, o.category_id AS cid, r.reported_at AS t0, r.base_team_id AS tid,
    r.neighbourhood_id AS nid, width_bucket(random(), 0, 1, 20) AS p,
    (random() * 100)::int AS hours,
    CASE WHEN random() < 0.7 THEN 'vvc' WHEN random() < 0.5 THEN 'hic'
         WHEN random() < 0.3 THEN 'undermining' ELSE 'other' END AS cls
FROM registration_offence o
JOIN registration_registration r ON r.id = o.registration_id
JOIN registration_offencecategory oc ON oc.id = o.category_id
ORDER BY o.registration_id, oc.seriousness_rank, o.seq;

-- p 1-2 registered (open); 3-10 rejected; 11-14 under investigation; 15 terminated;
-- 16-17 settled at ZSM; 18-20 through the OM to court.
INSERT INTO selection_case (state, state_changed_at, offence_group, offence_class, reported_at,
    known_suspect, caught_in_act, camera_footage, forensic_traces, witness, traceable_good,
    linked_case, damage_above_threshold, vulnerable_victim, advice, advice_detail,
    screening_due, om_decision, court_outcome, created_at, base_team_id, category_id,
    neighbourhood_id, registration_id)
SELECT CASE WHEN p <= 2 THEN 'registered' WHEN p <= 10 THEN 'rejected'
            WHEN p <= 14 THEN 'under_investigation' WHEN p = 15 THEN 'terminated_early'
            WHEN p <= 17 THEN 'settled_zsm' ELSE 'court_decided' END,
    t0, 'other', cls, t0, false, false, false, false, false, false, false, false, false,
    CASE WHEN p % 3 = 0 THEN 'reject' WHEN p % 3 = 1 THEN 'take_up' ELSE 'assess' END, '{}',
    t0 + interval '72 hours', CASE WHEN p >= 18 THEN 'summons' ELSE '' END,
    CASE WHEN p >= 18 THEN 'conviction' ELSE '' END, t0, tid, cid, nid, rid
FROM bench_case;

CREATE TEMP TABLE bench_ev AS
SELECT c.id AS case_id, b.p, b.t0 + make_interval(hours => b.hours) AS t1,
       CASE WHEN b.p % 3 = 0 THEN 'reject' WHEN b.p % 3 = 1 THEN 'take_up' ELSE '' END AS adv
FROM bench_case b JOIN selection_case c ON c.registration_id = b.rid;

INSERT INTO selection_caseevent (seq, action, from_state, to_state, at, actor_role, fields,
    reason, advice, follows_advice, case_id)
SELECT e.seq, e.action, e.f, e.t, e.at, 'case_screener', '{}', e.reason, v.adv,
    CASE WHEN v.adv = '' OR e.seq > 1 THEN NULL ELSE v.adv = e.action END, v.case_id
FROM bench_ev v
CROSS JOIN LATERAL (VALUES
    (1, 'reject', 'registered', 'rejected', v.t1, 'insufficient_leads', v.p BETWEEN 3 AND 10),
    (1, 'take_up', 'registered', 'taken_up', v.t1, '', v.p >= 11),
    (2, 'investigate', 'taken_up', 'under_investigation', v.t1 + interval '1 day', '',
        v.p BETWEEN 11 AND 14 OR v.p >= 18),
    (2, 'terminate', 'taken_up', 'terminated_early', v.t1 + interval '2 days',
        'insufficient_leads', v.p = 15),
    (2, 'to_zsm', 'taken_up', 'at_zsm', v.t1 + interval '1 hour', '', v.p IN (16, 17)),
    (3, 'zsm_settle', 'at_zsm', 'settled_zsm',
        v.t1 + interval '1 hour' + make_interval(hours => (v.p - 13)), 'halt', v.p IN (16, 17)),
    (3, 'solve', 'under_investigation', 'solved', v.t1 + interval '20 days', '', v.p >= 18),
    (4, 'to_om', 'solved', 'with_om', v.t1 + interval '30 days', '', v.p >= 18),
    (5, 'om_decide', 'with_om', 'om_decided', v.t1 + interval '60 days', 'summons', v.p >= 18),
    (6, 'court_outcome', 'om_decided', 'court_decided', v.t1 + interval '200 days',
        'conviction', v.p >= 18)
) AS e(seq, action, f, t, at, reason, keep)
WHERE e.keep;
ANALYZE;
"""


def regie(env: dict[str, str], *args: str) -> str:
    out = subprocess.run(
        [str(BIN / "regie"), *args], env=env, text=True, capture_output=True, check=False
    )
    if out.returncode != 0:
        raise SystemExit(f"regie {' '.join(args)} failed:\n{out.stderr[-3000:]}")
    return out.stdout


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


# --------------------------------------------------------------------------------------------
# The scan reference: source rows of a scope and period via COPY into Polars, same functions


def _copy(conn: psycopg.Connection[Any], sql: str, schema: dict[str, Any]) -> Any:
    import polars as pl

    buf = io.BytesIO()
    with conn.cursor() as cur, cur.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)") as copy:
        for chunk in copy:
            buf.write(chunk)
    buf.seek(0)
    # Times travel as epoch microseconds (PostgreSQL's CSV timestamp text is slow to parse).
    raw = {k: (pl.Int64() if isinstance(v, pl.Datetime) else v) for k, v in schema.items()}
    df = pl.read_csv(buf, has_header=False, new_columns=list(raw), schema=raw)
    times = [k for k, v in schema.items() if isinstance(v, pl.Datetime)]
    return df.with_columns(
        pl.from_epoch(pl.col(k), "us").dt.replace_time_zone("UTC") for k in times
    )


def _us(column: str) -> str:
    return f"(extract(epoch FROM {column}) * 1000000)::bigint"


def scan(
    conn: psycopg.Connection[Any],
    where: str,
    start: dt.date,
    end: dt.date,
    compute: Callable[[Any, Any, Any], Any],
    *,
    offences: bool = True,
    cases: bool = True,
) -> tuple[float, float]:
    """(total seconds, compute-only seconds) of reading the scope's rows and computing."""
    import polars as pl

    from regie.statistics import counting, funnel

    lo = f"timestamptz '{start.isoformat()} 00:00 Europe/Amsterdam'"
    nxt = (end.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    hi = f"timestamptz '{nxt.isoformat()} 00:00 Europe/Amsterdam'"
    regs = (
        "registration_registration r LEFT JOIN organisation_baseteam t ON t.id = r.base_team_id "
        "LEFT JOIN organisation_district d ON d.id = t.district_id "
        "LEFT JOIN organisation_unit u ON u.id = d.unit_id "
        "LEFT JOIN organisation_municipality m ON m.id = r.municipality_id "
        "LEFT JOIN organisation_neighbourhood n ON n.id = r.neighbourhood_id"
    )
    cond = f"r.reported_at >= {lo} AND r.reported_at < {hi} AND {where}"
    utc = pl.Datetime("us", "UTC")
    regions = ["u.code", "d.code", "t.code", "m.code", "n.code"]
    clock = time.perf_counter()
    off = cs = ev = None
    if offences:
        off = _copy(
            conn,
            "SELECT o.registration_id, o.seq, c.code, c.seriousness_rank, "
            + _us("r.reported_at")
            + ", "
            + ", ".join(regions)
            + ", CASE WHEN r.channel = 'internet' THEN 'true' ELSE 'false' END, r.confidentiality "
            "FROM registration_offence o "
            f"JOIN registration_offencecategory c ON c.id = o.category_id JOIN {regs} "
            f"ON r.id = o.registration_id WHERE {cond}",
            {
                **{
                    k: (utc if k == "reported_at" else v)
                    for k, v in counting.OFFENCE_SCHEMA.items()
                },
                "online": pl.Boolean(),
                "confidentiality": pl.Int64(),
            },
        )
    if cases:
        case_cols = (
            "SELECT k.id, " + _us("k.reported_at") + ", c.code, k.offence_class, k.offence_group, "
            "k.state, " + ", ".join(regions) + ", r.confidentiality FROM selection_case k "
            f"JOIN registration_offencecategory c ON c.id = k.category_id JOIN {regs} "
            f"ON r.id = k.registration_id WHERE {cond}"
        )
        cs = _copy(
            conn,
            case_cols,
            {
                **{k: (utc if k == "reported_at" else v) for k, v in funnel.CASE_SCHEMA.items()},
                "confidentiality": pl.Int64(),
            },
        )
        ev = _copy(
            conn,
            "SELECT e.case_id, e.seq, e.action, e.from_state, e.to_state, "
            + _us("e.at")
            + ", e.actor_role, e.reason, CASE WHEN e.follows_advice THEN 'true' "
            "WHEN NOT e.follows_advice THEN 'false' END FROM selection_caseevent e "
            "JOIN selection_case k "
            f"ON k.id = e.case_id JOIN {regs} ON r.id = k.registration_id WHERE {cond}",
            {
                **{k: (utc if k == "at" else v) for k, v in funnel.EVENT_SCHEMA.items()},
                "follows_advice": pl.Boolean(),
            },
        )
        ev = ev.with_columns(pl.col("reason").fill_null(""))
    read = time.perf_counter()
    compute(off, cs, ev)
    done = time.perf_counter()
    return done - clock, done - read


def export_parquet(conn: psycopg.Connection[Any], folder: Path) -> dict[str, Path]:
    """The whole dataset as three Parquet files (untimed set-up of the full-scan reference):
    every offence and every case with its registration's columns, and every case event."""
    start, end = dt.date(1900, 1, 1), dt.date(2200, 1, 1)
    frames: dict[str, Any] = {}

    def keep(off: Any, cs: Any, ev: Any) -> None:
        frames.update(offences=off, cases=cs, events=ev)

    scan(conn, "true", start, end, keep)
    paths = {}
    for name, df in frames.items():
        paths[name] = folder / f"{name}.parquet"
        df.write_parquet(paths[name])
    return paths


def full_scan(
    paths: dict[str, Path],
    column: str | None,
    code: str | None,
    start: dt.date,
    end: dt.date,
    compute: Callable[[Any, Any, Any], Any],
    *,
    offences: bool = True,
    cases: bool = True,
) -> tuple[float, float]:
    """(total seconds, compute-only seconds) of a Polars scan over the whole dataset's Parquet
    files, filtered to the scope and period, then the same computation."""
    import polars as pl

    tz = "Europe/Amsterdam"
    nxt = (end.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    lo = dt.datetime.combine(start, dt.time()).replace(tzinfo=dt.UTC)
    hi = dt.datetime.combine(nxt, dt.time()).replace(tzinfo=dt.UTC)

    def period(frame: Any) -> Any:
        local = pl.col("reported_at").dt.convert_time_zone(tz).dt.replace_time_zone("UTC")
        out = frame.filter((local >= lo) & (local < hi))
        return out.filter(pl.col(column) == code) if column else out

    clock = time.perf_counter()
    off = cs = ev = None
    if offences:
        off = period(pl.scan_parquet(paths["offences"])).collect()
    if cases:
        cs = period(pl.scan_parquet(paths["cases"])).collect()
        ev = (
            pl.scan_parquet(paths["events"])
            .join(cs.lazy().select("case_id"), on="case_id", how="semi")
            .collect()
        )
    read = time.perf_counter()
    compute(off, cs, ev)
    done = time.perf_counter()
    return done - clock, done - read


def dashboard_numbers(level: str) -> Callable[[Any, Any, Any], Any]:
    """The dashboard's numbers from rows: per child region and per month, both rules, the
    funnel and lead times per child, the region's total."""
    from regie.statistics import counting, funnel

    child = {
        "national": "unit",
        "unit": "district",
        "district": "base_team",
        "base_team": "neighbourhood",
    }[level]

    def compute(off: Any, cs: Any, ev: Any) -> Any:
        m = counting.offence_measures(off)
        counting.counts_from_measures(m, level=child, period="year", by_category=False)  # type: ignore[arg-type]
        counting.counts_from_measures(m, level="national", period="month", by_category=False)
        c = funnel.case_measures(cs, ev)
        case_level = child if child != "neighbourhood" else "national"
        funnel.funnel_from_counts(c, level=case_level, period="year")  # type: ignore[arg-type]
        funnel.lead_times_from_counts(c, level=case_level, period="year")  # type: ignore[arg-type]

    return compute


def counts_numbers(off: Any, cs: Any, ev: Any) -> Any:
    from regie.statistics import counting

    return counting.both_counts(off, level="national", period="month", by_category=True)


def funnel_numbers(off: Any, cs: Any, ev: Any) -> Any:
    from regie.statistics import funnel

    c = funnel.case_measures(cs, ev)
    funnel.funnel_from_counts(c, level="national", period="year", by="offence_class")
    funnel.lead_times_from_counts(c, level="national", period="year", by="offence_class")
    funnel.standing_report_from_counts(c, year=2019)


# --------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--registrations", type=int, default=4_000_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--reuse",
        metavar="DBNAME",
        help="measure on a database an earlier --keep run generated and summarised (kept)",
    )
    args = parser.parse_args()

    host = os.environ.get("PGHOST", "127.0.0.1")
    port = os.environ.get("PGPORT", "5432")
    user = os.environ.get("PGUSER", "postgres")
    db = args.reuse or f"regie_bench_dash_{os.getpid()}"
    admin = f"host={host} port={port} user={user} dbname=postgres"
    if args.reuse:
        args.keep = True
    else:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{db}"')
    tmp = Path(tempfile.mkdtemp(prefix="regie-bench-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{user}@{host}:{port}/{db}?pool=false",
        "SECRET_KEY": secrets.token_urlsafe(32),
        "REGIE_VAR_DIR": str(tmp),
        "DEBUG": "0",
        "REGIE_DEMO": "0",
        "LOG_LEVEL": "WARNING",
        "ALLOWED_HOSTS": "testserver,127.0.0.1",
    }
    env.pop("REGIE_TESTING", None)
    conninfo = f"host={host} port={port} user={user} dbname={db}"
    try:
        refresh_s = 0.0
        if not args.reuse:
            print("preparing database ...", file=sys.stderr)
            regie(env, "migrate", "--noinput", "-v0")
            regie(env, "org", "load")
            clock = time.perf_counter()
            with psycopg.connect(conninfo, autocommit=True) as conn:
                conn.execute(GENERATE.replace("%(n)s", str(int(args.registrations))))  # type: ignore[arg-type]
            print(f"generated in {time.perf_counter() - clock:.0f} s", file=sys.stderr)
            clock = time.perf_counter()
            out = regie(env, "statistics", "refresh", "--full")
            refresh_s = time.perf_counter() - clock
            print(f"summaries: {out.strip()} ({refresh_s:.0f} s wall)", file=sys.stderr)
        with psycopg.connect(conninfo, autocommit=True) as conn:
            sizes = {
                t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # type: ignore[index]
                for t in (
                    "registration_registration",
                    "registration_offence",
                    "selection_case",
                    "selection_caseevent",
                )
            }
        print(f"dataset: {sizes}", file=sys.stderr)

        os.environ.update({k: v for k, v in env.items() if isinstance(v, str)})
        os.environ["DJANGO_SETTINGS_MODULE"] = "regie.settings"
        sys.path.insert(0, str(ROOT / "src"))
        import django

        django.setup()
        results = measure(args.requests, conninfo, tmp)
        print()
        print(
            f"dataset: {sizes['registration_offence']:,} offences in "
            f"{sizes['registration_registration']:,} registrations, "
            f"{sizes['selection_case']:,} cases, {sizes['selection_caseevent']:,} case events "
            f"(2015-2019); full summary build {refresh_s:.0f} s"
        )
        print(
            f"{'page':46} {'p50':>5} {'p95':>5} | {'full scan':>9} {'ratio':>7} | "
            f"{'scoped scan':>11} {'ratio':>7} | target (p95 <= 300 ms, <= 0.2x full scan)"
        )
        ok = True
        for name, page_times, (scoped_s, _), (whole_s, _) in results:
            q95 = p95(page_times) * 1000
            ratio = q95 / (whole_s * 1000)
            good = q95 <= 300 and ratio <= 0.2
            ok &= good
            print(
                f"{name:46} {statistics.median(page_times) * 1000:5.0f} {q95:5.0f} | "
                f"{whole_s * 1000:7.0f}ms {ratio:6.3f}x | {scoped_s * 1000:9.0f}ms "
                f"{q95 / (scoped_s * 1000):6.3f}x | {'met' if good else 'NOT met'}"
            )
        print(
            "(ms; full scan: Polars over Parquet files of the whole dataset, filtered to the "
            "page's scope and period; scoped scan: PostgreSQL COPY of only that scope's rows "
            "into Polars; both then compute the page's numbers with the same functions)"
        )
        print("all targets met" if ok else "some targets NOT met")
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


Result = tuple[str, list[float], tuple[float, float], tuple[float, float]]


def measure(requests: int, conninfo: str, folder: Path) -> list[Result]:
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from regie.organisation.models import BaseTeam, Neighbourhood
    from regie.organisation.roles import Role, ScopeLevel
    from regie.organisation.services import staff_create

    setup_test_environment()
    team = BaseTeam.objects.select_related("district__unit").order_by("-population").first()
    assert team is not None
    district, unit = team.district, team.district.unit
    hood = Neighbourhood.objects.filter(base_team=team).order_by("-population").first()
    assert hood is not None

    def client(role: Role, level: ScopeLevel, scope: Any, name: str) -> Client:
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.filter(username=name).first()  # an earlier --reuse run
        if user is None:
            user = staff_create(
                username=name,
                first_name="B",
                last_name=name,
                role=role,
                scope_level=level,
                scope=scope,
            ).user
        device = TOTPDevice.objects.filter(user=user).first() or TOTPDevice.objects.create(
            user=user, name="b", confirmed=True
        )
        c = Client()
        c.force_login(user)
        session = c.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        return c

    national = client(Role.ANALYST, ScopeLevel.NATIONAL, None, "bench-national")
    chief = client(Role.TEAM_CHIEF, ScopeLevel.BASE_TEAM, team, "bench-chief")
    year = {"start": "2019-01", "end": "2019-12"}
    two_years = {"start": "2018-01", "end": "2019-12"}
    pages: list[
        tuple[str, Client, str, dict[str, str], str, str, Callable[..., Any], dict[str, bool]]
    ] = [
        (
            "dashboard national, 2019",
            national,
            "/statistiek/",
            {**year, "niveau": "national"},
            "true",
            "national",
            dashboard_numbers("national"),
            {},
        ),
        (
            f"dashboard unit {unit.code}, 2019",
            national,
            "/statistiek/",
            {**year, "niveau": "unit", "code": unit.code},
            f"u.code = '{unit.code}'",
            "unit",
            dashboard_numbers("unit"),
            {},
        ),
        (
            f"dashboard district {district.code}, 2019",
            national,
            "/statistiek/",
            {**year, "niveau": "district", "code": district.code},
            f"d.code = '{district.code}'",
            "district",
            dashboard_numbers("district"),
            {},
        ),
        (
            f"dashboard base team {team.code} (chief), 2019",
            chief,
            "/statistiek/",
            year,
            f"t.code = '{team.code}'",
            "base_team",
            dashboard_numbers("base_team"),
            {},
        ),
        (
            "counts national by category per month, 2019",
            national,
            "/statistiek/telregels/",
            {**year, "level": "national", "period": "month", "by_category": "on"},
            "true",
            "",
            counts_numbers,
            {"cases": False},
        ),
        (
            "funnel national by offence class, 2018-19",
            national,
            "/statistiek/trechter/",
            {**two_years, "level": "national", "period": "year", "by": "offence_class"},
            "true",
            "",
            funnel_numbers,
            {"offences": False},
        ),
    ]
    results: list[Result] = []
    scope_column = {"u": "unit", "d": "district", "t": "base_team"}
    with psycopg.connect(conninfo) as conn:
        paths = export_parquet(conn, folder)
        for name, c, url, query, where, _level, compute, only in pages:
            for _ in range(2):  # warm-up (map shapes, caches)
                response = c.get(url, query)
                if response.status_code != 200:
                    raise SystemExit(f"{name}: HTTP {response.status_code}")
            times = []
            for _ in range(requests):
                clock = time.perf_counter()
                c.get(url, query)
                times.append(time.perf_counter() - clock)
            start = dt.date.fromisoformat(query["start"] + "-01")
            end = dt.date.fromisoformat(query["end"] + "-01")
            reference = scan(conn, where, start, end, compute, **only)
            column = code = None
            if where != "true":
                column = scope_column[where[0]]
                code = where.split("'")[1]
            whole = full_scan(paths, column, code, start, end, compute, **only)
            print(
                f"  {name}: p95 {p95(times) * 1000:.0f} ms, scan {reference[0]:.1f} s",
                file=sys.stderr,
            )
            results.append((name, times, reference, whole))
    return results


if __name__ == "__main__":
    main()
