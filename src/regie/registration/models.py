"""Registrations (meldingen, aangiften, aanhoudingen), their offences, and the core objects
(person, organisation, good, location) that are registered once and linked everywhere.

Since July 2018 every offence is registered and counted separately: a registration has one
:class:`Offence` row per offence. The old rule ("count the heaviest") is derived from the
seriousness rank of :class:`OffenceCategory` (reference data, ``data/offence_seriousness.csv``).

Core objects are never deleted by a merge: the merged object points to the survivor
(``merged_into``) and a :class:`MergeEvent` records who, when and why; a split undoes it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from regie.audit.models import Retained
from regie.organisation.models import BaseTeam, Municipality, Neighbourhood
from regie.organisation.roles import Confidentiality


class OffenceCategory(models.Model):
    """A category of the police classification (CBS table 47018NED), e.g. 1.2.3."""

    code = models.CharField(_("code"), max_length=8, unique=True)
    title = models.CharField(_("omschrijving"), max_length=100)
    seriousness_rank = models.PositiveSmallIntegerField(
        _("zwaarte (1 = zwaarst)"), help_text=_("Voor de oude telling: het zwaarste feit telt")
    )
    max_penalty_years = models.DecimalField(max_digits=5, decimal_places=2)
    rationale = models.CharField(max_length=200)

    class Meta:
        ordering = ["code"]
        verbose_name = _("delictcategorie")
        verbose_name_plural = _("delictcategorieën")

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class IncidentCode(models.Model):
    """A police incident code (maatschappelijke klasse), e.g. A72 Diefstal fiets."""

    code = models.CharField(_("code"), max_length=8, db_index=True)
    title = models.CharField(_("omschrijving"), max_length=100)
    category = models.ForeignKey(OffenceCategory, on_delete=models.PROTECT, related_name="codes")

    class Meta:
        ordering = ["code"]
        constraints = [
            # F614 appears under two categories in the source classification.
            models.UniqueConstraint(fields=["code", "category"], name="incident_code_once")
        ]
        verbose_name = _("incidentcode")
        verbose_name_plural = _("incidentcodes")

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class CoreObject(Retained):
    """Common fields of the registered-once core objects."""

    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged"
    )
    confidentiality = models.PositiveSmallIntegerField(
        choices=Confidentiality.choices, default=Confidentiality.INTERNAL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class Person(CoreObject):
    first_names = models.CharField(_("voornamen"), max_length=100)
    particle = models.CharField(_("tussenvoegsel"), max_length=20, blank=True)
    surname = models.CharField(_("achternaam"), max_length=100)
    date_of_birth = models.DateField(_("geboortedatum"), null=True, blank=True, db_index=True)
    bsn = models.CharField(_("BSN"), max_length=9, null=True, blank=True, unique=True)
    nationality = models.CharField(_("nationaliteit"), max_length=3, blank=True)
    surname_key = models.CharField(max_length=100, db_index=True)
    phonetic_key = models.CharField(max_length=40, db_index=True)
    #: surname|first name|date of birth, normalised: two desks entering the same person at
    #: the same moment collide on this key and end up with one object.
    identity_key = models.CharField(max_length=220, null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("persoon")
        verbose_name_plural = _("personen")
        indexes = [models.Index(fields=["date_of_birth"])]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return " ".join(p for p in (self.first_names, self.particle, self.surname) if p)


class Organisation(CoreObject):
    name = models.CharField(_("naam"), max_length=200)
    name_key = models.CharField(max_length=200, db_index=True)
    kvk_number = models.CharField(_("KvK-nummer"), max_length=8, null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("organisatie")
        verbose_name_plural = _("organisaties")

    def __str__(self) -> str:
        return self.name


class GoodKind(models.TextChoices):
    BICYCLE = "bicycle", _("fiets")
    VEHICLE = "vehicle", _("voertuig")
    PHONE = "phone", _("telefoon")
    LAPTOP = "laptop", _("laptop")
    OTHER = "other", _("overig")


class Good(CoreObject):
    kind = models.CharField(_("soort"), max_length=16, choices=GoodKind.choices)
    brand = models.CharField(_("merk"), max_length=100, blank=True)
    description = models.CharField(_("omschrijving"), max_length=200, blank=True)
    frame_number = models.CharField(
        _("framenummer"), max_length=40, null=True, blank=True, unique=True
    )
    plate = models.CharField(_("kenteken"), max_length=10, null=True, blank=True, unique=True)
    imei = models.CharField(_("IMEI"), max_length=15, null=True, blank=True, unique=True)
    serial_number = models.CharField(
        _("serienummer"), max_length=60, null=True, blank=True, db_index=True
    )

    class Meta:
        verbose_name = _("goed")
        verbose_name_plural = _("goederen")

    def __str__(self) -> str:
        ident = self.frame_number or self.plate or self.imei or self.serial_number or ""
        return " ".join(p for p in (self.get_kind_display(), self.brand, ident) if p)


class Location(CoreObject):
    street = models.CharField(_("straat"), max_length=100, blank=True)
    house_number = models.CharField(_("huisnummer"), max_length=10, blank=True)
    house_number_suffix = models.CharField(_("toevoeging"), max_length=10, blank=True)
    postcode = models.CharField(_("postcode"), max_length=6, blank=True)
    city = models.CharField(_("plaats"), max_length=80, blank=True)
    address_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    x = models.FloatField(_("RD x"), null=True, blank=True)
    y = models.FloatField(_("RD y"), null=True, blank=True)
    neighbourhood = models.ForeignKey(
        Neighbourhood, on_delete=models.PROTECT, null=True, blank=True
    )
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, null=True, blank=True)
    base_team = models.ForeignKey(BaseTeam, on_delete=models.PROTECT, null=True, blank=True)

    class Meta:
        verbose_name = _("locatie")
        verbose_name_plural = _("locaties")

    def __str__(self) -> str:
        number = f"{self.house_number}{self.house_number_suffix}"
        street = " ".join(p for p in (self.street, number) if p)
        return ", ".join(p for p in (street, self.postcode, self.city) if p) or (
            f"RD {self.x:.0f}, {self.y:.0f}" if self.x is not None and self.y is not None else "?"
        )


class Kind(models.TextChoices):
    MELDING = "melding", _("Melding")
    AANGIFTE = "aangifte", _("Aangifte")
    AANHOUDING = "aanhouding", _("Aanhouding")


class Channel(models.TextChoices):
    DESK = "desk", _("Balie")
    PHONE = "phone", _("Telefoon")
    VIDEO = "video", _("3D-aangifte (video)")
    INTERNET = "internet", _("Internet (DigiD)")
    STREET = "street", _("Straat / mobiel")
    CHATBOT = "chatbot", _("Chatbot")
    TIPLINE = "tipline", _("Meld Misdaad Anoniem")


class Source(models.TextChoices):
    DESK = "desk", _("baliescherm")
    ONLINE = "online", _("online aangifte")
    API = "api", _("API")
    IMPORT = "import", _("import")
    SYNTH = "synth", _("synthetisch")


class Registration(Retained):
    number = models.CharField(_("registratienummer"), max_length=20, unique=True)
    kind = models.CharField(_("soort"), max_length=12, choices=Kind.choices)
    occurred_from = models.DateTimeField(_("gepleegd vanaf"), db_index=True)
    occurred_to = models.DateTimeField(_("gepleegd tot"))
    reported_at = models.DateTimeField(_("gemeld op"), db_index=True)
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    x = models.FloatField(_("RD x"), null=True, blank=True)
    y = models.FloatField(_("RD y"), null=True, blank=True)
    neighbourhood = models.ForeignKey(
        Neighbourhood, on_delete=models.PROTECT, null=True, blank=True
    )
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, null=True, blank=True)
    base_team = models.ForeignKey(
        BaseTeam, on_delete=models.PROTECT, null=True, blank=True, related_name="registrations"
    )
    channel = models.CharField(_("kanaal"), max_length=12, choices=Channel.choices)
    narrative = models.TextField(_("relaas"), blank=True)
    modus_operandi = models.CharField(_("modus operandi"), max_length=200, blank=True)
    damage_amount = models.DecimalField(
        _("schadebedrag (EUR)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    #: The answers specific to a type of report (the online form's questions per offence,
    #: e.g. the bicycle's colour, the web shop's address), as entered: text by question.
    extra = models.JSONField(_("aanvullende antwoorden"), null=True, blank=True, editable=False)
    confidentiality = models.PositiveSmallIntegerField(
        choices=Confidentiality.choices, default=Confidentiality.INTERNAL
    )
    source = models.CharField(max_length=8, choices=Source.choices)
    source_ref = models.CharField(max_length=64, blank=True)
    idempotency_key = models.CharField(max_length=64, null=True, blank=True, unique=True)
    #: SHA-256 of the request that created it: a retry with the same key must match.
    payload_hash = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-reported_at"]
        verbose_name = _("registratie")
        verbose_name_plural = _("registraties")
        constraints = [
            models.CheckConstraint(
                name="registration_window_ordered",
                condition=models.Q(occurred_from__lte=models.F("occurred_to")),
            ),
            models.UniqueConstraint(
                fields=["source", "source_ref"],
                name="registration_source_ref_once",
                condition=~models.Q(source_ref=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"


class NumberSequence(models.Model):
    """The last registration number handed out per year (locked while reserving)."""

    year = models.PositiveSmallIntegerField(unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class OffenceStatus(models.TextChoices):
    REGISTERED = "registered", _("geregistreerd")
    WITHDRAWN = "withdrawn", _("ingetrokken")


class Offence(models.Model):
    """One offence of a registration: counted separately since July 2018."""

    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="offences"
    )
    seq = models.PositiveSmallIntegerField()
    incident_code = models.ForeignKey(IncidentCode, on_delete=models.PROTECT)
    category = models.ForeignKey(OffenceCategory, on_delete=models.PROTECT)
    attempt = models.BooleanField(_("poging"), default=False)
    status = models.CharField(
        max_length=12, choices=OffenceStatus.choices, default=OffenceStatus.REGISTERED
    )

    class Meta:
        ordering = ["registration", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["registration", "seq"], name="offence_seq_once")
        ]

    def __str__(self) -> str:
        return f"{self.incident_code}{' (poging)' if self.attempt else ''}"


class Role(models.TextChoices):
    REPORTER = "reporter", _("aangever")
    VICTIM = "victim", _("slachtoffer")
    WITNESS = "witness", _("getuige")
    SUSPECT = "suspect", _("verdachte")
    ARRESTED = "arrested", _("aangehouden persoon")
    INJURED_ORGANISATION = "injured_organisation", _("benadeelde organisatie")
    STOLEN_GOOD = "stolen_good", _("gestolen goed")
    FOUND_GOOD = "found_good", _("gevonden goed")
    DAMAGED_GOOD = "damaged_good", _("beschadigd goed")
    CRIME_SCENE = "crime_scene", _("plaats delict")


PERSON_ROLES = {Role.REPORTER, Role.VICTIM, Role.WITNESS, Role.SUSPECT, Role.ARRESTED}
ORGANISATION_ROLES = {Role.REPORTER, Role.VICTIM, Role.INJURED_ORGANISATION, Role.SUSPECT}
GOOD_ROLES = {Role.STOLEN_GOOD, Role.FOUND_GOOD, Role.DAMAGED_GOOD}
LOCATION_ROLES = {Role.CRIME_SCENE}


class Involvement(models.Model):
    """A core object's role in a registration. Exactly one object is set."""

    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="involvements"
    )
    role = models.CharField(_("rol"), max_length=24, choices=Role.choices)
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="involvements"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="involvements"
    )
    good = models.ForeignKey(
        Good, on_delete=models.PROTECT, null=True, blank=True, related_name="involvements"
    )
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, null=True, blank=True, related_name="involvements"
    )
    match_score = models.FloatField(
        null=True, blank=True, help_text="score when linked to an existing object"
    )
    #: Identifiers entered for this good that another good already holds (a plate that is
    #: registered on another vehicle): kept here with the registration, never dropped, and
    #: not moved onto either good (``matching.good_identity``).
    identifiers_entered = models.JSONField(
        _("afwijkende kenmerken"), null=True, blank=True, editable=False
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="involvement_exactly_one_object",
                condition=(
                    models.Q(
                        person__isnull=False,
                        organisation__isnull=True,
                        good__isnull=True,
                        location__isnull=True,
                    )
                    | models.Q(
                        person__isnull=True,
                        organisation__isnull=False,
                        good__isnull=True,
                        location__isnull=True,
                    )
                    | models.Q(
                        person__isnull=True,
                        organisation__isnull=True,
                        good__isnull=False,
                        location__isnull=True,
                    )
                    | models.Q(
                        person__isnull=True,
                        organisation__isnull=True,
                        good__isnull=True,
                        location__isnull=False,
                    )
                ),
            )
        ]

    def __str__(self) -> str:
        obj = self.person or self.organisation or self.good or self.location
        return f"{self.get_role_display()}: {obj}"

    @property
    def identifiers_entered_display(self) -> list[str]:
        """``identifiers_entered`` as "kenteken LV894J" texts."""
        labels = {f.name: f.verbose_name for f in Good._meta.concrete_fields}
        return [
            f"{labels.get(name, name)} {value}"
            for name, value in (self.identifiers_entered or {}).items()
        ]


