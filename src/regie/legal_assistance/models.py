"""The LIRC work queue: received messages (parsed, triaged, grouped into cases), the
quarantine of messages that failed to parse, register hits, answers and notifications.

Written only by :mod:`regie.legal_assistance.services`."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from regie.audit.models import Retained
from regie.legal_assistance.messages import KIND_LABELS, MessageKind
from regie.legal_assistance.triage import CATEGORY_LABELS, PRIORITY_LABELS, Category, Priority


class Status(models.TextChoices):
    NEW = "nieuw", _("nieuw")
    ASSESSED = "beoordeeld", _("beoordeeld")
    ASSIGNED = "toegewezen", _("toegewezen")
    ANSWERED = "beantwoord", _("beantwoord")
    CLOSED = "afgesloten", _("afgesloten")


#: Statuses in which a message still needs work (the backlog).
OPEN_STATUSES = (Status.NEW, Status.ASSESSED, Status.ASSIGNED)

KIND_CHOICES = [(k.value, KIND_LABELS[k]) for k in MessageKind]
CATEGORY_CHOICES = [(c.value, CATEGORY_LABELS[c]) for c in Category]
PRIORITY_CHOICES = [(int(p), f"{int(p)} ({PRIORITY_LABELS[p]})") for p in Priority]


class LegalCase(models.Model):
    """Messages about one subject or request (a diffusion, the red notice that followed it,
    the PNR hit on the same person). Holds no personal data of its own."""

    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("LIRC-zaak")
        verbose_name_plural = _("LIRC-zaken")

    def __str__(self) -> str:
        return f"LIRC-{self.pk:06d}"

    @property
    def number(self) -> str:
        return str(self)


class LegalMessage(Retained):
    """One received message: the payload verbatim, the parsed message and its triage."""

    payload = models.TextField(_("ontvangen bericht"))
    syntax = models.CharField(max_length=4, choices=[("json", "JSON"), ("xml", "XML")])
    #: The parsed message in its JSON form (``messages.to_dict``).
    data = models.JSONField()
    intake_channel = models.CharField(_("binnengekomen via"), max_length=32)
    kind = models.CharField(_("soort"), max_length=24, choices=KIND_CHOICES, db_index=True)
    channel = models.CharField(_("kanaal"), max_length=16)
    ref_own = models.CharField(_("eigen referentie"), max_length=64, blank=True)
    ref_issuing = models.CharField(_("referentie verzoekend land"), max_length=64, blank=True)
    ref_interpol = models.CharField(_("Interpol-dossiernummer"), max_length=64, blank=True)
    issuing_country = models.CharField(_("verzoekend land"), max_length=2)
    received_at = models.DateTimeField(_("ontvangen"), db_index=True)
    deadline = models.DateTimeField(_("termijn afzender"), null=True, blank=True)
    summary = models.TextField(_("samenvatting"), blank=True)
    subjects = models.JSONField(_("betrokkenen"), default=list)

    category = models.CharField(_("categorie"), max_length=12, choices=CATEGORY_CHOICES)
    priority = models.PositiveSmallIntegerField(_("prioriteit"), choices=PRIORITY_CHOICES)
    score = models.PositiveSmallIntegerField(_("score"))
    #: ``[{"code", "text", "points"}]``: every factor of the triage.
    reasons = models.JSONField(_("redenen"), default=list)
    triage_deadline = models.DateTimeField(_("afhandelen vóór"))
    needs_second_confirmation = models.BooleanField(default=False)
    nl_link = models.BooleanField(_("band met Nederland"), default=False)
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    triaged_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.NEW, db_index=True
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="legal_messages",
    )
    case = models.ForeignKey(LegalCase, on_delete=models.PROTECT, related_name="messages")
    #: When the message left the backlog (answered or closed).
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("LIRC-bericht")
        verbose_name_plural = _("LIRC-berichten")
        indexes = [models.Index(fields=["status", "-score", "triage_deadline", "received_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.reference}"

    @property
    def reference(self) -> str:
        return self.ref_interpol or self.ref_issuing or self.ref_own or f"#{self.pk}"

    @property
    def subject_names(self) -> str:
        names = [
            " ".join(p for p in (s.get("forename", ""), s.get("name", "")) if p)
            or s.get("entity_id", "")
            for s in self.subjects
        ]
        return ", ".join(n for n in names if n) or "—"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def awaiting_confirmation(self) -> bool:
        return self.needs_second_confirmation and self.confirmed_by_id is None


class MessageKey(models.Model):
    """A blocking key of a message (``duplicates.blocking_keys``): the candidates of a new
    message are the earlier ones that share a key."""

    message = models.ForeignKey(LegalMessage, on_delete=models.CASCADE, related_name="keys")
    key = models.CharField(max_length=160)

    class Meta:
        indexes = [models.Index(fields=["key", "message"])]

    def __str__(self) -> str:
        return self.key


class MessageLink(models.Model):
    """Why two messages were put into one case (``duplicates.find_duplicates``)."""

    message = models.ForeignKey(LegalMessage, on_delete=models.CASCADE, related_name="links")
    other = models.ForeignKey(LegalMessage, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    reasons = models.JSONField(default=list)

    def __str__(self) -> str:
        return f"{self.message_id} ~ {self.other_id} ({self.score:.2f})"


class QuarantinedMessage(Retained):
    """A message that failed to parse: kept verbatim with every error, never dropped."""

    payload = models.TextField(_("ontvangen bericht"))
    #: The exact bytes (base64) when the text above is not exact: invalid UTF-8 or NUL
    #: characters, which are shown escaped in ``payload``.
    payload_base64 = models.TextField(blank=True)
    intake_channel = models.CharField(_("binnengekomen via"), max_length=32)
    #: ``MessageError.as_dicts()``: path, code, params, message, message_nl.
    errors = models.JSONField(_("fouten"), default=list)
    received_at = models.DateTimeField(_("ontvangen"), auto_now_add=True, db_index=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved = models.BooleanField(_("afgehandeld"), default=False, db_index=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    #: The message the corrected payload became.
    message = models.ForeignKey(
        LegalMessage, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("bericht in quarantaine")
        verbose_name_plural = _("berichten in quarantaine")

    def __str__(self) -> str:
        return f"Q{self.pk}"


class RegisterHit(models.Model):
    """A subject of a message found in Regie's registers at intake."""

    message = models.ForeignKey(LegalMessage, on_delete=models.CASCADE, related_name="hits")
    subject_index = models.PositiveSmallIntegerField()
    register = models.CharField(_("register"), max_length=32)
    person = models.ForeignKey(
        "registration.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    selection_case = models.ForeignKey(
        "selection.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    score = models.FloatField(null=True, blank=True)
    description = models.CharField(_("omschrijving"), max_length=300)

    def __str__(self) -> str:
        return f"{self.register}: {self.description}"


class Answer(models.Model):
    message = models.ForeignKey(LegalMessage, on_delete=models.CASCADE, related_name="answers")
    template = models.CharField(_("sjabloon"), max_length=16)
    text = models.TextField(_("tekst"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(_("verzonden"))

    def __str__(self) -> str:
        return f"{self.template} ({self.sent_at:%Y-%m-%d %H:%M})"


class MessageEvent(models.Model):
    """The history of a message: assessed, confirmed, priority changed, assigned, answered."""

    message = models.ForeignKey(LegalMessage, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=16)
    text = models.CharField(max_length=500)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return self.text


class Notification(models.Model):
    """A message to a colleague: a LIRC message concerns a subject of their open case."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="legal_notifications"
    )
    message = models.ForeignKey(
        LegalMessage, on_delete=models.CASCADE, related_name="notifications"
    )
    text = models.CharField(_("tekst"), max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.text


class ClassifierModel(models.Model):
    """A fitted text classifier (``triage.TextClassifier``), versioned: the newest is used.

    Written only by ``services.train_classifier``; loaded (and cached per process) by
    :mod:`regie.legal_assistance.classifier`. The classifier only *proposes* a category for
    an officer to consider; it never changes a triage."""

    class Source(models.TextChoices):
        TRIAGED = "triaged", _("beoordeelde berichten")
        MIXED = "mixed", _("beoordeelde berichten aangevuld met synthetisch verkeer")
        SYNTHETIC = "synthetic", _("synthetisch verkeer")

    trained_at = models.DateTimeField(_("getraind"))
    trained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    #: What it learned from: officers' triaged messages, synthetic traffic, or both.
    source = models.CharField(_("bron"), max_length=12, choices=Source.choices)
    #: All examples (training part and held-back part).
    n_examples = models.PositiveIntegerField(_("voorbeelden"))
    n_triaged = models.PositiveIntegerField(_("beoordeelde berichten"))
    n_synthetic = models.PositiveIntegerField(_("synthetische berichten"))
    #: The held-back part the accuracy was measured on (not trained on).
    n_held_back = models.PositiveIntegerField(_("achtergehouden"))
    accuracy = models.FloatField(_("nauwkeurigheid"), null=True, blank=True)
    #: The categories it can propose (``triage.Category`` values), sorted.
    labels = models.JSONField(_("categorieën"), default=list)
    algorithm = models.CharField(max_length=32)
    #: The pickled ``TextClassifier`` and its HMAC-SHA256 under SECRET_KEY (checked before
    #: unpickling; the column keeps its name).
    blob = models.BinaryField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("tekstclassificatiemodel")
        verbose_name_plural = _("tekstclassificatiemodellen")
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"classifier v{self.pk} ({self.source}, {self.n_examples})"

    @property
    def version(self) -> int:
        return int(self.pk)
