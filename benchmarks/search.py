"""One search ("Blue View"): query latency over a synthetic index of N registrations on
PostgreSQL (default 5,000,000) and the same queries on SQLite FTS5 at a smaller size.

    .venv/bin/python benchmarks/search.py [--rows 5000000] [--sqlite-rows 200000]
        [--queries 400] [--engine both|postgresql|sqlite] [--seed 7]

PostgreSQL: creates a throwaway database on $PGHOST:$PGPORT (default 127.0.0.1:5432, user
postgres), migrates it, loads the organisation, drops the index's secondary indexes, and
bulk-loads the index rows with ``COPY`` (not through the registration intake): one document
per registration (Dutch narrative by offence type, offences, address, registration number and
postcode identifiers; spread over the base teams by population, over the six years up to
now), one per recurring person (about 0.4 per registration; Dutch names with particles, a
BSN for a third) and per identifiable good (about 0.25 per registration: frame number, plate
or IMEI), each with a grant per registration involving it. Then it rebuilds the indexes
(the generated ``tsv`` column is filled by the database during COPY), ``ANALYZE``, and drops
the database at the end.

SQLite: the same generator into a throwaway SQLite database (``--sqlite-rows``), FTS5 rows
written with the app's own stemming (``SqliteBackend.write``).

Queries (``regie.search.selectors.search`` in-process, the time of the whole call: access
filter, matching, ranking of the most recent 1,000 matches, the page's snippets): a fixed mix
of full text (common and rare words), names of indexed persons with one typo, identifiers
(registration number, plate, frame number, IMEI, BSN), and text with a period or kind filter,
each as one of five users in turn: a desk officer (base team), an analyst (district), an
intelligence officer (unit), an intelligence officer (national) and an LIRC officer
(national). The first 40 queries are run once before, not counted. Prints p50/p95/p99 per
query type, per user and overall, and the target ratio p95 / 200 ms (issue 7: p95 <= 200 ms
over 5M registrations).
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import itertools
import os
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TARGET_MS = 200.0

FIRST = [
    "Jan",
    "Pieter",
    "Kees",
    "Henk",
    "Johannes",
    "Cornelis",
    "Willem",
    "Hendrik",
    "Gerrit",
    "Dirk",
    "Bram",
    "Daan",
    "Sem",
    "Lucas",
    "Finn",
    "Thijs",
    "Ruben",
    "Jesse",
    "Mohamed",
    "Ahmed",
    "Youssef",
    "Mehmet",
    "Emre",
    "Anna",
    "Maria",
    "Johanna",
    "Sanne",
    "Lotte",
    "Emma",
    "Julia",
    "Sophie",
    "Fleur",
    "Iris",
    "Noor",
    "Fatima",
    "Aisha",
    "Yasmina",
    "Elif",
    "Sara",
    "Femke",
    "Anouk",
    "Marloes",
    "Ingrid",
    "Petra",
    "Monique",
    "Kevin",
    "Dennis",
    "Patrick",
    "Mark",
    "Sander",
    "Joost",
    "Bas",
    "Tim",
    "Rik",
    "Koen",
    "Stijn",
    "Niels",
]
SURNAMES = [
    "Jansen",
    "Vries",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "Mulder",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "Dekker",
    "Brouwer",
    "Dijk",
    "Leeuwen",
    "Koster",
    "Maas",
    "Verhoeven",
    "Prins",
    "Blom",
    "Huisman",
    "Kuipers",
    "Schouten",
    "Post",
    "Kok",
    "Willems",
    "Boer",
    "Vermeulen",
    "Berg",
    "Wit",
    "Veen",
    "Graaf",
    "Bruijn",
    "Linden",
    "Heuvel",
    "Koning",
    "Groot",
    "Haan",
    "Jong",
    "Doorn",
    "Yilmaz",
    "Kaya",
    "Demir",
    "Ouali",
    "Amrani",
    "Bouzid",
    "Hassani",
    "Tahiri",
    "Pinas",
    "Sedney",
    "Wong",
    "Nguyen",
    "Kowalski",
    "Nowak",
    "Schneider",
    "Müller",
    "Öztürk",
    "Çelik",
    "Ramdin",
    "Mahabier",
    "Zwart",
    "Hoekstra",
    "Postma",
    "Wijnands",
]
PARTICLES = ["", "", "", "", "de", "van", "van der", "van den", "van de", "ter", "el"]
STREETS = [
    "Kerkstraat",
    "Dorpsstraat",
    "Stationsweg",
    "Molenweg",
    "Schoolstraat",
    "Julianastraat",
    "Beatrixlaan",
    "Oranjestraat",
    "Wilhelminastraat",
    "Nieuwstraat",
    "Marktplein",
    "Hoofdstraat",
    "Kastanjelaan",
    "Eikenlaan",
    "Industrieweg",
    "Parallelweg",
    "Oudegracht",
    "Lange",
    "Nieuwstraat",
    "Vredenburg",
    "Biltstraat",
    "Amsterdamsestraatweg",
]
CITIES = [
    "Utrecht",
    "Amsterdam",
    "Rotterdam",
    "Den",
    "Haag",
    "Eindhoven",
    "Groningen",
    "Tilburg",
    "Almere",
    "Breda",
    "Nijmegen",
    "Apeldoorn",
    "Arnhem",
    "Haarlem",
    "Enschede",
    "Amersfoort",
    "Zaanstad",
    "Zwolle",
    "Leiden",
    "Maastricht",
    "Dordrecht",
]
BRANDS = [
    "Gazelle",
    "Batavus",
    "Sparta",
    "Cortina",
    "VanMoof",
    "Trek",
    "Giant",
    "Cube",
    "Stella",
    "Qwic",
]
PHONES = ["Apple", "Samsung", "Fairphone", "Google", "Xiaomi", "OnePlus", "Nokia"]
COLOURS = ["zwarte", "grijze", "blauwe", "rode", "witte", "groene"]
WHERE = [
    "bij het station",
    "in de fietsenstalling",
    "voor de supermarkt",
    "bij de bibliotheek",
    "op het schoolplein",
    "in de parkeergarage",
    "bij het zwembad",
    "achter de sporthal",
    "op de markt",
    "bij de bushalte",
]
WHEN = ["'s nachts", "in de ochtend", "rond het middaguur", "in de avond", "tijdens het weekend"]
# Offence types: (incident code, title, narrative parts); text is generated per registration.
OFFENCES = [
    (
        "A72",
        "Diefstal fiets",
        [
            "Mijn {colour} {brand} fiets is gestolen {where}.",
            "De fiets stond op slot; het slot is doorgeknipt.",
            "Aangever zag {when} een man met een kniptang weglopen.",
            "De fiets heeft een framenummer en een fietstas.",
        ],
    ),
    (
        "B10",
        "Inbraak woning",
        [
            "Er is ingebroken in de woning aan de {street}.",
            "De daders kwamen binnen via de achterdeur, de cilinder is afgebroken.",
            "Weggenomen: sieraden, een laptop en contant geld uit de kluis.",
            "De buren hoorden {when} glasgerinkel.",
        ],
    ),
    (
        "B40",
        "Diefstal uit/vanaf motorvoertuigen",
        [
            "De ruit van de auto is ingeslagen {where}.",
            "Uit de auto zijn een navigatiesysteem en een tas gestolen.",
            "Aangever parkeerde {when} aan de {street}.",
        ],
    ),
    (
        "B70",
        "Winkeldiefstal",
        [
            "Verdachte nam in de winkel aan de {street} cosmetica mee zonder te betalen.",
            "De beveiliger hield de verdachte aan bij de uitgang.",
            "Camerabeelden zijn veiliggesteld.",
        ],
    ),
    (
        "F30",
        "Mishandeling",
        [
            "Slachtoffer werd {when} {where} geslagen en geschopt.",
            "De verdachte is na de mishandeling weggerend richting de {street}.",
            "Getuigen hebben de politie gebeld; letsel aan het gezicht.",
        ],
    ),
    (
        "C40",
        "Vernieling",
        [
            "Er zijn {when} ruiten vernield aan de {street}.",
            "Graffiti op de gevel en een vernielde brievenbus.",
            "Schade aan een geparkeerde scooter {where}.",
        ],
    ),
    (
        "G20",
        "Fraude online handel",
        [
            "Aangever kocht een {phone} telefoon via Marktplaats maar ontving niets.",
            "Het geld is overgemaakt naar een rekening; de verkoper reageert niet meer.",
            "De advertentie is verwijderd na betaling.",
        ],
    ),
    (
        "A30",
        "Diefstal telefoon",
        [
            "Mijn {phone} telefoon is uit mijn jaszak gerold {where}.",
            "Zakkenroller in de drukte {when}; de telefoon heeft een IMEI-nummer.",
        ],
    ),
]
RARE = [
    "grasmaaier",
    "drone",
    "kluis",
    "aanhangwagen",
    "bakfiets",
    "scootmobiel",
    "hoogwerker",
    "zonnepanelen",
    "koperdiefstal",
    "waterpomp",
]


def luhn_digit(digits: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def bsn(rng: random.Random) -> str:
    while True:
        digits = [rng.randrange(10) for _ in range(8)]
        s = sum(d * w for d, w in zip(digits, range(9, 1, -1), strict=True))
        last = s % 11
        if last < 10 and (digits[0] or digits[1]):
            return "".join(map(str, digits)) + str(last)


def plate(rng: random.Random) -> str:
    letters = "BDFGHJKLNPRSTVXZ"
    return (
        "".join(rng.choice(letters) for _ in range(2))
        + f"{rng.randrange(100):02d}"
        + "".join(rng.choice(letters) for _ in range(2))
    )


@dataclass
class Team:
    id: int
    district_id: int
    unit_id: int
    weight: float


@dataclass
class Sample:
    """What the query mix draws from: indexed names and identifiers."""

    names: list[str]
    identifiers: list[str]


def clean(text: str) -> str:
    return text.replace("\t", " ").replace("\n", " ").replace("\\", "/")


def generate(n: int, teams: list[Team], seed: int) -> Iterator[tuple[str, tuple[Any, ...]]]:
    """("doc"|"grant"|"ident", row) tuples; documents have explicit ids (registrations 1..n)."""
    from regie.search.identifiers import address_value
    from regie.search.text import fold, name_keys

    rng = random.Random(seed)
    cum = list(itertools.accumulate(t.weight for t in teams))
    end = time.time()  # six years up to now: the search's recent-first slices apply
    span = 6 * 365.25 * 86400
    start = end - span
    n_persons = max(10, int(n * 0.4))
    next_id = n + 1
    person_doc: dict[int, int] = {}
    for i in range(1, n + 1):
        team = teams[bisect.bisect(cum, rng.random() * cum[-1])]
        code, title, parts = OFFENCES[rng.randrange(len(OFFENCES))]
        slots = {
            "colour": rng.choice(COLOURS),
            "brand": rng.choice(BRANDS),
            "where": rng.choice(WHERE),
            "when": rng.choice(WHEN),
            "street": rng.choice(STREETS),
            "phone": rng.choice(PHONES),
        }
        sentences = [p.format(**slots) for p in parts if rng.random() < 0.8] or [
            parts[0].format(**slots)
        ]
        if rng.random() < 0.02:
            sentences.append(f"Ook een {rng.choice(RARE)} is meegenomen.")
        street, city = rng.choice(STREETS), rng.choice(CITIES)
        number = rng.randrange(1, 250)
        postcode = (
            f"{rng.randrange(1000, 9999)}{chr(65 + rng.randrange(26))}{chr(65 + rng.randrange(26))}"
        )
        ts = start + rng.random() * span
        year = dt.datetime.fromtimestamp(ts, tz=dt.UTC).year
        reg_number = f"RG{year}-{i:08d}"
        conf = 1 if rng.random() < 0.9 else (2 if rng.random() < 0.8 else 3)
        body = f"{code} {title}\n" + " ".join(sentences) + f"\n{street} {number}, {postcode} {city}"
        date = dt.datetime.fromtimestamp(ts, tz=dt.UTC)
        yield (
            "doc",
            (
                i,
                "registration",
                i,
                clean(f"Aangifte {reg_number}: {code} {title}"),
                clean(body),
                "",
                date,
                conf,
                False,
                team.id,
                team.district_id,
                team.unit_id,
            ),
        )
        yield "ident", (i, f"reg:{reg_number}")
        if address := address_value(postcode, number):
            yield "ident", (i, address)
        # Persons: recurring (a pool of n_persons), one or two per registration.
        for p in {rng.randrange(n_persons) for _ in range(1 if rng.random() < 0.8 else 2)}:
            doc_id = person_doc.get(p)
            if doc_id is None:
                doc_id = person_doc[p] = next_id
                next_id += 1
                prng = random.Random(p * 31 + seed)
                first, particle, sur = (
                    prng.choice(FIRST),
                    prng.choice(PARTICLES),
                    prng.choice(SURNAMES),
                )
                full = " ".join(x for x in (first, particle, sur) if x)
                born = dt.date(
                    1940 + prng.randrange(65), 1 + prng.randrange(12), 1 + prng.randrange(28)
                )
                pconf = 1 if prng.random() < 0.95 else 2
                yield (
                    "doc",
                    (
                        doc_id,
                        "person",
                        p + 1,
                        clean(f"{full} ({born:%d-%m-%Y})"),
                        clean(full),
                        name_keys(fold(full)),
                        date,
                        pconf,
                        True,
                        None,
                        None,
                        None,
                    ),
                )
                if prng.random() < 0.33:
                    yield "ident", (doc_id, f"bsn:{bsn(prng)}")
            yield "grant", (doc_id, i, conf, team.id, team.district_id, team.unit_id)
        if rng.random() < 0.25:
            doc_id = next_id
            next_id += 1
            kind = rng.choice(("bicycle", "vehicle", "phone"))
            if kind == "bicycle":
                letters = "ABCDEFGHJKLMNPRSTVWXYZ"
                prefix = rng.choice(letters) + rng.choice(letters)
                ident = f"frame:{prefix}{rng.randrange(10**7):07d}"
                title_g = f"fiets {slots['brand']} {ident[6:]}"
            elif kind == "vehicle":
                ident = f"plate:{plate(rng)}"
                title_g = f"voertuig {ident[6:]}"
            else:
                d = f"35{rng.randrange(10**12):012d}"
                ident = f"imei:{d}{luhn_digit(d)}"
                title_g = f"telefoon {slots['phone']} {ident[5:]}"
            yield (
                "doc",
                (
                    doc_id,
                    "good",
                    doc_id,
                    clean(title_g),
                    clean(title_g),
                    "",
                    date,
                    1,
                    True,
                    None,
                    None,
                    None,
                ),
            )
            yield "ident", (doc_id, ident)
            yield "grant", (doc_id, i, conf, team.id, team.district_id, team.unit_id)


DOC_COLS = (
    "id",
    "kind",
    "object_id",
    "title",
    "body",
    "names",
    "date",
    "confidentiality",
    "via_grants",
    "base_team_id",
    "district_id",
    "unit_id",
    "indexed_at",
)
GRANT_COLS = (
    "document_id",
    "registration_id",
    "confidentiality",
    "base_team_id",
    "district_id",
    "unit_id",
)
IDENT_COLS = ("document_id", "value")


def _teams() -> list[Team]:
    from regie.organisation.models import BaseTeam

    return [
        Team(t.pk, t.district_id, t.district.unit_id, max(1.0, float(t.population)))
        for t in BaseTeam.objects.select_related("district").order_by("pk")
    ]


def _text(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return str(value)


def load_postgresql(n: int, seed: int) -> dict[str, float]:
    from django.db import connection

    teams = _teams()
    now = dt.datetime.now(tz=dt.UTC)
    with connection.cursor() as cur:
        cur.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN "
            "('search_searchdocument', 'search_searchgrant', 'search_searchidentifier') "
            "AND indexname NOT LIKE '%%_pkey' AND indexdef NOT LIKE '%%UNIQUE%%'"
        )
        # Every secondary index (GIN on tsv and names, B-trees), rebuilt after the load.
        other = list(cur.fetchall())
        for name, _sql in other:
            cur.execute(f'DROP INDEX IF EXISTS "{name}"')
    clock = time.perf_counter()
    counts = {"doc": 0, "grant": 0, "ident": 0}
    raw = connection.connection
    assert raw is not None
    buffers: dict[str, list[str]] = {"doc": [], "grant": [], "ident": []}
    tables = {
        "doc": ("search_searchdocument", DOC_COLS),
        "grant": ("search_searchgrant", GRANT_COLS),
        "ident": ("search_searchidentifier", IDENT_COLS),
    }

    def flush(kind: str) -> None:
        table, cols = tables[kind]
        if not buffers[kind]:
            return
        with raw.cursor() as c, c.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as cp:
            cp.write("".join(buffers[kind]))
        buffers[kind].clear()

    for kind, row in generate(n, teams, seed):
        values = (*row, now) if kind == "doc" else row
        buffers[kind].append("\t".join(_text(v) for v in values) + "\n")
        counts[kind] += 1
        if kind == "doc" and len(buffers["doc"]) >= 50_000:
            for k in buffers:  # documents first: grants and identifiers refer to them
                flush(k)
            if counts["doc"] % 1_000_000 < 50_000:
                print(
                    f"  {counts['doc']:,} documents ({time.perf_counter() - clock:.0f} s)",
                    file=sys.stderr,
                )
    for kind in buffers:
        flush(kind)
    raw.commit()
    load_s = time.perf_counter() - clock
    clock = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("SET maintenance_work_mem = '2GB'")
        cur.execute("SET max_parallel_maintenance_workers = 2")
        for _name, sql in other:
            cur.execute(sql)
        cur.execute(
            "SELECT setval(pg_get_serial_sequence('search_searchdocument', 'id'), "
            "(SELECT max(id) FROM search_searchdocument))"
        )
        cur.execute("ANALYZE search_searchdocument")
        cur.execute("ANALYZE search_searchgrant")
        cur.execute("ANALYZE search_searchidentifier")
    raw.commit()
    return {
        "load_s": load_s,
        "index_s": time.perf_counter() - clock,
        **{k: float(v) for k, v in counts.items()},
    }


def load_sqlite(n: int, seed: int) -> dict[str, float]:
    from django.db import connection, transaction

    from regie.search.backends import SqliteBackend

    teams = _teams()
    now = dt.datetime.now(tz=dt.UTC)
    clock = time.perf_counter()
    counts = {"doc": 0, "grant": 0, "ident": 0}
    buffers: dict[str, list[tuple[Any, ...]]] = {"doc": [], "grant": [], "ident": []}

    def insert(table: str, cols: tuple[str, ...]) -> str:
        marks = ", ".join(["%s"] * len(cols))
        return f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks})"

    sql = {
        "doc": insert("search_searchdocument", DOC_COLS),
        "grant": insert("search_searchgrant", GRANT_COLS),
        "ident": insert("search_searchidentifier", IDENT_COLS),
    }
    fts = SqliteBackend()

    def flush(kind: str) -> None:
        rows = buffers[kind]
        if not rows:
            return
        with transaction.atomic(), connection.cursor() as cur:
            cur.executemany(sql[kind], rows)
            if kind == "doc":
                fts.write([(r[0], r[3], r[4], r[5]) for r in rows])
        rows.clear()

    def naive(value: Any) -> Any:
        if isinstance(value, dt.datetime):
            return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")
        return value

    for kind, row in generate(n, teams, seed):
        buffers[kind].append(tuple(naive(v) for v in ((*row, now) if kind == "doc" else row)))
        counts[kind] += 1
        if kind == "doc" and len(buffers["doc"]) >= 20_000:
            for k in buffers:  # documents first: grants and identifiers refer to them
                flush(k)
    for kind in buffers:
        flush(kind)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    return {
        "load_s": time.perf_counter() - clock,
        "index_s": 0.0,
        **{k: float(v) for k, v in counts.items()},
    }


def users() -> dict[str, Any]:
    from regie.organisation.models import BaseTeam
    from regie.organisation.roles import Role, ScopeLevel
    from regie.organisation.services import staff_create

    team = (
        BaseTeam.objects.filter(neighbourhoods__municipality__code="GM0344")
        .order_by("code")
        .first()
    )
    assert team is not None

    def make(name: str, role: Role, level: ScopeLevel, scope: Any) -> Any:
        return staff_create(
            username=f"bench-{name}-{os.getpid()}",
            first_name="Bench",
            last_name=name,
            role=role,
            scope_level=level,
            scope=scope,
        ).user

    return {
        "desk@team": make("desk", Role.DESK_OFFICER, ScopeLevel.BASE_TEAM, team),
        "analyst@district": make("analyst", Role.ANALYST, ScopeLevel.DISTRICT, team.district),
        "intel@unit": make(
            "intel-unit", Role.INTELLIGENCE_OFFICER, ScopeLevel.UNIT, team.district.unit
        ),
        "intel@national": make("intel-nat", Role.INTELLIGENCE_OFFICER, ScopeLevel.NATIONAL, None),
        "lirc@national": make("lirc", Role.LIRC_OFFICER, ScopeLevel.NATIONAL, None),
    }


def typo(rng: random.Random, name: str) -> str:
    words = name.split()
    w = max(range(len(words)), key=lambda k: len(words[k]))
    s = words[w]
    if len(s) > 3:
        j = rng.randrange(1, len(s) - 2)
        op = rng.randrange(3)
        if op == 0:
            s = s[:j] + s[j + 1] + s[j] + s[j + 2 :]
        elif op == 1:
            s = s[:j] + s[j + 1 :]
        else:
            s = s[:j] + s[j] + s[j:]
    words[w] = s
    return " ".join(words)


def query_mix(count: int, seed: int) -> list[tuple[str, str, dict[str, Any]]]:
    from django.db.models import Max, Min

    from regie.search.models import SearchDocument, SearchIdentifier

    rng = random.Random(seed + 1)
    bounds = SearchDocument.objects.aggregate(lo=Min("pk"), hi=Max("pk"))
    names: list[str] = []
    idents: list[str] = []
    while len(names) < 50 or len(idents) < 50:
        pk = rng.randrange(bounds["lo"], bounds["hi"] + 1)
        d = SearchDocument.objects.filter(pk=pk).values("kind", "body").first()
        if d and d["kind"] == "person" and len(names) < 50:
            names.append(d["body"])
        v = (
            SearchIdentifier.objects.filter(document_id=pk)
            .exclude(value__startswith="pc:")
            .values_list("value", flat=True)
            .first()
        )
        if v and len(idents) < 50:
            idents.append(v.split(":", 1)[1])
    texts = [
        "fiets gestolen station",
        "inbraak woning achterdeur",
        "ruit auto ingeslagen",
        "winkeldiefstal cosmetica",
        "mishandeling geschopt",
        "telefoon marktplaats",
        "graffiti gevel",
        "kluis sieraden",
        "zakkenroller",
        "fietsenstalling kniptang",
        *RARE,
    ]
    recent = dt.date.today() - dt.timedelta(days=60)
    mix: list[tuple[str, str, dict[str, Any]]] = []
    for i in range(count):
        kind = ("text", "name", "identifier", "filtered")[i % 4]
        if kind == "text":
            mix.append((kind, rng.choice(texts), {}))
        elif kind == "name":
            mix.append((kind, typo(rng, rng.choice(names)), {}))
        elif kind == "identifier":
            value = rng.choice(idents)
            if rng.random() < 0.5 and len(value) == 6:
                value = f"{value[:2]}-{value[2:4]}-{value[4:]}"
            mix.append((kind, value, {}))
        else:
            f: dict[str, Any] = (
                {"date_from": recent} if rng.random() < 0.5 else {"kinds": ["registration"]}
            )
            mix.append((kind, rng.choice(texts), f))
    return mix


def pct(values: list[float], p: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]


def measure(queries: int, seed: int) -> dict[str, Any]:
    from regie.search import selectors

    people = users()
    mix = query_mix(queries, seed)
    names = list(people)
    timings: dict[str, list[float]] = {}
    hits: list[int] = []
    for _kind, text, filters in mix[:40]:  # warm-up, not counted
        selectors.search(people[names[0]], text, **filters)
    for i, (kind, text, filters) in enumerate(mix):
        who = names[i % len(names)]
        clock = time.perf_counter()
        result = selectors.search(people[who], text, **filters)
        ms = (time.perf_counter() - clock) * 1000
        for key in (kind, f"user {who}", "all"):
            timings.setdefault(key, []).append(ms)
        hits.append(result.count)
    return {"timings": timings, "mean_hits": statistics.mean(hits) if hits else 0}


def report(engine: str, rows: int, load: dict[str, float], res: dict[str, Any]) -> None:
    print(
        f"\n{engine}: {rows:,} registrations -> {int(load['doc']):,} documents, "
        f"{int(load['grant']):,} grants, {int(load['ident']):,} identifiers; "
        f"load {load['load_s']:.0f} s, indexes {load['index_s']:.0f} s; "
        f"mean visible hit count {res['mean_hits']:.0f}"
    )
    print(f"{'queries':24} {'n':>5} {'p50':>8} {'p95':>8} {'p99':>8}  p95/200ms")
    for name, values in sorted(res["timings"].items(), key=lambda kv: (kv[0] != "all", kv[0])):
        p95 = pct(values, 95)
        print(
            f"{name:24} {len(values):5d} {pct(values, 50):7.1f}ms {p95:7.1f}ms "
            f"{pct(values, 99):7.1f}ms  {p95 / TARGET_MS:.2f}"
        )


def run_engine(args: argparse.Namespace) -> None:
    """In a child process whose DATABASE_URL is already set: migrate, load, measure."""
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    rows = args.rows if args.engine == "postgresql" else args.sqlite_rows
    if args.reuse:
        from regie.search.models import SearchDocument, SearchGrant, SearchIdentifier

        load = {
            "load_s": 0.0,
            "index_s": 0.0,
            "doc": float(SearchDocument.objects.count()),
            "grant": float(SearchGrant.objects.count()),
            "ident": float(SearchIdentifier.objects.count()),
        }
        rows = SearchDocument.objects.filter(kind="registration").count()
    else:
        call_command("migrate", "--noinput", verbosity=0)
        call_command("org", "load")
        print(f"{args.engine}: loading {rows:,} registrations ...", file=sys.stderr)
        load = (
            load_postgresql(rows, args.seed)
            if args.engine == "postgresql"
            else load_sqlite(rows, args.seed)
        )
    res = measure(args.queries, args.seed)
    report(args.engine, rows, load, res)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--sqlite-rows", type=int, default=200_000)
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--engine", choices=("both", "postgresql", "sqlite"), default="both")
    parser.add_argument(
        "--keep", action="store_true", help="keep the PostgreSQL database (prints its name)"
    )
    parser.add_argument(
        "--reuse", metavar="DBNAME", help="measure on a database a --keep run loaded (kept)"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.rows < 1 or args.sqlite_rows < 1 or args.queries < 8:
        parser.error("--rows and --sqlite-rows must be positive, --queries at least 8")
    if args.child:
        run_engine(args)
        return
    engines = ["postgresql", "sqlite"] if args.engine == "both" else [args.engine]
    for engine in engines:
        tmp = Path(tempfile.mkdtemp(prefix="regie-bench-search-"))
        env = {
            **os.environ,
            "SECRET_KEY": secrets.token_urlsafe(32),
            "REGIE_VAR_DIR": str(tmp),
            "DEBUG": "0",
            "REGIE_DEMO": "0",
            "LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "regie.settings",
        }
        env.pop("REGIE_TESTING", None)
        db = args.reuse or f"regie_bench_search_{os.getpid()}"
        admin = None
        if args.reuse and engine != "postgresql":
            continue
        if engine == "postgresql":
            import psycopg

            host = os.environ.get("PGHOST", "127.0.0.1")
            port = os.environ.get("PGPORT", "5432")
            user = os.environ.get("PGUSER", "postgres")
            admin = f"host={host} port={port} user={user} dbname=postgres"
            if not args.reuse:
                with psycopg.connect(admin, autocommit=True) as conn:
                    conn.execute(f'CREATE DATABASE "{db}"')
            env["DATABASE_URL"] = f"postgres://{user}@{host}:{port}/{db}?pool=false"
        else:
            env["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
        try:
            cmd = [sys.executable, __file__, "--child", "--engine", engine]
            cmd += ["--rows", str(args.rows), "--sqlite-rows", str(args.sqlite_rows)]
            cmd += ["--queries", str(args.queries), "--seed", str(args.seed)]
            cmd += ["--reuse", args.reuse] if args.reuse else []
            code = subprocess.run(cmd, env=env, check=False).returncode
            if code:
                raise SystemExit(f"{engine} run failed with exit code {code}")
        finally:
            if admin is not None and (args.keep or args.reuse):
                print(f"kept database {db}", file=sys.stderr)
            elif admin is not None:
                import psycopg

                with psycopg.connect(admin, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


if __name__ == "__main__":
    main()
