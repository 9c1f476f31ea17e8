"""Synthetic Dutch person records with known duplicates, for tests and benchmarks.

Deterministic for a seed. Each entity gets one clean record and, with probability
``dup_rate``, one to three duplicates with the errors the intake desks make: a typo in a
name, a missing or abbreviated particle ("v.d."), diacritics dropped or added, first and
last name swapped, the day and month of the date of birth swapped, one wrong digit, a missing
date of birth or postcode.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import pandas as pd

# fmt: off
FIRST_NAMES = (
    "jan", "piet", "kees", "johannes", "willem", "hendrik", "cornelis", "gerrit", "pieter",
    "jacob", "maria", "anna", "johanna", "elisabeth", "cornelia", "hendrika", "wilhelmina",
    "sanne", "lotte", "daan", "sem", "lucas", "noah", "emma", "julia", "mila", "tess",
    "mohammed", "fatima", "ayoub", "yasmina", "mehmet", "ayse", "zeynep", "emre", "priya",
    "joao", "chloë", "noël", "zoë", "søren", "jürgen", "ilse", "bram", "thijs", "femke",
    "anouk", "ruben", "stijn", "fleur", "jesse", "iris", "niels", "eva", "bas", "roos",
)
SURNAMES = (
    "jansen", "de jong", "de vries", "van den berg", "van dijk", "bakker", "janssen",
    "visser", "smit", "meijer", "de boer", "mulder", "de groot", "bos", "vos", "peters",
    "hendriks", "van leeuwen", "dekker", "brouwer", "de wit", "dijkstra", "smits",
    "de graaf", "van der meer", "van der linden", "kok", "jacobs", "de haan", "vermeulen",
    "van den heuvel", "van der veen", "van den broek", "de bruijn", "de bruin", "van der heijden",
    "schouten", "van beek", "willems", "van vliet", "van de ven", "hoekstra", "maas",
    "verhoeven", "koster", "van dam", "van der wal", "prins", "blom", "huisman", "yilmaz",
    "öztürk", "el amrani", "şahin", "kaya", "çelik", "nguyen", "da silva", "dos santos",
    "zwagerman", "ten brink", "in 't veld", "op den akker", "van 't hof", "verbeek",
)
CITIES = (
    "amsterdam", "rotterdam", "den haag", "utrecht", "eindhoven", "groningen", "tilburg",
    "almere", "breda", "nijmegen", "apeldoorn", "haarlem", "arnhem", "enschede", "amersfoort",
    "zaanstad", "den bosch", "haarlemmermeer", "zwolle", "zoetermeer", "leiden", "maastricht",
)
# fmt: on
# Generated surnames ("bakkerveld", "van der hofstra"), so that names are as varied as in a
# real register of a million people and blocking on names stays selective.
_STEMS = (
    "bak",
    "berg",
    "broek",
    "dijk",
    "eik",
    "gras",
    "haar",
    "hout",
    "kamp",
    "klein",
    "kort",
    "lang",
    "meer",
    "molen",
    "noord",
    "oost",
    "roos",
    "schip",
    "steen",
    "vel",
    "vliet",
    "water",
    "west",
    "wit",
    "zand",
    "zuid",
    "groen",
    "hage",
    "linde",
    "peer",
    "brink",
    "ros",
)
_SUFFIXES = (
    "man",
    "stra",
    "veld",
    "hof",
    "huis",
    "ink",
    "ing",
    "ma",
    "sen",
    "ers",
    "berg",
    "kamp",
    "horst",
    "boom",
    "dal",
    "hout",
    "werf",
    "hoek",
    "beek",
    "burg",
    "mans",
    "ema",
    "inga",
)
_GIVEN_SUFFIXES = ("", "a", "ie", "je", "o", "ine", "us", "ke")
_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_PLAIN = str.maketrans("ëöüçşøé", "eoucsoe")


@dataclass(frozen=True)
class SynthData:
    records: pd.DataFrame
    #: (id, id) pairs of records of the same entity, each pair sorted.
    true_pairs: set[tuple[str, str]]


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 3:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(3)
    if kind == 0:
        return word[:i] + rng.choice(_LETTERS) + word[i + 1 :]
    if kind == 1:
        return word[:i] + word[i + 1 :]
    return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]


def _split(surname: str) -> tuple[str, str]:
    words = surname.split()
    return " ".join(words[:-1]), words[-1]


def _corrupt(rng: random.Random, rec: dict[str, str]) -> dict[str, str]:
    out = dict(rec)
    for _ in range(rng.randint(1, 2)):
        kind = rng.randrange(9)
        if kind == 0:
            out["surname"] = _typo(rng, out["surname"])
        elif kind == 1:
            out["first_name"] = _typo(rng, out["first_name"])
        elif kind == 2 and out["particle"]:
            out["particle"] = rng.choice(("", "v.d." if "van" in out["particle"] else ""))
        elif kind == 3:
            out["first_name"], out["surname"] = out["surname"], out["first_name"]
        elif kind == 4 and out["date_of_birth"]:
            y, m, d = out["date_of_birth"].split("-")
            if int(d) <= 12:
                out["date_of_birth"] = f"{y}-{d}-{m}"
        elif kind == 5 and out["date_of_birth"]:
            s = list(out["date_of_birth"])
            i = rng.choice((2, 3, 6, 9))
            s[i] = str((int(s[i]) + rng.randint(1, 8)) % 10)
            out["date_of_birth"] = "".join(s)
        elif kind == 6:
            out[rng.choice(("date_of_birth", "postcode"))] = ""
        elif kind == 7:
            out["surname"] = out["surname"].translate(_PLAIN)
            out["first_name"] = out["first_name"].translate(_PLAIN)
        else:
            out["house_number"] = str(int(out["house_number"]) + rng.choice((-2, 2)))
    return out


def synthetic_persons(n: int, *, dup_rate: float = 0.3, seed: int = 7) -> SynthData:
    """About ``n`` records (entities plus their duplicates), shuffled, ids ``p<k>``."""
    rng = random.Random(seed)
    rows: list[dict[str, str]] = []
    entity: list[int] = []
    e = 0
    while len(rows) < n:
        if rng.random() < 0.3:
            particle, surname = _split(rng.choice(SURNAMES))
        else:
            particle = rng.choice(("", "", "", "van", "de", "van der", "van den", "ter"))
            surname = rng.choice(_STEMS) + rng.choice(_SUFFIXES)
        year = rng.randint(1935, 2008)
        clean = {
            "first_name": rng.choice(FIRST_NAMES) + rng.choice(_GIVEN_SUFFIXES),
            "particle": particle,
            "surname": surname,
            "date_of_birth": f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            "house_number": str(rng.randint(1, 300)),
            "postcode": f"{rng.randint(1000, 9999)}{rng.choice(_LETTERS)}{rng.choice(_LETTERS)}",
            "city": rng.choice(CITIES),
        }
        rows.append(clean)
        entity.append(e)
        if rng.random() < dup_rate:
            for _ in range(rng.randint(1, 3)):
                rows.append(_corrupt(rng, clean))
                entity.append(e)
        e += 1
    rows, entity = rows[:n], entity[:n]
    order = list(range(len(rows)))
    rng.shuffle(order)
    records = pd.DataFrame([rows[i] for i in order])
    ids = [f"p{k}" for k in range(len(order))]
    records.insert(0, "id", ids)
    by_entity: dict[int, list[str]] = {}
    for k, i in enumerate(order):
        by_entity.setdefault(entity[i], []).append(ids[k])
    pairs = {
        (min(a, b), max(a, b))
        for members in by_entity.values()
        for i, a in enumerate(members)
        for b in members[i + 1 :]
    }
    return SynthData(records, pairs)
