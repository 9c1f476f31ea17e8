"""Providers: what each kind of searchable object puts into the index.

A provider knows one source (registrations, persons, ..., legal-assistance messages): which
permission a user needs to find it at all, how to build :class:`Doc` rows for a batch of
object ids (few queries per batch, never per object), which ids exist (for a full rebuild)
and where opening a result leads.

Adding a source (e.g. the tip line's tips) is one small step: write a class with the
attributes and methods of :class:`Provider`, call :func:`register` with an instance (in the
source app's ``ready()`` or here), and keep the index current from that app's writes with
:func:`regie.search.services.index_objects` / :func:`~regie.search.services.remove_objects`
(or signals received in ``search/receivers.py``). The search page, the filters, the access
rules, the audit and ``regie search reindex --kind KIND`` then work for it unchanged.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from regie.organisation.roles import Confidentiality, Perm
from regie.search import identifiers as ids
from regie.search.text import fold


@dataclass(frozen=True, slots=True)
class Grant:
    registration_id: int
    confidentiality: int
    base_team_id: int | None
    district_id: int | None
    unit_id: int | None


@dataclass(frozen=True, slots=True)
class Doc:
    """One row of the index, as a provider builds it."""

    kind: str
    object_id: int
    title: str
    body: str = ""
    names: str = ""
    date: dt.datetime | None = None
    confidentiality: int = int(Confidentiality.INTERNAL)
    base_team_id: int | None = None
    district_id: int | None = None
    unit_id: int | None = None
    identifiers: tuple[str, ...] = ()
    #: ``None``: visible by its own place; otherwise by these registrations (core objects).
    grants: tuple[Grant, ...] | None = None


class Provider(Protocol):
    kind: str
    label: Any
    perm: Perm

    def build(self, object_ids: Sequence[int]) -> list[Doc]:
        """The documents of these objects (missing or unsearchable ones are left out)."""
        ...

    def all_ids(self) -> Iterator[list[int]]:
        """Every object id of the source, in batches (for ``regie search reindex``)."""
        ...

    def url(self, object_id: int) -> str:
        """The page that shows the object (audits its own view)."""
        ...


_PROVIDERS: dict[str, Provider] = {}


def register(provider: Provider) -> None:
    _PROVIDERS[provider.kind] = provider


def provider(kind: str) -> Provider:
    return _PROVIDERS[kind]


def providers() -> list[Provider]:
    return list(_PROVIDERS.values())


@lru_cache(maxsize=1)
def team_places() -> dict[int, tuple[int, int]]:
    """base team id -> (district id, unit id); cleared when the structure changes."""
    from regie.organisation.models import BaseTeam

    return {
        t: (d, u)
        for t, d, u in BaseTeam.objects.values_list("pk", "district_id", "district__unit_id")
    }


def place(base_team_id: int | None) -> tuple[int | None, int | None, int | None]:
    if base_team_id is None:
        return None, None, None
    found = team_places().get(base_team_id)
    if found is None:
        team_places.cache_clear()
        found = team_places().get(base_team_id, (None, None))  # type: ignore[arg-type]
    return base_team_id, found[0], found[1]


def _batches(qs: Any, size: int = 2000) -> Iterator[list[int]]:
    last = 0
    while True:
        batch = list(qs.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:size])
        if not batch:
            return
        yield batch
        last = batch[-1]


# --- Registrations ------------------------------------------------------------------------------


class RegistrationProvider:
    kind = "registration"
    label = _("Registratie")
    perm = Perm.VIEW_REGISTRATION

    def build(self, object_ids: Sequence[int]) -> list[Doc]:
        from regie.registration.models import Kind, Offence, Registration

        offences: dict[int, list[str]] = defaultdict(list)
        short: dict[int, list[str]] = defaultdict(list)
        for reg_id, code, title, cat in (
            Offence.objects.filter(registration_id__in=object_ids)
            .order_by("registration_id", "seq")
            .values_list(
                "registration_id", "incident_code__code", "incident_code__title", "category__title"
            )
        ):
            offences[reg_id].append(f"{code} {title} ({cat})")
            short[reg_id].append(f"{code} {title}")
        kinds = dict(Kind.choices)
        docs = []
        for r in (
            Registration.objects.filter(pk__in=object_ids)
            .select_related("location", "municipality")
            .only(
                "pk",
                "number",
                "kind",
                "reported_at",
                "base_team_id",
                "narrative",
                "modus_operandi",
                "extra",
                "confidentiality",
                "location",
                "municipality__name",
            )
        ):
            loc = r.location
            address = str(loc) if loc is not None else ""
            extra = " ".join(str(v) for v in (r.extra or {}).values() if v)
            offence_text = "; ".join(offences.get(r.pk, []))
            team, district, unit = place(r.base_team_id)
            idents = [ids.registration_value(r.number)]
            if loc is not None and loc.postcode:
                value = ids.address_value(loc.postcode, loc.house_number, loc.house_number_suffix)
                if value:
                    idents.append(value)
            docs.append(
                Doc(
                    kind=self.kind,
                    object_id=r.pk,
                    title=f"{kinds.get(r.kind, r.kind)} {r.number}: {'; '.join(short[r.pk])}"[:300],
                    body="\n".join(
                        p
                        for p in (
                            offence_text,
                            r.modus_operandi,
                            r.narrative,
                            extra,
                            address,
                            r.municipality.name if r.municipality else "",
                        )
                        if p
                    ),
                    date=r.reported_at,
                    confidentiality=int(r.confidentiality),
                    base_team_id=team,
                    district_id=district,
                    unit_id=unit,
                    identifiers=tuple(idents),
                )
            )
        return docs

    def all_ids(self) -> Iterator[list[int]]:
        from regie.registration.models import Registration

        return _batches(Registration.objects.all())

    def url(self, object_id: int) -> str:
        from regie.registration.models import Registration

        number = Registration.objects.filter(pk=object_id).values_list("number", flat=True).first()
        return reverse("registration:detail", kwargs={"number": number or "-"})


# --- Core objects ------------------------------------------------------------------------------


class CoreProvider(ABC):
    """Persons, organisations, goods and locations: registered once, visible through the
    registrations that involve them (or the objects merged into them). Merged objects are
    not indexed themselves; their survivor carries their names and identifiers."""

    kind: str
    label: Any
    perm = Perm.VIEW_REGISTRATION
    column: str

    @abstractmethod
    def model(self) -> Any:
        """The core-object model of this kind."""

    @abstractmethod
    def describe(self, obj: Any) -> tuple[str, str, str, list[str]]:
        """(title, body, names, identifier values) of one object."""

    def families(self, object_ids: Sequence[int]) -> dict[int, list[Any]]:
        """survivor id -> [survivor, objects merged into it (recursively)...] for these ids
        (a merged id stands for its survivor)."""
        model = self.model()
        roots: set[int] = set()
        for obj in model.objects.filter(pk__in=object_ids).only("pk", "merged_into_id"):
            root, seen = obj, {obj.pk}
            while root is not None and root.merged_into_id is not None:
                if root.merged_into_id in seen:
                    break
                seen.add(root.merged_into_id)
                root = (
                    model.objects.filter(pk=root.merged_into_id)
                    .only("pk", "merged_into_id")
                    .first()
                )
            if root is not None:
                roots.add(root.pk)
        families: dict[int, list[Any]] = {o.pk: [o] for o in model.objects.filter(pk__in=roots)}
        root_of = {r: r for r in families}
        current = list(families)
        while current:
            children = [
                c for c in model.objects.filter(merged_into_id__in=current) if c.pk not in root_of
            ]
            current = []
            for child in children:
                root = root_of[child.merged_into_id]
                root_of[child.pk] = root
                families[root].append(child)
                current.append(child.pk)
        return {k: v for k, v in families.items() if v[0].merged_into_id is None}

    def build(self, object_ids: Sequence[int]) -> list[Doc]:
        from regie.registration.models import Involvement

        families = self.families(object_ids)
        if not families:
            return []
        root_of = {m.pk: root for root, fam in families.items() for m in fam}
        grants: dict[int, dict[int, Grant]] = defaultdict(dict)
        last: dict[int, dt.datetime] = {}
        rows = Involvement.objects.filter(**{f"{self.column}__in": list(root_of)}).values_list(
            self.column,
            "registration_id",
            "registration__confidentiality",
            "registration__base_team_id",
            "registration__reported_at",
        )
        for obj_id, reg_id, conf, team_id, reported in rows:
            root = root_of[obj_id]
            team, district, unit = place(team_id)
            grants[root][reg_id] = Grant(reg_id, int(conf), team, district, unit)
            if root not in last or reported > last[root]:
                last[root] = reported
        docs = []
        for root, fam in families.items():
            obj = fam[0]
            title, body, names, idents = self.describe(obj)
            for merged in fam[1:]:
                m_title, _b, m_names, m_idents = self.describe(merged)
                body += f"\n{m_title}"
                names += f" {m_names}"
                idents += m_idents
            docs.append(
                Doc(
                    kind=self.kind,
                    object_id=root,
                    title=title[:300],
                    body=body,
                    names=names.strip(),
                    date=last.get(root, obj.created_at),
                    confidentiality=max(int(m.confidentiality) for m in fam),
                    identifiers=tuple(dict.fromkeys(v for v in idents if v)),
                    grants=tuple(grants[root].values()),
                )
            )
        return docs

    def build_new(
        self, grants_by_object: dict[int, list[Grant]], dates: dict[int, Any]
    ) -> list[Doc]:
        """Documents of objects created in this transaction: no merges, no other
        registrations yet, so one read of the objects; the grants are given."""
        docs = []
        for obj in self.model().objects.filter(pk__in=list(grants_by_object)):
            title, body, names, idents = self.describe(obj)
            docs.append(
                Doc(
                    kind=self.kind,
                    object_id=obj.pk,
                    title=title[:300],
                    body=body,
                    names=names.strip(),
                    date=dates.get(obj.pk, obj.created_at),
                    confidentiality=int(obj.confidentiality),
                    identifiers=tuple(dict.fromkeys(v for v in idents if v)),
                    grants=tuple(grants_by_object[obj.pk]),
                )
            )
        return docs

    def all_ids(self) -> Iterator[list[int]]:
        return _batches(self.model().objects.filter(merged_into__isnull=True))

    def url(self, object_id: int) -> str:
        return reverse("search:object", kwargs={"kind": self.kind, "pk": object_id})


class PersonProvider(CoreProvider):
    kind = "person"
    label = _("Persoon")
    column = "person_id"

    def model(self) -> Any:
        from regie.registration.models import Person

        return Person

    def describe(self, obj: Any) -> tuple[str, str, str, list[str]]:
        born = f" ({obj.date_of_birth:%d-%m-%Y})" if obj.date_of_birth else ""
        body = " ".join(p for p in (obj.display_name, obj.nationality) if p)
        return (
            f"{obj.display_name}{born}",
            body,
            fold(obj.display_name),
            [f"bsn:{obj.bsn}"] if obj.bsn else [],
        )

    def url(self, object_id: int) -> str:
        return reverse("registration:person", kwargs={"pk": object_id})


class OrganisationProvider(CoreProvider):
    kind = "organisation"
    label = _("Organisatie")
    column = "organisation_id"

    def model(self) -> Any:
        from regie.registration.models import Organisation

        return Organisation

    def describe(self, obj: Any) -> tuple[str, str, str, list[str]]:
        kvk = f" (KvK {obj.kvk_number})" if obj.kvk_number else ""
        return (
            f"{obj.name}{kvk}",
            obj.name,
            fold(obj.name),
            [f"kvk:{obj.kvk_number}"] if obj.kvk_number else [],
        )


class GoodProvider(CoreProvider):
    kind = "good"
    label = _("Goed")
    column = "good_id"

    def model(self) -> Any:
        from regie.registration.models import Good

        return Good

    def describe(self, obj: Any) -> tuple[str, str, str, list[str]]:
        body = " ".join(p for p in (obj.get_kind_display(), obj.brand, obj.description) if p)
        return (
            str(obj),
            body,
            "",
            ids.good_values(
                frame_number=obj.frame_number,
                plate=obj.plate,
                imei=obj.imei,
                serial_number=obj.serial_number,
            ),
        )


class LocationProvider(CoreProvider):
    kind = "location"
    label = _("Locatie")
    column = "location_id"

    def model(self) -> Any:
        from regie.registration.models import Location

        return Location

    def describe(self, obj: Any) -> tuple[str, str, str, list[str]]:
        value = ids.address_value(obj.postcode, obj.house_number, obj.house_number_suffix)
        return (str(obj), str(obj), "", [value] if value else [])


# --- Legal-assistance messages ---------------------------------------------------------------


class LegalMessageProvider:
    """International legal-assistance messages: for the LIRC only (nationally), by their
    references, summary and subjects."""

    kind = "legal_message"
    label = _("Rechtshulpbericht")
    perm = Perm.VIEW_LEGAL_ASSISTANCE

    def build(self, object_ids: Sequence[int]) -> list[Doc]:
        from regie.legal_assistance.models import LegalMessage

        docs = []
        for m in LegalMessage.objects.filter(pk__in=object_ids):
            subjects = [s for s in (m.subjects or []) if isinstance(s, dict)]
            names = [
                " ".join(str(s.get(k) or "") for k in ("forename", "name")).strip()
                for s in subjects
            ]
            refs = [r for r in (m.ref_own, m.ref_issuing, m.ref_interpol) if r]
            title = f"{m.get_kind_display()} {m.issuing_country} {' / '.join(refs)}"
            if names:
                title += f": {', '.join(n for n in names if n)}"
            docs.append(
                Doc(
                    kind=self.kind,
                    object_id=m.pk,
                    title=title[:300],
                    body="\n".join(p for p in (" ".join(refs), " ".join(names), m.summary) if p),
                    names=fold(" ".join(names)),
                    date=m.received_at,
                    confidentiality=int(Confidentiality.CONFIDENTIAL),
                    identifiers=tuple(f"ref:{r.upper()}" for r in refs),
                )
            )
        return docs

    def all_ids(self) -> Iterator[list[int]]:
        from regie.legal_assistance.models import LegalMessage

        return _batches(LegalMessage.objects.all())

    def url(self, object_id: int) -> str:
        return reverse("legal_assistance:detail", kwargs={"pk": object_id})


for _p in (
    RegistrationProvider(),
    PersonProvider(),
    OrganisationProvider(),
    GoodProvider(),
    LocationProvider(),
    LegalMessageProvider(),
):
    register(_p)

#: Kinds of core objects (their documents are visible through grants).
CORE_KINDS = ("person", "organisation", "good", "location")
