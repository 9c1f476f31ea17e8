"""Synthetic LIRC message streams with known truth (pure, seeded, deterministic).

:func:`generate_traffic` produces what arrives at the desk over a period: hundreds of
messages a day (fewer at weekends, most in office hours), as JSON or XML payloads, parsed
with :mod:`~.messages`, with the truth the tests and benchmarks score against: which
messages belong to one case (:meth:`Traffic.true_groups`), the true identity of every
subject, the offence category (for the text classifier) and whether a subject is known in
Regie's registers.

The stream is built from *cases*. A case is one request about one person (sometimes with an
accomplice or, for a missing child, a parent) from one issuing country, and produces one or
more messages over time (:data:`CASE_MIX`):

* wanted persons: a diffusion for arrest, a red notice or a SIRENE article 26 alert first;
  later the red notice after the diffusion (3-45 days), the same person through SIRENE and
  Interpol (0-3 days), a repeated request with the same reference, SIRENE supplementary
  information, a PNR hit;
* missing persons (yellow notice, SIRENE article 32, diffusion), information requests (blue
  notice, diffusion to locate or for information, SIRENE articles 34 and 36, Europol, MLA
  requests), counter-terrorism (orange and UN special notices, red notices and diffusions
  flagged terrorism), green, black and purple notices, PNR hits, Europol messages and MLA
  requests.

Names come from regional pools (Arabic, Cyrillic, Greek, Turkish, Albanian, Spanish and
Portuguese, French, German, Polish, Romanian, Italian, English, Vietnamese and Dutch names)
with the renderings the same name gets in different countries (Mohammed, Muhammad,
Mohamed; Aleksandr, Alexander; Shevchenko, Chevtchenko, Schewtschenko; Yusuf, Youssef) and
sometimes the native script. Each later message about a person renders it again with
noise: another transliteration, a dropped particle ("al-Rashid" -> "Rashid", "van der Berg"
-> "Berg"), swapped forename and name, an upper-case name, stripped diacritics, a dropped
middle name, and dates of birth with day and month swapped, a one-digit typo, two digits
swapped, only the year, or none. About 6 % of the persons are linked to the Netherlands
(Dutch nationality, born or living in the Netherlands); most of them and a few others are
known in Regie's registers. A share of the messages (1 % by default) is malformed (missing
kind, unknown country, impossible date of birth, no time zone, cut-off JSON, a DTD in the
XML, an unknown field) and fails to parse: the intake must quarantine them.

Everything depends only on :class:`TrafficConfig` (and its ``seed``).
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
import unicodedata
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Final, Literal

from regie.legal_assistance.messages import (
    FieldError,
    Message,
    MessageError,
    dict_to_xml,
    parse,
)

#: Offence and request categories of the cases (the classifier's labels), in Dutch.
OFFENCE_CATEGORIES: Final[Mapping[str, str]] = {
    "terrorism": "terrorisme",
    "homicide": "levensdelict",
    "drug_trafficking": "drugshandel",
    "fraud": "fraude en witwassen",
    "human_trafficking": "mensenhandel en -smokkel",
    "sexual_offences": "zedendelict",
    "robbery": "overval en diefstal met geweld",
    "cybercrime": "cybercrime",
    "missing_person": "vermissing",
    "unidentified_body": "ongeïdentificeerd stoffelijk overschot",
}
_OFFENCE_WEIGHTS: Final = {
    "homicide": 12,
    "drug_trafficking": 25,
    "fraud": 20,
    "robbery": 14,
    "human_trafficking": 8,
    "sexual_offences": 11,
    "cybercrime": 8,
    "terrorism": 2,
}

# --------------------------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Forms:
    """The renderings of one name: Latin variants (most common first) and native script."""

    variants: tuple[str, ...]
    native: str = ""


def _forms(spec: str) -> tuple[_Forms, ...]:
    """``"Mohammed|Muhammad=محمد; Ali"`` -> forms."""
    out = []
    for item in spec.split(";"):
        item = item.strip()
        if not item:
            continue
        latin, _, native = item.partition("=")
        out.append(_Forms(tuple(v.strip() for v in latin.split("|")), native.strip()))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class _Region:
    name: str
    countries: tuple[str, ...]
    male: tuple[_Forms, ...]
    female: tuple[_Forms, ...]
    surnames: tuple[_Forms, ...]
    cities: tuple[str, ...]
    languages: tuple[str, ...]


# fmt: off
_REGIONS: Final[tuple[_Region, ...]] = (
    _Region(
        "arabic", ("MA", "DZ", "TN", "EG", "IQ", "SY", "JO", "LB", "LY"),
        _forms(
            "Mohammed|Muhammad|Mohamed|Mohammad|Mohamad=محمد; Ahmed|Ahmad|Achmed=أحمد;"
            "Youssef|Yusuf|Yousef|Youssif=يوسف; Omar|Umar=عمر; Hassan|Hasan=حسن;"
            "Hussein|Hussain|Husain|Hossein=حسين; Abdullah|Abdallah|Abdulla=عبدالله;"
            "Khaled|Khalid|Chalid=خالد; Mustafa|Moustafa|Mostafa=مصطفى; Ibrahim|Ebrahim|Brahim;"
            "Karim|Kareem=كريم; Said|Saeed|Sayed=سعيد; Tariq|Tarik|Tarek=طارق; Ali=علي;"
            "Hamza|Hamzah=حمزة; Bilal|Belal=بلال; Walid|Waleed|Oualid=وليد; Rachid|Rashid;"
            "Nabil|Nabeel=نبيل; Samir|Sameer=سمير; Jamal|Gamal|Djamel; Ayoub|Ayub|Ayyub;"
            "Anas=أنس; Zakaria|Zakariya|Zakariyya; Driss|Idris|Idriss=إدريس; Soufiane|Sufyan;"
            "Mehdi|Mahdi=مهدي; Imad|Emad=عماد; Reda|Ridha|Rida; Adil|Adel=عادل"
        ),
        _forms(
            "Fatima|Fatimah|Fatma=فاطمة; Aisha|Aicha|Ayesha=عائشة; Yasmin|Yasmine|Jasmin;"
            "Khadija|Khadidja|Hadija=خديجة; Mariam|Maryam|Meriem=مريم; Nour|Noor|Nur=نور;"
            "Salma|Salmah=سلمى; Leila|Layla|Laila=ليلى; Samira|Sameera=سميرة;"
            "Zainab|Zaynab|Zeineb=زينب; Hanane|Hanan=حنان; Naima|Naeema=نعيمة"
        ),
        _forms(
            "al-Rashid|Al Rashid|El Rachid|Rashid; El Amrani|al-Amrani|Amrani; Benali|Ben Ali;"
            "Haddad|Hadad=حداد; Mansour|Mansur=منصور; Nasser|Naser|Nasir=ناصر; Saleh|Salih=صالح;"
            "Khalil|Chalil|Halil=خليل; Aziz|Azis=عزيز; Hamdan|Hamdane=حمدان; Bouzid|Bouzide;"
            "El Idrissi|Idrissi|al-Idrisi; Chaoui|Chaoui|Shawi; Tahiri|Taheri|El Tahiri;"
            "Bakkali|El Bakkali|Baqqali; Jaber|Jabir|Djaber=جابر; Othman|Osman|Uthman=عثمان;"
            "Kassem|Qasim|Qassem|Kasem=قاسم; Darwish|Darwich|Derwiche=درويش;"
            "al-Masri|El Masri|Masri; al-Halabi|El Halabi|Halabi; Suleiman|Sulaiman|Slimane;"
            "Mahmoud|Mahmud|Mahmood=محمود; Azzouzi|Azouzi; Ziani|Zyani;"
            "Boukhari|Bukhari|El Boukhari;"
            "Belhaj|Belhadj|Bel Hadj; Cherkaoui|Sharqawi|Cherqaoui; Ouazzani|Wazzani|El Ouazzani;"
            "Tazi|Tazzi; Lahlou|Lahlu; Rahmani|Rahmane; Kaddouri|Qaddouri|Kadouri;"
            "Saidi|Saeedi|Sa'idi"
        ),
        ("Casablanca", "Rabat", "Tanger", "Oran", "Alger", "Tunis", "Cairo", "Baghdad",
         "Damascus", "Aleppo", "Amman", "Beirut", "Tripoli", "Fes", "Nador"),
        ("ar", "fr", "ber"),
    ),
    _Region(
        "cyrillic", ("RU", "UA", "BY", "KZ", "BG", "RS", "MD"),
        _forms(
            "Aleksandr|Alexander|Alexandre|Aleksander=Александр;"
            "Sergei|Sergey|Serguei|Sergej=Сергей;"
            "Dmitri|Dmitry|Dmitriy|Dimitri=Дмитрий; Yuri|Yury|Iouri|Juri=Юрий;"
            "Andrei|Andrey|Andrej=Андрей; Mikhail|Michail|Mikhael=Михаил;"
            "Nikolai|Nikolay|Nicolai=Николай; Aleksei|Alexey|Alexei|Aleksey=Алексей;"
            "Yevgeny|Evgeny|Evgeniy|Jewgeni=Евгений; Vladimir|Wladimir=Владимир; Oleg=Олег;"
            "Igor|Ihor=Игорь; Maksim|Maxim|Maksym=Максим; Pavel|Pawel=Павел;"
            "Viktor|Victor|Wiktor=Виктор; Vitaly|Vitali|Vitaliy=Виталий;"
            "Anatoly|Anatoli|Anatoliy=Анатолий; Grigory|Grigori|Grigoriy=Григорий;"
            "Artem|Artyom|Artiom=Артём; Roman=Роман; Stanislav|Stanislaw=Станислав;"
            "Konstantin|Constantin=Константин; Vadim|Wadim=Вадим; Ruslan=Руслан"
        ),
        _forms(
            "Olga|Olha=Ольга; Natalia|Natalya|Nataliya=Наталья; Tatiana|Tatyana|Tatjana=Татьяна;"
            "Yelena|Elena|Jelena=Елена; Svetlana|Swetlana=Светлана; Irina|Iryna=Ирина;"
            "Yulia|Yuliya|Ioulia=Юлия; Anastasia|Anastasiya|Anastasija=Анастасия;"
            "Ekaterina|Yekaterina|Jekaterina=Екатерина; Marina=Марина; Oksana=Оксана"
        ),
        _forms(
            "Ivanov|Ivanoff|Iwanow=Иванов; Petrov|Petroff|Petrow=Петров;"
            "Shevchenko|Chevtchenko|Schewtschenko|Szewczenko=Шевченко;"
            "Kuznetsov|Kouznetsov|Kuznetsow=Кузнецов; Smirnov|Smirnoff|Smirnow=Смирнов;"
            "Volkov|Wolkow|Volkoff=Волков; Sokolov|Sokolow=Соколов; Popov|Popow|Popoff=Попов;"
            "Kovalenko|Kowalenko=Коваленко; Zhukov|Joukov|Schukow=Жуков;"
            "Tkachenko|Tkatchenko|Tkatschenko=Ткаченко; Khodorov|Chodorow|Hodorov=Ходоров;"
            "Yakovlev|Iakovlev|Jakowlew=Яковлев; Morozov|Morosow|Morozoff=Морозов;"
            "Lebedev|Lebedew=Лебедев; Novikov|Nowikow=Новиков; Fedorov|Fyodorov|Fjodorow=Фёдоров;"
            "Bondarenko=Бондаренко; Kravchenko|Krawtschenko|Kravtchenko=Кравченко;"
            "Mikhailov|Michailow|Mikhaylov=Михайлов; Vasiliev|Vasilyev|Wassiljew=Васильев;"
            "Zaitsev|Zaytsev|Saizew=Зайцев; Pavlov|Pawlow=Павлов;"
            "Semenov|Semyonov|Semjonow=Семёнов;"
            "Golubev|Golubew=Голубев; Vinogradov|Winogradow=Виноградов; Belov|Below=Белов;"
            "Orlov|Orlow=Орлов; Melnyk|Melnik=Мельник; Boyko|Boiko|Bojko=Бойко;"
            "Kozlov|Koslow=Козлов; Egorov|Yegorov|Jegorow=Егоров; Nikitin=Никитин;"
            "Sidorenko=Сидоренко; Lysenko|Lyssenko=Лысенко; Markov|Markow=Марков"
        ),
        ("Moskva", "Sankt-Peterburg", "Kyiv", "Kharkiv", "Odesa", "Minsk", "Almaty",
         "Sofia", "Beograd", "Chisinau", "Rostov-na-Donu", "Yekaterinburg"),
        ("ru", "uk", "be", "bg", "sr"),
    ),
    _Region(
        "greek", ("GR", "CY"),
        _forms(
            "Georgios|Giorgos|Yiorgos=Γεώργιος; Dimitrios|Dimitris|Demetrios=Δημήτριος;"
            "Konstantinos|Constantinos=Κωνσταντίνος; Ioannis|Yannis|Giannis=Ιωάννης;"
            "Nikolaos|Nicolaos=Νικόλαος; Panagiotis|Panayiotis=Παναγιώτης;"
            "Christos|Hristos|Khristos=Χρήστος; Vasileios|Vasilios=Βασίλειος;"
            "Athanasios|Athanassios=Αθανάσιος; Evangelos|Evaggelos=Ευάγγελος"
        ),
        _forms(
            "Maria=Μαρία; Eleni|Eleni=Ελένη; Aikaterini|Ekaterini=Αικατερίνη;"
            "Sofia|Sophia=Σοφία; Georgia|Yeorgia=Γεωργία; Vasiliki|Vassiliki=Βασιλική"
        ),
        _forms(
            "Papadopoulos|Papadopulos=Παπαδόπουλος; Nikolaidis|Nicolaidis|Nikolaides=Νικολαΐδης;"
            "Christodoulou|Hristodoulou|Christodulu=Χριστοδούλου; Georgiou|Yiorgiou=Γεωργίου;"
            "Papadakis|Papadakes=Παπαδάκης; Vlachos|Vlahos=Βλάχος;"
            "Angelopoulos|Aggelopoulos=Αγγελόπουλος; Oikonomou|Economou|Ikonomou=Οικονόμου;"
            "Karagiannis|Karayannis=Καραγιάννης; Dimitriou|Demetriou=Δημητρίου;"
            "Konstantinidis|Constantinidis=Κωνσταντινίδης; Michailidis|Michaelides=Μιχαηλίδης"
        ),
        ("Athina", "Thessaloniki", "Patra", "Lefkosia", "Lemesos", "Irakleio"),
        ("el",),
    ),
    _Region(
        "turkish", ("TR", "AZ"),
        _forms(
            "Mehmet|Mehmed; Mustafa; Ahmet; Hüseyin|Huseyin; Hasan; İbrahim|Ibrahim;"
            "Murat|Murad; Emre; Burak; Yusuf; Ömer|Omer; Serkan; Kemal; Orhan; Recep|Redzep;"
            "Osman; Erdal; Volkan; Cem|Djem; Tolga"
        ),
        _forms(
            "Ayşe|Ayse|Aysche; Emine; Zeynep|Zeinep; Elif; Hatice|Hatidsche; Merve; Özlem|Ozlem"
        ),
        _forms(
            "Yılmaz|Yilmaz; Kaya; Demir; Şahin|Sahin|Schahin; Çelik|Celik|Tschelik;"
            "Yıldız|Yildiz; Öztürk|Ozturk|Oeztuerk; Aydın|Aydin; Özdemir|Ozdemir|Oezdemir;"
            "Arslan; Doğan|Dogan; Kılıç|Kilic|Kilitsch; Çetin|Cetin; Koç|Koc|Kotsch; Kurt;"
            "Özkan|Ozkan|Oezkan; Şimşek|Simsek; Erdoğan|Erdogan; Polat; Korkmaz; Güler|Guler|Gueler"
        ),
        ("Istanbul", "Ankara", "Izmir", "Bursa", "Adana", "Konya", "Baku", "Gaziantep"),
        ("tr", "az", "ku"),
    ),
    _Region(
        "albanian", ("AL", "XK", "MK"),
        _forms(
            "Arben; Besnik; Driton; Fatmir; Ilir; Agron; Valon; Armend; Gentian|Gentjan; Blerim;"
            "Shkelzen|Shkëlzen; Flamur; Bujar; Dritan; Ardian"
        ),
        _forms("Arta; Drita; Vjosa; Teuta; Besa; Albana; Mimoza"),
        _forms(
            "Gashi; Berisha; Krasniqi|Krasniki; Hoxha|Hodza|Hodscha; Shehu|Sehu; Kelmendi;"
            "Morina; Bytyqi|Bytyci|Bytiqi; Hyseni|Huseni; Dervishi|Dervisi; Leka; Kastrati;"
            "Rama; Bajrami|Bajrami; Selimi|Selimaj; Thaçi|Thaci|Taci; Sadiku|Sadiki"
        ),
        ("Tirana", "Durres", "Prishtina", "Prizren", "Shkoder", "Tetovo", "Vlore"),
        ("sq",),
    ),
    _Region(
        "iberian", ("ES", "PT", "CO", "MX", "BR", "PE", "AR", "DO", "VE"),
        _forms(
            "José|Jose; Juan; Carlos; Luis|Luiz; Miguel; Jorge; Pedro; Antonio|António; Diego;"
            "Andrés|Andres; Javier|Xavier; Fernando; Rafael; Alejandro; Sergio; Ricardo; Manuel"
        ),
        _forms("María|Maria; Ana; Carmen; Lucía|Lucia; Isabel; Paula; Juliana; Gabriela; Adriana"),
        _forms(
            "García|Garcia; Rodríguez|Rodriguez; Martínez|Martinez; de la Cruz|De La Cruz|Cruz;"
            "López|Lopez; González|Gonzalez|Gonzales; Pérez|Perez; Sánchez|Sanchez;"
            "da Silva|Da Silva|Silva; dos Santos|Dos Santos|Santos; Fernández|Fernandez;"
            "del Río|Del Rio|Rio; Ramírez|Ramirez; Torres; Vargas; Castillo; Moreno; Ortega;"
            "Herrera; Medina; Rojas; Pereira|Pereyra; Oliveira|Oliveira; Gutiérrez|Gutierrez"
        ),
        ("Madrid", "Barcelona", "Sevilla", "Lisboa", "Porto", "Bogota", "Medellin", "Cali",
         "Ciudad de Mexico", "Sao Paulo", "Rio de Janeiro", "Lima", "Buenos Aires"),
        ("es", "pt"),
    ),
    _Region(
        "french", ("FR", "BE", "LU", "CH"),
        _forms(
            "Jean; Pierre; Michel; Nicolas; Julien; Philippe; Olivier; Sébastien|Sebastien; Luc"
        ),
        _forms("Marie; Sophie; Camille; Julie; Nathalie; Isabelle; Céline|Celine"),
        _forms(
            "Dubois; Lefèvre|Lefevre|Lefebvre; Moreau; Laurent; Le Roux|Leroux; Girard;"
            "de la Fontaine|Delafontaine|La Fontaine; Rousseau; Fournier; Bonnet; Mercier;"
            "Lambert; Fontaine; Chevalier; Dupont|Du Pont; Lemaire; Peeters; Janssens"
        ),
        ("Paris", "Marseille", "Lyon", "Lille", "Bruxelles", "Liege", "Charleroi", "Geneve"),
        ("fr",),
    ),
    _Region(
        "german", ("DE", "AT", "CH"),
        _forms(
            "Thomas; Michael; Andreas; Stefan|Stephan; Jürgen|Juergen|Jurgen; Klaus|Claus;"
            "Markus|Marcus; Tobias; Florian; Matthias|Mathias; Dennis; Sven"
        ),
        _forms("Sabine; Petra; Katrin|Catrin; Anja; Stefanie|Stephanie; Julia; Sandra"),
        _forms(
            "Müller|Mueller|Muller; Schmidt|Schmitt; Schneider; Fischer; Weber; Meyer|Meier|Maier;"
            "Wagner; Becker; Schäfer|Schaefer|Schafer; von Berg|Von Berg|Berg; Hoffmann|Hofmann;"
            "Koch; Richter; Klein; Wolf; Schröder|Schroeder|Schroder; Neumann; Zimmermann"
        ),
        ("Berlin", "Hamburg", "Muenchen", "Koeln", "Frankfurt am Main", "Wien", "Zuerich",
         "Duisburg", "Essen"),
        ("de",),
    ),
    _Region(
        "polish", ("PL", "CZ", "SK", "LT"),
        _forms(
            "Piotr; Krzysztof; Tomasz; Paweł|Pawel; Marcin; Michał|Michal; Łukasz|Lukasz;"
            "Grzegorz; Mariusz; Dariusz; Jakub; Kamil"
        ),
        _forms("Anna; Katarzyna; Agnieszka; Małgorzata|Malgorzata; Joanna; Magdalena"),
        _forms(
            "Kowalski|Kowalsky; Nowak; Wiśniewski|Wisniewski; Wójcik|Wojcik; Kamiński|Kaminski;"
            "Lewandowski; Zieliński|Zielinski; Szymański|Szymanski|Schimanski;"
            "Dąbrowski|Dabrowski; Kozłowski|Kozlowski; Jankowski; Mazur; Krawczyk; Kaczmarek;"
            "Piotrowski; Grabowski; Pawłowski|Pawlowski; Michalski"
        ),
        ("Warszawa", "Krakow", "Lodz", "Wroclaw", "Poznan", "Gdansk", "Praha", "Vilnius"),
        ("pl", "cs", "sk", "lt"),
    ),
    _Region(
        "romanian", ("RO", "MD"),
        _forms("Ion|Ioan; Andrei; Gheorghe|Gheorge; Vasile; Mihai; Constantin; Florin; Cristian"),
        _forms("Elena; Ioana; Mihaela; Andreea; Cristina; Gabriela"),
        _forms(
            "Popescu; Ionescu; Popa; Stan; Dumitru; Munteanu; Stoica; Constantinescu; Georgescu;"
            "Radu; Dinu; Marin; Rusu; Lungu; Moldovan; Ștefan|Stefan"
        ),
        ("Bucuresti", "Cluj-Napoca", "Iasi", "Timisoara", "Constanta", "Craiova"),
        ("ro",),
    ),
    _Region(
        "italian", ("IT", "MT", "SM"),
        _forms("Giuseppe; Marco; Luca; Francesco; Alessandro; Antonio; Salvatore; Vincenzo"),
        _forms("Giulia; Francesca; Chiara; Alessandra; Valentina; Federica"),
        _forms(
            "Rossi; Russo; Ferrari; Esposito; Di Stefano|Distefano|Stefano; De Luca|Deluca|Luca;"
            "Romano; Colombo; Ricci; Lo Russo|Lorusso; Greco; Bruno; Gallo; Conti; Marino;"
            "La Rosa|Larosa; Caruso; Mancini"
        ),
        ("Roma", "Milano", "Napoli", "Palermo", "Torino", "Bari", "Reggio Calabria"),
        ("it",),
    ),
    _Region(
        "english", ("GB", "US", "IE", "NG", "GH", "ZA", "AU", "CA"),
        _forms("John|Jon; David; James; Michael; Daniel; Christopher; Matthew; Samuel; Emmanuel"),
        _forms("Sarah|Sara; Emma; Jessica; Rebecca; Grace; Blessing"),
        _forms(
            "Smith; Jones; Williams; Brown; Taylor; O'Connor|OConnor|O Connor;"
            "McDonald|MacDonald|Mc Donald; Johnson; Okafor; Mensah; Adeyemi; Campbell; Murphy;"
            "Walker; Wright; Thompson; Okonkwo"
        ),
        ("London", "Manchester", "Birmingham", "Dublin", "New York", "Lagos", "Accra",
         "Johannesburg"),
        ("en",),
    ),
    _Region(
        "vietnamese", ("VN", "CN"),
        _forms("Minh; Tuấn|Tuan; Hùng|Hung; Dũng|Dung; Thành|Thanh; Quang; Long"),
        _forms("Lan; Hương|Huong; Linh; Thảo|Thao; Mai; Ngọc|Ngoc"),
        _forms(
            "Nguyễn|Nguyen; Trần|Tran; Phạm|Pham; Hoàng|Hoang; Vũ|Vu; Đặng|Dang; Bùi|Bui; Đỗ|Do"
        ),
        ("Hanoi", "Ho Chi Minh City", "Hai Phong", "Nghe An", "Guangzhou"),
        ("vi", "zh"),
    ),
    _Region(
        "dutch", ("NL",),
        _forms(
            "Jan; Pieter; Mark; Kevin; Dennis; Sander; Jeroen; Bas; Ruben; Thijs; Mohamed;"
            "Youssef; Hendrik|Henk; Willem"
        ),
        _forms("Anna; Sanne; Lisa; Fleur; Iris; Fatima; Esther; Marieke"),
        _forms(
            "van der Berg|Van der Berg|Berg, van der|Berg; de Vries|De Vries|Vries;"
            "van Dijk|Van Dijk|Dijk; Jansen|Janssen; de Jong|De Jong|Jong; Bakker; Visser; Smit;"
            "Meijer|Meyer; de Boer|De Boer|Boer; Mulder; Bos; Vos; Peters; Hendriks|Hendricks;"
            "van den Heuvel|Van den Heuvel|Heuvel; van Leeuwen|Van Leeuwen|Leeuwen; Dekker;"
            "El Khattabi|Khattabi; Bouzaid|Bou Zaid; Yilmaz; Kaya"
        ),
        ("Amsterdam", "Rotterdam", "Den Haag", "Utrecht", "Eindhoven", "Tilburg", "Almere",
         "Breda"),
        ("nl",),
    ),
)
# fmt: on
_REGION_BY_NAME: Final = {r.name: r for r in _REGIONS}
_REGION_OF_COUNTRY: Final = {c: r.name for r in _REGIONS for c in r.countries}
#: How often subjects come from each region (the issuer's own region is favoured on top).
_REGION_WEIGHTS: Final = {
    "arabic": 20,
    "cyrillic": 13,
    "greek": 2,
    "turkish": 9,
    "albanian": 8,
    "iberian": 8,
    "french": 5,
    "german": 5,
    "polish": 9,
    "romanian": 8,
    "italian": 4,
    "english": 5,
    "vietnamese": 3,
    "dutch": 3,
}
#: Issuing countries and their weights.
_ISSUERS: Final = {
    "DE": 10, "BE": 8, "FR": 7, "ES": 4, "IT": 4, "PL": 5, "RO": 4, "GB": 3, "US": 3, "TR": 4,
    "MA": 4, "RU": 3, "UA": 3, "AL": 2, "RS": 2, "GR": 2, "BG": 2, "LT": 2, "SE": 1, "AT": 2,
    "CH": 2, "CO": 1, "BR": 1, "DZ": 1, "TN": 1, "EG": 1, "IQ": 1, "VN": 1, "CN": 1, "PT": 1,
    "CZ": 1, "SK": 1, "XK": 1, "MK": 1, "NG": 1, "KZ": 1, "DK": 1, "NO": 1, "LU": 1, "IE": 1,
}  # fmt: skip
#: SIS member states that can issue SIRENE alerts.
_SCHENGEN_CODES: Final = (
    "AT BE BG CH CZ DE DK EE ES FI FR GR HR HU IS IT LI LT LU LV MT NL NO PL PT RO SE SI SK"
)
SCHENGEN: Final = frozenset(_SCHENGEN_CODES.split())
_LANGUAGE_OF: Final = {
    "DE": "de", "AT": "de", "CH": "de", "FR": "fr", "BE": "fr", "LU": "fr", "MA": "fr",
    "DZ": "fr", "TN": "fr", "ES": "es", "CO": "es", "MX": "es", "AR": "es", "PE": "es",
    "PT": "pt", "BR": "pt", "IT": "it", "PL": "pl", "RU": "ru", "BY": "ru", "KZ": "ru",
    "UA": "ru", "TR": "tr",
}  # fmt: skip

# --------------------------------------------------------------------------------------------
# Charges and summaries
# --------------------------------------------------------------------------------------------

#: category -> language -> charges (originals); "en" doubles as the translation.
_CHARGES: Final[Mapping[str, Mapping[str, tuple[str, ...]]]] = {
    "terrorism": {
        "en": ("Participation in a terrorist organisation", "Financing of terrorism",
               "Preparation of a terrorist attack"),
        "de": ("Mitgliedschaft in einer terroristischen Vereinigung", "Terrorismusfinanzierung"),
        "fr": ("Association de malfaiteurs en relation avec une entreprise terroriste",
               "Financement du terrorisme"),
        "ru": ("Участие в террористической организации", "Финансирование терроризма"),
        "tr": ("Silahlı terör örgütü üyeliği",),
        "es": ("Integración en organización terrorista",),
    },
    "homicide": {
        "en": ("Murder", "Attempted murder", "Manslaughter"),
        "de": ("Mord", "Totschlag", "Versuchter Mord"),
        "fr": ("Meurtre", "Assassinat", "Tentative de meurtre"),
        "es": ("Asesinato", "Homicidio"),
        "it": ("Omicidio volontario",),
        "pl": ("Zabójstwo",),
        "ru": ("Убийство", "Покушение на убийство"),
        "tr": ("Kasten öldürme",),
        "pt": ("Homicídio qualificado",),
    },
    "drug_trafficking": {
        "en": ("Drug trafficking", "Importation of cocaine", "Production of synthetic drugs",
               "Conspiracy to supply controlled drugs"),
        "de": ("Unerlaubter Handel mit Betäubungsmitteln in nicht geringer Menge",),
        "fr": ("Trafic de stupéfiants", "Importation de produits stupéfiants en bande organisée"),
        "es": ("Tráfico de drogas", "Delito contra la salud pública"),
        "it": ("Traffico di sostanze stupefacenti",),
        "pl": ("Przemyt narkotyków",),
        "ru": ("Незаконный оборот наркотических средств",),
        "tr": ("Uyuşturucu madde ticareti",),
        "pt": ("Tráfico de estupefacientes",),
    },
    "fraud": {
        "en": ("Fraud", "Money laundering", "VAT carousel fraud", "Forgery of documents"),
        "de": ("Betrug", "Geldwäsche", "Urkundenfälschung"),
        "fr": ("Escroquerie", "Blanchiment d'argent", "Abus de confiance"),
        "es": ("Estafa", "Blanqueo de capitales"),
        "it": ("Truffa aggravata", "Riciclaggio"),
        "pl": ("Oszustwo", "Pranie pieniędzy"),
        "ru": ("Мошенничество в особо крупном размере", "Легализация денежных средств"),
        "tr": ("Nitelikli dolandırıcılık",),
        "pt": ("Burla qualificada", "Branqueamento de capitais"),
    },
    "human_trafficking": {
        "en": ("Trafficking in human beings", "Migrant smuggling",
               "Sexual exploitation of victims of trafficking"),
        "de": ("Menschenhandel", "Einschleusen von Ausländern"),
        "fr": ("Traite des êtres humains", "Aide à l'entrée et au séjour irréguliers"),
        "es": ("Trata de seres humanos",),
        "it": ("Tratta di persone",),
        "pl": ("Handel ludźmi",),
        "ru": ("Торговля людьми", "Организация незаконной миграции"),
        "tr": ("Göçmen kaçakçılığı", "İnsan ticareti"),
    },
    "sexual_offences": {
        "en": ("Rape", "Sexual abuse of a minor", "Distribution of child sexual abuse material"),
        "de": ("Vergewaltigung", "Sexueller Missbrauch von Kindern"),
        "fr": ("Viol", "Agression sexuelle sur mineur"),
        "es": ("Agresión sexual",),
        "it": ("Violenza sessuale",),
        "pl": ("Zgwałcenie",),
        "ru": ("Изнасилование",),
        "tr": ("Cinsel saldırı",),
    },
    "robbery": {
        "en": ("Armed robbery", "Aggravated burglary", "Robbery with violence"),
        "de": ("Schwerer Raub", "Bandendiebstahl"),
        "fr": ("Vol à main armée", "Vol avec violence en bande organisée"),
        "es": ("Robo con violencia",),
        "it": ("Rapina aggravata",),
        "pl": ("Rozbój",),
        "ru": ("Разбой",),
        "tr": ("Yağma",),
        "pt": ("Roubo qualificado",),
    },
    "cybercrime": {
        "en": ("Computer intrusion", "Ransomware extortion", "Phishing fraud",
               "Operating a dark web marketplace"),
        "de": ("Ausspähen von Daten", "Computerbetrug"),
        "fr": ("Accès frauduleux à un système de traitement automatisé de données",),
        "es": ("Delito de descubrimiento y revelación de secretos informáticos",),
        "ru": ("Неправомерный доступ к компьютерной информации",),
        "pl": ("Nielegalny dostęp do systemu informatycznego",),
    },
}  # fmt: skip

_SUMMARIES: Final[Mapping[str, tuple[str, ...]]] = {
    "terrorism": (
        "Subject is a suspected member of a terrorist organisation and may travel through the "
        "Schengen area.",
        "Suspected foreign terrorist fighter returning from the conflict zone; possibly armed.",
        "Information on the financing of a terrorist group through money transfers is requested.",
        "Threat of an attack on a public event; the subject is believed to be preparing an "
        "attack with explosives.",
    ),
    "homicide": (
        "Subject is wanted for the murder of a man during a dispute in {city}.",
        "The subject fled after a fatal shooting in {city}; believed to be in Western Europe.",
        "Request to locate a suspect of a homicide; relatives may live in the Netherlands.",
    ),
    "drug_trafficking": (
        "Subject is wanted for the importation of {qty} kg of cocaine through the port of {port}.",
        "Suspected member of a criminal network trafficking heroin along the Balkan route.",
        "Request for information on a suspect in a drug trafficking investigation: possible "
        "stay in the Netherlands.",
        "Production of synthetic drugs in clandestine laboratories; precursor chemicals seized.",
    ),
    "fraud": (
        "Subject is wanted for a fraud causing damage of EUR {amount} to investors.",
        "Money laundering through front companies and cryptocurrency exchanges.",
        "Request for bank and company information on a suspect of VAT fraud.",
        "Investment fraud scheme; the suspect used forged documents.",
    ),
    "human_trafficking": (
        "Subject is suspected of trafficking women for sexual exploitation.",
        "Migrant smuggling network moving people in lorries via the port of {port}.",
        "Request for information on a suspect of labour exploitation in agriculture.",
    ),
    "sexual_offences": (
        "Subject is wanted for the rape of a young woman in {city}.",
        "Sexual abuse of minors; the subject distributed child abuse material online.",
        "Warning: convicted sex offender who has travelled abroad after release.",
    ),
    "robbery": (
        "Armed robbery of a jewellery store in {city}; the suspect used a firearm.",
        "Series of violent burglaries of elderly people; mobile gang from abroad.",
        "Robbery of a cash transport; the subject may be armed and dangerous.",
    ),
    "cybercrime": (
        "Ransomware attack on a hospital; the subject administered the payment infrastructure.",
        "Phishing campaign against bank customers; servers hosted in the Netherlands.",
        "Operator of a dark web marketplace for stolen credit card data.",
    ),
    "missing_person": (
        "Missing since {date}; last seen in {city}. May be travelling to the Netherlands.",
        "Child abducted by a parent; believed to be in the Netherlands.",
        "Vulnerable adult missing since {date}; needs medication.",
        "Disparue depuis le {date}; dernière fois vue à {city}.",
    ),
    "unidentified_body": (
        "Unidentified body found in {city}; estimated age {age}. DNA profile available.",
        "Remains found on the coast; request to compare with missing persons.",
    ),
}
_PORTS: Final = ("Rotterdam", "Antwerpen", "Hamburg", "Algeciras", "Le Havre", "Valencia")

# --------------------------------------------------------------------------------------------
# The case mix
# --------------------------------------------------------------------------------------------

#: Case types and their share of the cases.
CASE_MIX: Final[Mapping[str, float]] = {
    "wanted": 0.35,
    "information": 0.30,
    "missing": 0.08,
    "pnr": 0.07,
    "europol": 0.06,
    "mla": 0.06,
    "threat": 0.03,
    "green": 0.03,
    "black": 0.01,
    "purple": 0.01,
}


@dataclass(frozen=True)
class TrafficConfig:
    start: dt.date = dt.date(2019, 11, 4)
    days: int = 7
    #: Mean messages per weekday (weekends 60 %).
    per_day: int = 300
    #: Exactly this many messages instead of ``days * per_day`` (the period stays ``days``).
    total: int | None = None
    seed: int = 1
    malformed_rate: float = 0.01
    xml_share: float = 0.3
    nl_link_rate: float = 0.06
    #: Share of persons without a link to the Netherlands that are known in the registers.
    register_rate: float = 0.01

    @property
    def end(self) -> dt.datetime:
        return dt.datetime.combine(self.start, dt.time(), dt.UTC) + dt.timedelta(days=self.days)


@dataclass(frozen=True, slots=True)
class TrafficItem:
    """One arriving message with its truth."""

    received_at: dt.datetime
    syntax: Literal["json", "xml"]
    payload: str
    #: The parsed message; ``None`` when malformed (then ``errors`` says why).
    message: Message | None
    errors: tuple[FieldError, ...]
    case_key: str
    #: True identities of the subjects (in order).
    person_keys: tuple[str, ...]
    category: str
    #: A subject is known in Regie's registers.
    register_hit: bool
    #: The generator broke this message on purpose (it must fail to parse).
    malformed: bool = False
    #: The message as the generator meant it, in its JSON form (before any breaking).
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class Traffic:
    config: TrafficConfig
    items: list[TrafficItem]
    _valid: list[TrafficItem] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self._valid = [i for i in self.items if i.message is not None]

    @property
    def valid_items(self) -> list[TrafficItem]:
        return self._valid

    @property
    def malformed_items(self) -> list[TrafficItem]:
        return [i for i in self.items if i.message is None]

    @property
    def messages(self) -> list[Message]:
        """The parsed messages, in order of receipt (malformed ones left out)."""
        return [i.message for i in self._valid if i.message is not None]

    def true_groups(self) -> list[list[int]]:
        """Indexes into :attr:`messages` per true case (singletons included)."""
        groups: dict[str, list[int]] = defaultdict(list)
        for k, item in enumerate(self._valid):
            groups[item.case_key].append(k)
        return sorted(groups.values(), key=lambda g: g[0])

    def register_hits(self) -> list[bool]:
        """Per message of :attr:`messages`: a subject is known in Regie's registers."""
        return [i.register_hit for i in self._valid]

    def categories(self) -> list[str]:
        """Per message of :attr:`messages`: the true offence or request category."""
        return [i.category for i in self._valid]

    def as_dicts(self) -> list[dict[str, Any]]:
        """The payloads with their truth, JSON-ready (for ``regie synth`` or fixtures)."""
        return [
            {
                "received_at": i.received_at.isoformat(),
                "syntax": i.syntax,
                "payload": i.payload,
                "data": i.data,
                "valid": i.message is not None,
                "case": i.case_key,
                "persons": list(i.person_keys),
                "category": i.category,
                "register_hit": i.register_hit,
            }
            for i in self.items
        ]