class MergeEvent(models.Model):
    """History of merges of core objects (and their undoing: a split)."""

    object_type = models.CharField(max_length=16)  # person|organisation|good|location
    survivor_id = models.BigIntegerField()
    merged_id = models.BigIntegerField()
    reason = models.CharField(max_length=200)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    undo_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.object_type} {self.merged_id} -> {self.survivor_id}"


class ObjectType(models.TextChoices):
    """The kinds of core objects (``MergeEvent.object_type`` uses the same values)."""

    PERSON = "person", _("persoon")
    ORGANISATION = "organisation", _("organisatie")
    GOOD = "good", _("goed")
    LOCATION = "location", _("locatie")


class MatchModel(models.Model):
    """A trained entity-resolution model for one kind of core object (Splink settings with
    parameters). At most one per kind is active. The active person model is also the person
    matcher of every intake path (:func:`regie.registration.resolution.person_matcher`);
    without one the rule-based matcher is used."""

    object_type = models.CharField(max_length=16, choices=ObjectType.choices)
    trained_at = models.DateTimeField(auto_now_add=True)
    trained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    record_count = models.PositiveIntegerField()
    model = models.JSONField()
    active = models.BooleanField(default=False)
    #: What training and the last batch run measured (pairs found, review band, ...).
    summary = models.JSONField(default=dict)

    class Meta:
        ordering = ["-trained_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["object_type"],
                condition=models.Q(active=True),
                name="registration_one_active_match_model_per_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_object_type_display()}model {self.pk}"


class PairStatus(models.TextChoices):
    OPEN = "open", _("Te beoordelen")
    MERGED = "merged", _("Samengevoegd")
    DIFFERENT = "different", _("Verschillend")
    SPLIT = "split", _("Samenvoeging ongedaan gemaakt")
    OBSOLETE = "obsolete", _("Vervallen")


class PairReview(models.Model):
    """Two core objects of one kind that the batch resolution judged possibly the same: a
    human decides (merge or different); a merge can be undone (split). ``id_a < id_b``.
    The ids are not foreign keys because the kind varies (as in :class:`MergeEvent`); a pair
    whose object is gone (retention) or merged elsewhere becomes obsolete."""

    object_type = models.CharField(max_length=16, choices=ObjectType.choices)
    id_a = models.BigIntegerField()
    id_b = models.BigIntegerField()
    match_probability = models.FloatField()
    #: The comparison levels, as Dutch reasons.
    reasons = models.JSONField(default=list)
    model = models.ForeignKey(MatchModel, on_delete=models.SET_NULL, null=True, blank=True)
    status = models.CharField(max_length=10, choices=PairStatus.choices, default=PairStatus.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(max_length=200, blank=True)
    merge_event = models.ForeignKey(MergeEvent, on_delete=models.SET_NULL, null=True, blank=True)

    class Meta:
        ordering = ["-match_probability", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["object_type", "id_a", "id_b"], name="registration_one_review_per_pair"
            ),
            models.CheckConstraint(
                condition=models.Q(id_a__lt=models.F("id_b")),
                name="registration_review_pair_ordered",
            ),
        ]
        indexes = [models.Index(fields=["object_type", "status", "-match_probability"])]

    def __str__(self) -> str:
        return f"{self.object_type} {self.id_a} ~ {self.id_b} ({self.match_probability:.2f})"
