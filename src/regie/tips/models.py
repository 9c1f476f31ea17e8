"""The tip line's records. Written only by :mod:`regie.tips.services`.

Nothing here identifies a reporter: there is no IP address, user agent, cookie or session
of a reporter anywhere. Tip content (the questionnaire, the rewrite, the follow-up messages
and attachments) is stored only encrypted: the desk's copies under the desk vault
(:class:`regie.tips.sealing.DeskVault`), a forwarded package sealed for its recipient.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from regie.organisation.models import Municipality, Unit


class Channel(models.TextChoices):
    WEB = "web", _("webformulier")
    PHONE = "phone", _("telefoon (0800-7000)")


class Status(models.TextChoices):
    NEW = "new", _("nieuw")
    NOT_CONCRETE = "not_concrete", _("niet concreet")
    FORWARDED = "forwarded", _("doorgezet")
    CLOSED = "closed", _("afgesloten")


class Topic(models.TextChoices):
    DRUGS = "drugs", _("drugs")
    WEAPONS = "weapons", _("wapens")
    VIOLENCE = "violence", _("geweld")
    PROPERTY = "property", _("inbraak en diefstal")
    FRAUD = "fraud", _("fraude en oplichting")
    TAX = "tax", _("belasting- en uitkeringsfraude")
    HUMAN_TRAFFICKING = "human_trafficking", _("mensenhandel en uitbuiting")
    SUBVERSION = "subversion", _("ondermijning")
    NUISANCE = "nuisance", _("overlast en woonfraude")
    INSURANCE = "insurance", _("verzekeringsfraude")
    BORDER = "border", _("grens, identiteit en smokkel")
    POLICE_INTEGRITY = "police_integrity", _("integriteit overheid")
    ENVIRONMENT = "environment", _("milieu en voedselveiligheid")
    OTHER = "other", _("overig")


class RecipientKind(models.TextChoices):
    AGENCY = "agency", _("instantie")
    MUNICIPALITY = "municipality", _("gemeente")


class Recipient(models.Model):
    """A partner that receives forwarded tips: an agency or a connected municipality.

    Who signs in for it: for a municipality, staff with the municipality-recipient role
    scoped to ``municipality``; for a police agency recipient, intelligence staff of
    ``unit``; for another agency, its ``members`` (role agency recipient). The private key
    is kept only protected by the recipient's passphrase."""

    name = models.CharField(_("naam"), max_length=120, unique=True)
    kind = models.CharField(_("soort"), max_length=16, choices=RecipientKind.choices)
    topics = models.JSONField(_("onderwerpen"), default=list)
    #: Municipality codes; empty list: national (agencies only).
    area = models.JSONField(_("gebied (gemeentecodes)"), default=list, blank=True)
    municipality = models.OneToOneField(
        Municipality, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True)
    #: Who signs in for a partner agency outside the police (role "Ontvanger
    #: partnerorganisatie"): FIOD, KMar, Rijksrecherche, inspectorates, insurers.
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="tip_recipients"
    )
    public_key = models.CharField(_("publieke sleutel"), max_length=64)
    protected_private_key = models.BinaryField()
    fingerprint = models.CharField(_("vingerafdruk"), max_length=64)
    #: Municipalities: the date of connection (subscription); ``None``: not connected.
    connected_on = models.DateField(_("aangesloten op"), null=True, blank=True)
    active = models.BooleanField(_("actief"), default=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("ontvanger")
        verbose_name_plural = _("ontvangers")

    def __str__(self) -> str:
        return self.name


class Tip(models.Model):
    received_at = models.DateTimeField(_("ontvangen"), db_index=True)
    channel = models.CharField(_("kanaal"), max_length=8, choices=Channel.choices)
    topic = models.CharField(_("onderwerp"), max_length=24, choices=Topic.choices)
    municipality_code = models.CharField(_("gemeente"), max_length=6, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.NEW, db_index=True
    )
    #: The questionnaire as the reporter gave it (desk vault).
    original = models.BinaryField()
    #: The desk's rewrite (desk vault), empty until written.
    rewrite = models.BinaryField(null=True, blank=True)
    rewrite_checked_ok = models.BooleanField(default=False)
    concrete = models.BooleanField(_("concreet"), null=True)
    receipt_selector = models.CharField(max_length=5, unique=True, null=True)
    receipt_hash = models.CharField(max_length=200, blank=True)
    #: Failed receipt lookups in a row for this selector, and the lock they caused.
    receipt_failures = models.PositiveSmallIntegerField(default=0)
    receipt_locked_until = models.DateTimeField(null=True, blank=True)
    forwarded_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(_("verloopt"), db_index=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("melding")
        verbose_name_plural = _("meldingen")

    def __str__(self) -> str:
        return f"MMA-{self.pk:06d}"

    @property
    def number(self) -> str:
        return str(self)


class Attachment(models.Model):
    """A stripped attachment, encrypted under the desk vault in a file of its own."""

    tip = models.ForeignKey(Tip, on_delete=models.CASCADE, related_name="attachments")
    file_name = models.CharField(max_length=64, unique=True)
    kind = models.CharField(max_length=8)
    size = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.kind} ({self.size} B)"


class Sender(models.TextChoices):
    DESK = "desk", _("meldpunt")
    REPORTER = "reporter", _("melder")


class FollowUp(models.Model):
    """A question of the desk or information added by the reporter (desk vault)."""

    tip = models.ForeignKey(Tip, on_delete=models.CASCADE, related_name="follow_ups")
    sender = models.CharField(max_length=8, choices=Sender.choices)
    body = models.BinaryField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.sender} {self.created_at:%Y-%m-%d}"


