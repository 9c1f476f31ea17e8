"""A small synthetic volume for the tip line (the ``tips`` step of ``regie synth``).

Recipients: the regional police units (their own municipalities, the police topics), the
national agencies (FIOD, Royal Marechaussee, Rijksrecherche, the insurers' association,
the inspectorates) and the connected municipalities (the municipalities with a recipient
account, plus the demo municipality; public-order topics in their own area). All keys are
protected with :data:`DEMO_PASSPHRASE` (demo data only).

Tips: ~45,000 a year nationally is ~120 a day; the demo keeps ``days`` days at a rate of a
few a day, received over the web form and the phone, each with names, addresses, plates,
phone numbers and dates in the original; about 40 % are forwarded with a rewrite that
passes the check (the source: ~17,000 of ~45,000 forwarded in 2019), some of those with
an acknowledgement and feedback, some judged not concrete. Synthetic tips have no receipt
code (nobody could hold it).
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.utils import timezone

from regie.organisation.models import Municipality, Position, Unit
from regie.organisation.roles import Role
from regie.tips import conf, retention, services
from regie.tips.models import Channel, Delivery, Recipient, RecipientKind, Tip, Topic

DEMO_PASSPHRASE = "demo-sleutel-meld-misdaad-anoniem"  # noqa: S105 - demo data only
POLICE_TOPICS = (
    Topic.DRUGS,
    Topic.WEAPONS,
    Topic.VIOLENCE,
    Topic.PROPERTY,
    Topic.FRAUD,
    Topic.HUMAN_TRAFFICKING,
    Topic.SUBVERSION,
    Topic.OTHER,
)
AGENCIES = (
    ("FIOD (Belastingdienst)", (Topic.TAX, Topic.FRAUD)),
    ("Koninklijke Marechaussee", (Topic.BORDER, Topic.HUMAN_TRAFFICKING)),
    ("Rijksrecherche", (Topic.POLICE_INTEGRITY,)),
    ("Verbond van Verzekeraars", (Topic.INSURANCE,)),
    ("Inspectie (NVWA-IOD / ILT-IOD)", (Topic.ENVIRONMENT,)),
)
MUNICIPAL_TOPICS = (Topic.NUISANCE, Topic.SUBVERSION, Topic.DRUGS)
TOPIC_WEIGHTS = {
    Topic.DRUGS: 30,
    Topic.WEAPONS: 6,
    Topic.VIOLENCE: 8,
    Topic.PROPERTY: 7,
    Topic.FRAUD: 8,
    Topic.TAX: 9,
    Topic.HUMAN_TRAFFICKING: 4,
    Topic.SUBVERSION: 5,
    Topic.NUISANCE: 8,
    Topic.INSURANCE: 3,
    Topic.BORDER: 2,
    Topic.POLICE_INTEGRITY: 1,
    Topic.ENVIRONMENT: 2,
    Topic.OTHER: 7,
}
FIRST = ("Kevin", "Mohamed", "Sanne", "Dennis", "Priya", "Jeroen", "Fatima", "Bas", "Anouk")
LAST = ("de Vries", "Bakker", "El Amrani", "Jansen", "Visser", "Yilmaz", "Smit", "Mulder")
STREETS = ("Kerkstraat", "Molenweg", "Stationsplein", "Dorpsstraat", "Industrieweg", "Beukenlaan")
WHAT = {
    Topic.DRUGS: "In de schuur achter het huis wordt hennep gekweekt; het ruikt er sterk.",
    Topic.WEAPONS: "Er ligt een vuurwapen in de auto, hij laat het aan iedereen zien.",
    Topic.VIOLENCE: "Hij slaat zijn vriendin, je hoort het 's nachts door de muur.",
    Topic.PROPERTY: "Gestolen fietsen worden in een garagebox omgebouwd en verkocht.",
    Topic.FRAUD: "Hij verkoopt via internet telefoons die nooit worden geleverd.",
    Topic.TAX: "Het bedrijf betaalt personeel zwart en houdt een tweede kas bij.",
    Topic.HUMAN_TRAFFICKING: "Jonge vrouwen wonen boven de salon en werken er zonder loon.",
    Topic.SUBVERSION: "De shishalounge is altijd leeg maar draait grote omzet.",
    Topic.NUISANCE: "In de woning wonen twaalf arbeidsmigranten; de eigenaar woont elders.",
    Topic.INSURANCE: "Hij heeft zijn eigen auto laten verdwijnen en als gestolen gemeld.",
    Topic.BORDER: "Op het vliegveld worden koffers met valse paspoorten doorgegeven.",
    Topic.POLICE_INTEGRITY: "Een ambtenaar van de gemeente neemt geld aan voor vergunningen.",
    Topic.ENVIRONMENT: "Er worden 's nachts vaten met chemisch afval in de sloot geloosd.",
    Topic.OTHER: "Er wordt in een loods gehandeld in gestolen gereedschap.",
}
REWRITE = {
    Topic.DRUGS: "Bij een woning in deze gemeente wordt vermoedelijk hennep gekweekt.",
    Topic.WEAPONS: "Een man in deze gemeente zou een vuurwapen in zijn auto hebben.",
    Topic.VIOLENCE: "Er is een vermoeden van huiselijk geweld in een woning in deze gemeente.",
    Topic.PROPERTY: "Gestolen fietsen zouden in een garagebox worden omgebouwd en verkocht.",
    Topic.FRAUD: "Een man zou via internet telefoons verkopen die niet worden geleverd.",
    Topic.TAX: "Een bedrijf zou personeel zwart betalen en een tweede kas bijhouden.",
    Topic.HUMAN_TRAFFICKING: "Vrouwen zouden bij een salon wonen en zonder loon werken.",
    Topic.SUBVERSION: "Een horecazaak heeft vermoedelijk een omzet die niet past bij de drukte.",
    Topic.NUISANCE: "In een woning zouden veel arbeidsmigranten wonen; de eigenaar woont elders.",
    Topic.INSURANCE: "Een man zou zijn auto ten onrechte als gestolen hebben gemeld.",
    Topic.BORDER: "Op een luchthaven zouden valse reisdocumenten worden doorgegeven.",
    Topic.POLICE_INTEGRITY: "Een ambtenaar zou geld aannemen in ruil voor vergunningen.",
    Topic.ENVIRONMENT: "Er zou 's nachts chemisch afval in oppervlaktewater worden geloosd.",
    Topic.OTHER: "In een loods zou in gestolen gereedschap worden gehandeld.",
}


def _recipients(rng: random.Random, demo_municipality: str) -> dict[str, int]:
    made = {"agencies": 0, "municipalities": 0}
    for unit in Unit.objects.filter(is_national=False).order_by("code"):
        codes = list(Municipality.objects.filter(unit=unit).values_list("code", flat=True))
        services.create_recipient(
            name=f"Politie {unit.name} (RID)",
            kind=RecipientKind.AGENCY,
            topics=POLICE_TOPICS,
            passphrase=DEMO_PASSPHRASE,
            area=codes,
            unit=unit,
        )
        made["agencies"] += 1
    for name, topics in AGENCIES:
        services.create_recipient(
            name=name, kind=RecipientKind.AGENCY, topics=topics, passphrase=DEMO_PASSPHRASE
        )
        made["agencies"] += 1
    connected = set(
        Position.objects.filter(role=Role.MUNICIPALITY_RECIPIENT).values_list(
            "municipality__code", flat=True
        )
    ) | {demo_municipality}
    for mun in Municipality.objects.filter(code__in=connected).order_by("code"):
        # About fifty were connected under the old model; some join from 2020.
        year = rng.choice((2012, 2015, 2017, 2018, 2019, 2020, 2020))
        services.create_recipient(
            name=f"Gemeente {mun.name}",
            kind=RecipientKind.MUNICIPALITY,
            topics=MUNICIPAL_TOPICS,
            passphrase=DEMO_PASSPHRASE,
            municipality=mun,
            connected_on=dt.date(year, rng.randint(1, 12), 1),
        )
        made["municipalities"] += 1
    return made


def _original(rng: random.Random, topic: str, place: str) -> dict[str, str]:
    name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    street = f"{rng.choice(STREETS)} {rng.randint(1, 180)}"
    plate = (
        f"{rng.choice(('GX', 'KL', 'ZT'))}-{rng.randint(100, 999)}-{rng.choice(('B', 'D', 'N'))}"
    )
    day = dt.date(2019, rng.randint(1, 12), rng.randint(1, 28))
    return {
        "what": WHAT[Topic(topic)],
        "who": f"{name}, ongeveer 35 jaar, rijdt in een zwarte Audi met kenteken {plate}.",
        "where": f"{street}, {place}.",
        "when": f"Elke vrijdagavond, voor het laatst op {day.day}-{day.month}-{day.year}.",
        "how": f"Hij belt zijn klanten vanaf 06-{rng.randint(10000000, 99999999)}.",
    }


def run(seed: int, *, days: int = 60, per_day: float = 4.0) -> dict[str, Any]:
    from regie.synth.demo import DEMO_MUNICIPALITY

    rng = random.Random(seed)
    made = _recipients(rng, DEMO_MUNICIPALITY)
    recipients = list(Recipient.objects.all())
    municipalities = list(Municipality.objects.values_list("code", "name", "population"))
    weights = [p for _, _, p in municipalities]
    topics = list(TOPIC_WEIGHTS)
    now = timezone.now()
    counts = {"tips": 0, "forwarded": 0, "not_concrete": 0, "deliveries": 0, "feedback": 0}
    for day in range(days, 0, -1):
        for _ in range(int(rng.expovariate(1 / per_day) + 0.5)):
            when = now - dt.timedelta(days=day, hours=rng.randint(0, 23))
            topic = rng.choices(topics, weights=[TOPIC_WEIGHTS[t] for t in topics])[0]
            # The demo municipality gets a larger share, so its recipient sees something.
            if rng.random() < 0.15:
                code, place = DEMO_MUNICIPALITY, "Utrecht"
            else:
                code, place, _p = rng.choices(municipalities, weights=weights)[0]
            tip, _code = services.submit_tip(
                answers=_original(rng, topic, place),
                topic=topic,
                municipality_code=code,
                channel=Channel.PHONE if rng.random() < 0.35 else Channel.WEB,
                now=when,
                receipt=False,
            )
            counts["tips"] += 1
            if day <= 2:
                continue  # the newest are still on the desk
            roll = rng.random()
            if roll < 0.4:
                services.save_rewrite(tip, REWRITE[Topic(topic)], None)
                tip.refresh_from_db()
                chosen = [r.pk for r, _reason in services.proposed_recipients(tip)]
                if not chosen or not tip.rewrite_checked_ok:
                    continue
                deliveries = services.forward(tip, chosen, None)
                sent = when + dt.timedelta(hours=rng.randint(2, 30))
                Tip.objects.filter(pk=tip.pk).update(
                    forwarded_at=sent,
                    expires_at=retention.expiry_date(
                        tip.received_at, forwarded_at=sent, policy=conf.retention_policy()
                    ),
                )
                for d in deliveries:
                    Delivery.objects.filter(pk=d.pk).update(sent_at=sent)
                    if rng.random() < 0.6:
                        services.acknowledge(d, None)
                        acked = min(now, sent + dt.timedelta(hours=rng.randint(1, 72)))
                        fields: dict[str, Any] = {"acknowledged_at": acked}
                        if rng.random() < 0.5:
                            services.record_feedback(
                                d, "Informatie meegenomen in lopend onderzoek.", None
                            )
                            fields["feedback_at"] = min(
                                now, acked + dt.timedelta(days=rng.randint(1, 20))
                            )
                            counts["feedback"] += 1
                        Delivery.objects.filter(pk=d.pk).update(**fields)
                counts["forwarded"] += 1
                counts["deliveries"] += len(deliveries)
            elif roll < 0.7:
                services.set_not_concrete(tip, None)
                counts["not_concrete"] += 1
    return {**made, **counts, "recipients": len(recipients)}
