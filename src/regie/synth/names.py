"""Dutch-looking names for synthetic people (pure; deterministic with a seeded Random).

Surnames include particles (tussenvoegsels) kept apart, as Dutch registers do:
("van der", "Berg") is sorted under B and displayed "Van der Berg" only at the start.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass

FIRST_NAMES = (
    "Anna",
    "Emma",
    "Sophie",
    "Julia",
    "Lotte",
    "Sanne",
    "Fleur",
    "Eva",
    "Lisa",
    "Iris",
    "Noor",
    "Sara",
    "Fatima",
    "Yasmina",
    "Aylin",
    "Marieke",
    "Inge",
    "Anouk",
    "Femke",
    "Esther",
    "Daan",
    "Sem",
    "Lucas",
    "Finn",
    "Jesse",
    "Thomas",
    "Bram",
    "Ruben",
    "Lars",
    "Tim",
    "Mohamed",
    "Youssef",
    "Mehmet",
    "Kevin",
    "Jeroen",
    "Mark",
    "Sander",
    "Pieter",
    "Joost",
    "Wouter",
    "Hendrik",
    "Gerrit",
    "Willem",
    "Maarten",
    "Rik",
    "Stijn",
    "Niels",
    "Koen",
    "Priya",
    "Chantal",
    "Dewi",
    "Rachid",
    "Sven",
    "Bas",
    "Mila",
    "Zoë",
    "Renée",
    "Jolien",
)
SURNAMES = (
    ("de", "Jong"),
    ("", "Jansen"),
    ("de", "Vries"),
    ("van den", "Berg"),
    ("van", "Dijk"),
    ("", "Bakker"),
    ("", "Janssen"),
    ("", "Visser"),
    ("", "Smit"),
    ("", "Meijer"),
    ("de", "Boer"),
    ("", "Mulder"),
    ("de", "Groot"),
    ("", "Bos"),
    ("", "Vos"),
    ("", "Peters"),
    ("", "Hendriks"),
    ("van", "Leeuwen"),
    ("", "Dekker"),
    ("", "Brouwer"),
    ("de", "Wit"),
    ("", "Dijkstra"),
    ("", "Smits"),
    ("de", "Graaf"),
    ("van der", "Meer"),
    ("van der", "Linden"),
    ("", "Kok"),
    ("", "Jacobs"),
    ("de", "Haan"),
    ("", "Vermeulen"),
    ("van den", "Heuvel"),
    ("van der", "Veen"),
    ("van den", "Broek"),
    ("de", "Bruijn"),
    ("de", "Bruin"),
    ("van der", "Heijden"),
    ("", "Schouten"),
    ("van", "Beek"),
    ("", "Willems"),
    ("van", "Vliet"),
    ("van de", "Ven"),
    ("", "Hoekstra"),
    ("", "Maas"),
    ("", "Verhoeven"),
    ("", "Koster"),
    ("van", "Dam"),
    ("van der", "Wal"),
    ("", "Prins"),
    ("", "Blom"),
    ("", "Huisman"),
    ("", "Yilmaz"),
    ("", "El Amrani"),
    ("", "Bouzid"),
    ("", "Kaya"),
    ("", "Öztürk"),
    ("", "Ramdin"),
    ("", "Tjon"),
    ("", "Nguyen"),
)


@dataclass(frozen=True)
class PersonName:
    first: str
    particle: str
    last: str

    @property
    def display(self) -> str:
        return " ".join(p for p in (self.first, self.particle, self.last) if p)


def random_name(rng: random.Random) -> PersonName:
    particle, last = rng.choice(SURNAMES)
    return PersonName(rng.choice(FIRST_NAMES), particle, last)


def ascii_slug(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(c for c in decomposed if c.isascii() and (c.isalnum()))
    return kept.lower()


def username_for(name: PersonName, taken: set[str]) -> str:
    base = f"{ascii_slug(name.first)}.{ascii_slug(name.particle + name.last)}"
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}{n}"
    taken.add(candidate)
    return candidate