class Delivery(models.Model):
    tip = models.ForeignKey(Tip, on_delete=models.CASCADE, related_name="deliveries")
    recipient = models.ForeignKey(Recipient, on_delete=models.PROTECT, related_name="deliveries")
    sealed = models.BinaryField()
    sent_at = models.DateTimeField()
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    opened_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    feedback = models.TextField(_("terugkoppeling"), blank=True)
    feedback_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(fields=["tip", "recipient"], name="tips_delivery_once")
        ]

    def __str__(self) -> str:
        return f"{self.tip_id} -> {self.recipient_id}"


class CountKind(models.TextChoices):
    RECEIVED = "received", _("ontvangen")
    FORWARDED = "forwarded", _("doorgezet")
    FEEDBACK = "feedback", _("teruggekoppeld")


class ExpiredCount(models.Model):
    """What statistics keep of deleted tips: counts only, per month, topic and recipient."""

    month = models.CharField(max_length=7)
    topic = models.CharField(max_length=24)
    kind = models.CharField(max_length=12, choices=CountKind.choices)
    recipient_name = models.CharField(max_length=120, blank=True)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["month", "topic", "kind", "recipient_name"], name="tips_expired_count"
            )
        ]

    def __str__(self) -> str:
        return f"{self.month} {self.topic} {self.kind} {self.recipient_name}: {self.count}"


class BillingModel(models.TextChoices):
    MODEL_2020 = "2020", _("model 2020 (jaarbijdrage naar grootte)")
    OLD = "old", _("oud model (jaarbijdrage plus per melding)")


class Invoice(models.Model):
    recipient = models.ForeignKey(Recipient, on_delete=models.PROTECT, related_name="invoices")
    year = models.PositiveSmallIntegerField()
    model = models.CharField(max_length=8, choices=BillingModel.choices)
    tips = models.PositiveIntegerField(default=0)
    lines = models.JSONField(default=list)
    total = models.DecimalField(max_digits=10, decimal_places=2)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["year", "recipient__name", "model"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "year", "model"], name="tips_invoice_once")
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id} {self.year} {self.model}"


class UsedChallenge(models.Model):
    """Proof-of-work challenges already spent (kept until they expire)."""

    challenge_id = models.CharField(max_length=32, primary_key=True)
    expires_at = models.FloatField(db_index=True)

    def __str__(self) -> str:
        return self.challenge_id