# --------------------------------------------------------------------------------------------
# Persons
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Person:
    key: str
    region: _Region
    sex: str
    forenames: tuple[_Forms, ...]
    surname: _Forms
    dob: dt.date
    nationalities: tuple[str, ...]
    place_of_birth: str
    country_of_birth: str
    nl_address: str
    register_hit: bool
    language: str
    marks: str
    entity_id: str = ""


_MARKS: Final = (
    "Scar on the left cheek",
    "Tattoo of a dragon on the right forearm",
    "Tattoo on the neck",
    "Missing upper front tooth",
    "Birthmark on the forehead",
    "Limps (right leg)",
)
_ZIPF: dict[int, list[float]] = {}
_NL_STREETS: Final = ("Kerkstraat", "Stationsweg", "Dorpsstraat", "Molenweg", "Lindelaan")


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("ı", "i")


_LEADING_PARTICLE = re.compile(
    r"^(al-|el-|al |el |ben |bin |van der |van den |van |de la |de |da |dos |del |von |le |la "
    r"|di |lo |mc |o')",
    re.IGNORECASE,
)


class _Generator:
    def __init__(self, config: TrafficConfig) -> None:
        self.config = config
        self.rng = random.Random(config.seed)
        self.persons = 0
        self.cases = 0
        self.used_numbers: set[int] = set()
        self.day_weights = [
            (0.6 if (config.start + dt.timedelta(days=d)).weekday() >= 5 else 1.0)
            for d in range(config.days)
        ]

    # --- numbers --------------------------------------------------------------------------

    def unique(self, lo: int, hi: int) -> int:
        while True:
            n = self.rng.randint(lo, hi)
            if n not in self.used_numbers:
                self.used_numbers.add(n)
                return n

    def interpol_number(self, year: int) -> str:
        return f"{year}/{self.unique(10_000, 999_999) % 1_000_000}"

    # --- persons --------------------------------------------------------------------------

    def region_for(self, issuer: str) -> _Region:
        own = _REGION_OF_COUNTRY.get(issuer)
        if own is not None and own != "dutch" and self.rng.random() < 0.55:
            return _REGION_BY_NAME[own]
        names = list(_REGION_WEIGHTS)
        return _REGION_BY_NAME[self.rng.choices(names, [_REGION_WEIGHTS[n] for n in names])[0]]

    def popular(self, names: Sequence[_Forms]) -> _Forms:
        """A name, the first ones of a pool more often (Zipf-like: weight 1 / rank^0.8), as
        in real populations where a few names are very common."""
        weights = _ZIPF.get(len(names))
        if weights is None:
            weights = _ZIPF[len(names)] = [1 / (rank + 1) ** 0.8 for rank in range(len(names))]
        return self.rng.choices(names, weights)[0]

    def person(
        self,
        issuer: str,
        received: dt.datetime,
        *,
        region: _Region | None = None,
        minor: bool = False,
        sex: str | None = None,
    ) -> _Person:
        rng = self.rng
        region = region or self.region_for(issuer)
        self.persons += 1
        sex = sex or rng.choice("MMMMF")
        pool = region.male if sex == "M" else region.female
        forenames: tuple[_Forms, ...] = (self.popular(pool),)
        if region.name in ("arabic", "iberian") and rng.random() < 0.2:
            forenames += (self.popular(region.male),)
        year = received.year
        if minor:
            dob = dt.date(rng.randint(year - 17, year - 6), 1, 1)
        else:
            dob = dt.date(rng.randint(year - 70, year - 18), 1, 1)
        dob += dt.timedelta(days=rng.randrange(365))
        nationality = (
            issuer
            if issuer in region.countries and rng.random() < 0.7
            else rng.choice(region.countries)
        )
        nationalities = [nationality]
        if rng.random() < 0.05:
            other = rng.choice(_REGIONS).countries[0]
            if other != nationality:
                nationalities.append(other)
        country_of_birth = nationality
        place = rng.choice(region.cities)
        nl_address = ""
        nl = region.name == "dutch" or rng.random() < self.config.nl_link_rate
        if nl:
            how = rng.random()
            if region.name == "dutch" or how < 0.4:
                if "NL" not in nationalities:
                    nationalities.append("NL")
            elif how < 0.7:
                country_of_birth = "NL"
                place = rng.choice(_REGION_BY_NAME["dutch"].cities)
            else:
                city = rng.choice(_REGION_BY_NAME["dutch"].cities)
                nl_address = f"{rng.choice(_NL_STREETS)} {rng.randint(1, 250)}, {city}"
        register_hit = rng.random() < (0.7 if nl else self.config.register_rate)
        return _Person(
            key=f"P{self.persons:06d}",
            region=region,
            sex=sex,
            forenames=forenames,
            surname=self.popular(region.surnames),
            dob=dob,
            nationalities=tuple(nationalities),
            place_of_birth=place,
            country_of_birth=country_of_birth,
            nl_address=nl_address,
            register_hit=register_hit,
            language=rng.choice(region.languages),
            marks=rng.choice(_MARKS) if rng.random() < 0.2 else "",
        )

    def render_name(self, forms: _Forms, noisy: bool, native: bool) -> str:
        rng = self.rng
        if native and forms.native:
            return forms.native
        keep_usual = not noisy and rng.random() < 0.6
        text = forms.variants[0] if keep_usual else rng.choice(forms.variants)
        if rng.random() < 0.2:
            text = _strip_accents(text)
        return text

    def render_dob(
        self, dob: dt.date, noisy: bool, *, required: bool = False, latest: int = 2099
    ) -> str | None:
        """A date of birth as a message gives it (``required``: never absent, as in Interpol
        notices, which need the identity particulars)."""
        rng = self.rng
        r = rng.random()
        if required and r < 0.04:
            r = 0.04 + rng.random() * 0.96
        if not noisy:
            if r < 0.03:
                return None
            if r < 0.09:
                return f"{dob.year}"
            return dob.isoformat() if rng.random() < 0.85 else dob.strftime("%Y/%m/%d")
        if r < 0.04:
            return None
        if r < 0.10:
            return f"{dob.year}"
        if r < 0.12:
            return f"{dob.year}-{dob.month:02d}"
        if r < 0.18 and dob.day <= 12 and dob.day != dob.month:
            return f"{dob.year}-{dob.day:02d}-{dob.month:02d}"
        if r < 0.23:
            for _ in range(10):
                digits = list(dob.strftime("%Y%m%d"))
                k = rng.randrange(2, 8)
                digits[k] = str(rng.randrange(10))
                text = "".join(digits)
                try:
                    typo = dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
                except ValueError:
                    continue
                if typo != dob and typo.year <= latest:
                    return typo.isoformat()
        if r < 0.25:
            digits = list(dob.strftime("%Y%m%d"))
            k = rng.choice((2, 4, 6))
            digits[k], digits[k + 1] = digits[k + 1], digits[k]
            text = "".join(digits)
            try:
                swapped = dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
            except ValueError:
                swapped = dob
            if swapped.year <= latest:
                return swapped.isoformat()
        return dob.isoformat()

    def subject(
        self,
        p: _Person,
        noisy: bool,
        *,
        warrants: list[dict[str, Any]],
        notice: bool,
        received: dt.datetime,
    ) -> dict[str, Any]:
        rng = self.rng
        native = rng.random() < (0.08 if noisy else 0.03)
        forenames = list(p.forenames)
        if len(forenames) > 1 and rng.random() < 0.4:
            forenames = forenames[:1]
        forename = " ".join(self.render_name(f, noisy, native) for f in forenames)
        name = self.render_name(p.surname, noisy, native)
        if rng.random() < (0.25 if noisy else 0.08):
            name = _LEADING_PARTICLE.sub("", name) or name
        if rng.random() < 0.15:
            name = name.upper()
        if rng.random() < (0.08 if noisy else 0.02):
            forename, name = name, forename
        out: dict[str, Any] = {"forename": forename, "name": name}
        if p.entity_id and notice:
            out["entity_id"] = p.entity_id
        dob = self.render_dob(p.dob, noisy, required=notice, latest=received.year - 1)
        if dob:
            out["date_of_birth"] = dob
        if rng.random() < 0.5:
            out["place_of_birth"] = p.place_of_birth
        if rng.random() < 0.6 or p.country_of_birth == "NL":
            out["country_of_birth"] = p.country_of_birth
        if rng.random() < (0.88 if noisy else 0.92):
            nationalities = list(p.nationalities)
            if noisy and rng.random() < 0.05:
                nationalities.append(rng.choice(_REGIONS).countries[0])
            out["nationalities"] = nationalities
        if rng.random() < 0.9:
            out["sex"] = p.sex
        if p.marks and rng.random() < 0.7:
            out["distinguishing_marks"] = p.marks
        if rng.random() < 0.4:
            out["languages"] = [p.language]
        if p.nl_address and rng.random() < 0.85:
            out["addresses"] = [{"country": "NL", "text": p.nl_address}]
        if warrants:
            out["arrest_warrants"] = warrants
        return out

    # --- content --------------------------------------------------------------------------

    def warrants(self, category: str, issuer: str, received: dt.datetime) -> list[dict[str, Any]]:
        rng = self.rng
        out = []
        for _ in range(1 if rng.random() < 0.85 else 2):
            charges = _CHARGES.get(category) or _CHARGES["fraud"]
            language = _LANGUAGE_OF.get(issuer, "en")
            english = rng.choice(charges["en"])
            original = rng.choice(charges[language]) if language in charges else english
            w: dict[str, Any] = {"charge": original}
            if original != english and rng.random() < 0.75:
                w["charge_translation"] = english
            if rng.random() < 0.7:
                w["issuing_authority"] = f"Public Prosecutor's Office, {issuer}"
            if rng.random() < 0.6:
                w["date"] = (received.date() - dt.timedelta(days=rng.randint(5, 900))).isoformat()
            out.append(w)
        return out

    def summary(self, category: str, p: _Person | None, received: dt.datetime) -> str:
        rng = self.rng
        template = rng.choice(_SUMMARIES[category])
        city = p.place_of_birth if p else rng.choice(_REGIONS).cities[0]
        return template.format(
            city=city,
            port=rng.choice(_PORTS),
            qty=rng.randint(20, 4000),
            amount=f"{rng.randint(1, 90) * 100_000:,}",
            date=(received.date() - dt.timedelta(days=rng.randint(1, 400))).isoformat(),
            age=rng.randint(20, 60),
        )

    def attachments(self) -> list[dict[str, Any]]:
        rng = self.rng
        files = (
            ("photo.jpg", "image/jpeg"),
            ("fingerprints.nist", "application/octet-stream"),
            ("arrest_warrant.pdf", "application/pdf"),
            ("request.pdf", "application/pdf"),
        )
        return [
            {
                "filename": name,
                "media_type": media,
                "size": rng.randint(20_000, 4_000_000),
                "sha256": rng.randbytes(32).hex(),
            }
            for name, media in rng.sample(files, rng.randint(1, 3))
        ]

    # --- cases ----------------------------------------------------------------------------

    def start_moment(self) -> dt.datetime:
        rng = self.rng
        day = rng.choices(range(self.config.days), self.day_weights)[0]
        office_hours = rng.random() < 0.7
        seconds = rng.randint(7 * 3600, 19 * 3600) if office_hours else rng.randint(0, 86_399)
        return dt.datetime.combine(
            self.config.start + dt.timedelta(days=day), dt.time(), dt.UTC
        ) + dt.timedelta(seconds=seconds)

    def case(self) -> tuple[str, list[tuple[dt.datetime, dict[str, Any], tuple[str, ...], bool]]]:
        """One case: its category and (received, message dict, person keys, register hit) per
        message."""
        rng = self.rng
        self.cases += 1
        case_type = rng.choices(list(CASE_MIX), list(CASE_MIX.values()))[0]
        issuer = rng.choices(list(_ISSUERS), list(_ISSUERS.values()))[0]
        t0 = self.start_moment()
        builder = _CaseBuilder(self, issuer, t0, case_type)
        return builder.category_and_messages()

    def payload(self, data: dict[str, Any]) -> tuple[Literal["json", "xml"], str]:
        if self.rng.random() < self.config.xml_share:
            return "xml", dict_to_xml(data)
        return "json", json.dumps(data, ensure_ascii=False)

    def corrupt(self, data: dict[str, Any]) -> tuple[Literal["json", "xml"], str]:
        rng = self.rng
        broken = json.loads(json.dumps(data))
        how = rng.randrange(7)
        if how == 0:
            broken.pop("kind", None)
        elif how == 1:
            broken["issuing_country"] = "XX"
        elif how == 2 and broken.get("subjects"):
            broken["subjects"][0]["date_of_birth"] = "1985-02-30"
        elif how == 3:
            broken["received_at"] = broken["received_at"][:19].replace("T", " ")
        elif how == 4:
            text = json.dumps(broken, ensure_ascii=False)
            return "json", text[: len(text) // 2]
        elif how == 5:
            xml = dict_to_xml(broken)
            head, _, rest = xml.partition("\n")
            return "xml", f'{head}\n<!DOCTYPE message [<!ENTITY x "boom">]>\n{rest}'
        else:
            broken["colour"] = "red"
        return self.payload(broken)


class _CaseBuilder:
    """The messages of one case (see :data:`CASE_MIX` and the module docstring)."""

    def __init__(self, gen: _Generator, issuer: str, t0: dt.datetime, case_type: str) -> None:
        self.gen = gen
        self.rng = gen.rng
        self.issuer = issuer
        self.t0 = t0
        self.case_type = case_type
        self.out: list[tuple[dt.datetime, dict[str, Any], tuple[str, ...], bool]] = []
        self.issuing_ref = self.new_issuing_ref()
        self.earlier_refs: list[str] = []
        self.own_refs: list[str] = []
        self.persons: list[_Person] = []
        self.category = ""

    def new_issuing_ref(self) -> str:
        return f"{self.issuer}/{self.t0.year}/{self.gen.unique(1_000_000, 9_999_999)}"

    def new_person(self, **kw: Any) -> _Person:
        p = self.gen.person(self.issuer, self.t0, **kw)
        self.persons.append(p)
        return p

    def with_entity_id(self) -> None:
        for k, p in enumerate(self.persons):
            if not p.entity_id:
                self.persons[k] = replace(p, entity_id=self.gen.interpol_number(self.t0.year))

    def emit(
        self,
        kind: str,
        at: dt.datetime,
        *,
        purpose: str | None = None,
        article: int | None = None,
        subjects: Sequence[_Person] | None = None,
        warrants: bool = False,
        flags: Sequence[str] = (),
        same_ref: bool = True,
        noisy: bool = False,
        deadline: dt.timedelta | None = None,
        channel: str | None = None,
    ) -> None:
        if at >= self.gen.config.end:
            return
        rng = self.rng
        persons = list(self.persons if subjects is None else subjects)
        refs: dict[str, str] = {}
        if same_ref or rng.random() < 0.3:
            refs["issuing"] = self.issuing_ref
        else:
            refs["issuing"] = self.new_issuing_ref()
        if kind.startswith("sirene"):
            refs["issuing"] = f"{self.issuer}{self.gen.unique(10**11, 10**12 - 1)}"
        elif kind not in ("europol_message", "mla_request", "pnr_hit"):
            refs["interpol"] = self.gen.interpol_number(at.year)
        if self.own_refs and rng.random() < 0.3:
            refs["own"] = self.own_refs[0]
        data: dict[str, Any] = {
            "schema_version": "1",
            "kind": kind,
        }
        if purpose:
            data["purpose"] = purpose
        if article is not None:
            data["sirene_article"] = article
        data["channel"] = channel or _CHANNEL_OF.get(kind, "interpol")
        data["references"] = refs
        data["issuing_country"] = self.issuer
        data["received_at"] = at.isoformat()
        if deadline is not None:
            data["deadline"] = (at + deadline).isoformat()
        data["summary"] = self.gen.summary(self.category, persons[0] if persons else None, at)
        all_flags = list(flags)
        if any(at.date().year - p.dob.year < 18 for p in persons) and rng.random() < 0.7:
            all_flags.append("minor")
        if rng.random() < 0.05:
            all_flags.append("urgent")
        if all_flags:
            data["flags"] = sorted(set(all_flags))
        if persons:
            data["subjects"] = [
                self.gen.subject(
                    p,
                    noisy or bool(self.out),
                    warrants=(
                        self.gen.warrants(self.category, self.issuer, at)
                        if warrants and k == 0
                        else []
                    ),
                    notice=kind.endswith("_notice"),
                    received=at,
                )
                for k, p in enumerate(persons)
            ]
        if rng.random() < 0.25:
            data["attachments"] = self.gen.attachments()
        if self.earlier_refs and rng.random() < 0.3:
            data["related_references"] = [rng.choice(self.earlier_refs)]
        self.earlier_refs.extend(v for k, v in refs.items() if k != "own")
        self.own_refs.append(f"LIRC-{at.year}-{self.gen.unique(100_000, 999_999)}")
        hit = any(p.register_hit for p in persons)
        self.out.append((at, data, tuple(p.key for p in persons), hit))

    def later(self, lo: float, hi: float) -> dt.datetime:
        return self.t0 + dt.timedelta(days=self.rng.uniform(lo, hi))

    def offence(self) -> str:
        return self.rng.choices(list(_OFFENCE_WEIGHTS), list(_OFFENCE_WEIGHTS.values()))[0]

    def category_and_messages(
        self,
    ) -> tuple[str, list[tuple[dt.datetime, dict[str, Any], tuple[str, ...], bool]]]:
        getattr(self, f"_{self.case_type}")()
        return self.category, self.out

    # --- case types -----------------------------------------------------------------------

    def _wanted(self) -> None:
        rng = self.rng
        self.category = self.offence()
        self.new_person()
        if rng.random() < 0.1:
            self.new_person(region=self.persons[0].region)
        flags = []
        if self.category in ("homicide", "robbery") and rng.random() < 0.3:
            flags.append("armed_dangerous")
        if self.category == "terrorism":
            flags.append("terrorism")
        schengen = self.issuer in SCHENGEN
        first = rng.random()
        if first < 0.55 or (first >= 0.8 and not schengen):
            self.emit("diffusion", self.t0, purpose="arrest", warrants=True, flags=flags)
            if rng.random() < 0.35:
                self.with_entity_id()
                self.emit(
                    "red_notice", self.later(3, 45), warrants=True, flags=flags, same_ref=False
                )
        elif first < 0.8:
            self.with_entity_id()
            self.emit("red_notice", self.t0, warrants=True, flags=flags)
        else:
            self.emit("sirene_alert", self.t0, article=26, warrants=True, flags=flags)
            if rng.random() < 0.3:
                self.emit("diffusion", self.later(0, 3), purpose="arrest", warrants=True)
        first_kind = self.out[0][1]["kind"] if self.out else ""
        if schengen and first_kind not in ("", "sirene_alert") and rng.random() < 0.25:
            self.emit("sirene_alert", self.later(0, 3), article=26, warrants=True, flags=flags)
        if rng.random() < 0.08:
            first_kind = self.out[0][1]["kind"] if self.out else "diffusion"
            self.emit(
                first_kind,
                self.later(7, 30),
                purpose="arrest" if first_kind == "diffusion" else None,
                article=26 if first_kind == "sirene_alert" else None,
                warrants=True,
                flags=["urgent"],
            )
        if schengen and rng.random() < 0.1:
            self.emit(
                "sirene_supplementary", self.later(1, 20), article=26, subjects=self.persons[:1]
            )
        if rng.random() < 0.05:
            self.emit(
                "pnr_hit",
                self.later(1, 60),
                purpose="arrest",
                subjects=self.persons[:1],
                deadline=dt.timedelta(hours=rng.randint(3, 30)),
            )

    def _missing(self) -> None:
        rng = self.rng
        self.category = "missing_person"
        minor = rng.random() < 0.35
        child = self.new_person(minor=minor)
        if minor and rng.random() < 0.3:
            self.new_person(region=child.region)  # the abducting parent
        schengen = self.issuer in SCHENGEN
        first = rng.random()
        if first < 0.4 or (first >= 0.7 and not schengen):
            self.with_entity_id()
            self.emit("yellow_notice", self.t0)
        elif first < 0.7:
            self.emit("diffusion", self.t0, purpose="missing")
            if rng.random() < 0.3:
                self.with_entity_id()
                self.emit("yellow_notice", self.later(3, 30), same_ref=False)
        else:
            self.emit("sirene_alert", self.t0, article=32)
        if schengen and rng.random() < 0.2:
            self.emit("sirene_alert", self.later(0, 3), article=32)
        if self.out and rng.random() < 0.05:
            data = self.out[0][1]
            self.emit(
                data["kind"],
                self.later(7, 30),
                purpose=data.get("purpose"),
                article=data.get("sirene_article"),
            )

    def _information(self) -> None:
        rng = self.rng
        self.category = self.offence()
        self.new_person()
        schengen = self.issuer in SCHENGEN
        first = rng.random()
        if first < 0.15:
            self.with_entity_id()
            self.emit("blue_notice", self.t0)
        elif first < 0.6 or (first < 0.75 and not schengen):
            purpose = "locate" if rng.random() < 0.4 else "information"
            self.emit("diffusion", self.t0, purpose=purpose)
            if rng.random() < 0.1:
                self.with_entity_id()
                self.emit("blue_notice", self.later(5, 40), same_ref=False)
        elif first < 0.75:
            self.emit("sirene_alert", self.t0, article=rng.choice((34, 36, 36)))
        elif first < 0.85:
            self.emit("europol_message", self.t0)
        else:
            self.emit("mla_request", self.t0, deadline=dt.timedelta(days=rng.randint(30, 90)))
        if self.out and rng.random() < 0.12:
            data = self.out[0][1]
            self.emit(
                data["kind"],
                self.later(7, 35),
                purpose=data.get("purpose"),
                article=data.get("sirene_article"),
                flags=["urgent"] if rng.random() < 0.5 else (),
            )

    def _threat(self) -> None:
        rng = self.rng
        self.category = "terrorism"
        r = rng.random()
        if r < 0.3:
            if rng.random() < 0.6:
                self.new_person()
                self.with_entity_id()
            self.emit("orange_notice", self.t0, flags=["imminent_threat"])
        elif r < 0.5:
            self.new_person()
            self.with_entity_id()
            self.emit("un_special_notice", self.t0)
        elif r < 0.75:
            self.new_person()
            self.with_entity_id()
            self.emit("red_notice", self.t0, warrants=True, flags=["terrorism"])
        else:
            self.new_person()
            self.emit("diffusion", self.t0, purpose="arrest", warrants=True, flags=["terrorism"])
            if rng.random() < 0.3:
                self.with_entity_id()
                self.emit(
                    "red_notice",
                    self.later(2, 20),
                    warrants=True,
                    flags=["terrorism"],
                    same_ref=False,
                )
        if self.persons and self.issuer in SCHENGEN and rng.random() < 0.2:
            self.emit("sirene_alert", self.later(0, 2), article=36, flags=["terrorism"])

    def _green(self) -> None:
        self.category = self.rng.choice(("sexual_offences", "drug_trafficking", "robbery"))
        self.new_person()
        self.with_entity_id()
        self.emit("green_notice", self.t0)

    def _black(self) -> None:
        rng = self.rng
        self.category = "unidentified_body"
        at = self.t0
        data_subject: dict[str, Any] = {"sex": rng.choice("MF")}
        if rng.random() < 0.5:
            data_subject["date_of_birth"] = str(at.year - rng.randint(20, 60))
        data_subject["distinguishing_marks"] = rng.choice(_MARKS)
        data: dict[str, Any] = {
            "schema_version": "1",
            "kind": "black_notice",
            "channel": "interpol",
            "references": {
                "interpol": self.gen.interpol_number(at.year),
                "issuing": self.issuing_ref,
            },
            "issuing_country": self.issuer,
            "received_at": at.isoformat(),
            "summary": self.gen.summary(self.category, None, at),
            "subjects": [data_subject],
        }
        self.gen.persons += 1
        self.out.append((at, data, (f"P{self.gen.persons:06d}",), False))

    def _purple(self) -> None:
        self.category = self.offence()
        self.emit("purple_notice", self.t0, subjects=[])

    def _pnr(self) -> None:
        rng = self.rng
        self.category = self.offence()
        self.new_person()
        self.emit(
            "pnr_hit",
            self.t0,
            purpose=rng.choice(("arrest", "locate", "information")),
            warrants=False,
            deadline=dt.timedelta(hours=rng.randint(3, 48)),
        )

    def _europol(self) -> None:
        self.category = self.offence()
        subjects = [self.new_person()] if self.rng.random() < 0.7 else []
        self.emit("europol_message", self.t0, subjects=subjects)
        if subjects and self.rng.random() < 0.1:
            self.emit("europol_message", self.later(3, 20), subjects=subjects)

    def _mla(self) -> None:
        rng = self.rng
        self.category = self.offence()
        subjects = [self.new_person()] if rng.random() < 0.7 else []
        self.emit(
            "mla_request",
            self.t0,
            subjects=subjects,
            deadline=dt.timedelta(days=rng.randint(30, 90)),
        )
        if rng.random() < 0.12:
            self.emit("mla_request", self.later(20, 60), subjects=subjects, flags=["urgent"])


_CHANNEL_OF: Final = {
    "sirene_alert": "sirene",
    "sirene_supplementary": "sirene",
    "europol_message": "europol",
    "mla_request": "judicial",
    "pnr_hit": "pnr",
}


def generate_traffic(config: TrafficConfig | None = None) -> Traffic:
    """A seeded message stream with its truth (see the module docstring)."""
    config = config or TrafficConfig()
    gen = _Generator(config)
    target = config.total if config.total is not None else _expected_total(config)
    raw: list[tuple[dt.datetime, dict[str, Any], tuple[str, ...], bool, str, str]] = []
    while len(raw) < target:
        case_key = f"C{gen.cases + 1:06d}"
        category, messages = gen.case()
        for at, data, persons, hit in messages:
            raw.append((at, data, persons, hit, case_key, category))
    raw = raw[:target]
    raw.sort(key=lambda r: (r[0], r[4]))
    items: list[TrafficItem] = []
    for at, data, persons, hit, case_key, category in raw:
        malformed = gen.rng.random() < config.malformed_rate
        syntax, payload = gen.corrupt(data) if malformed else gen.payload(data)
        try:
            message: Message | None = parse(payload, syntax=syntax)
            errors: tuple[FieldError, ...] = ()
        except MessageError as exc:
            message, errors = None, exc.errors
        items.append(
            TrafficItem(
                at,
                syntax,
                payload,
                message,
                errors,
                case_key,
                persons,
                category,
                hit,
                malformed,
                data,
            )
        )
    return Traffic(config, items)


def _expected_total(config: TrafficConfig) -> int:
    weekdays = sum(
        1 for d in range(config.days) if (config.start + dt.timedelta(days=d)).weekday() < 5
    )
    return round(config.per_day * (weekdays + 0.6 * (config.days - weekdays)))
