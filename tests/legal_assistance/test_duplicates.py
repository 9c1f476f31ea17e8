"""Duplicate check: name folding, the subject matcher behind the registration ``Matcher``
interface, message links, grouping into cases, and pairwise precision and recall on
synthetic traffic (pure: no database)."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest

from regie.legal_assistance.duplicates import (
    DUPLICATE,
    PersonMatcherAdapter,
    RuleBasedSubjectMatcher,
    SubjectMatcher,
    SubjectRecord,
    blocking_keys,
    compare_dates_of_birth,
    compare_messages,
    find_duplicates,
    fold,
    group_messages,
    pairwise_scores,
    skeleton,
    subject_blocking_keys,
)
from regie.legal_assistance.messages import Message, PartialDate, from_dict
from regie.legal_assistance.traffic import TrafficConfig, generate_traffic
from regie.registration.matching import Match, RuleBasedPersonMatcher
from regie.registration.normalise import name_key

P = PartialDate
MATCHER = RuleBasedSubjectMatcher()


def rec(
    forename: str,
    name: str,
    dob: PartialDate | None = None,
    nationalities: tuple[str, ...] = (),
    sex: str = "",
    id: int = 1,
) -> SubjectRecord:
    return SubjectRecord(id, forename, name, dob, nationalities, sex)


def score(a: SubjectRecord, b: SubjectRecord) -> float:
    return MATCHER.compare(a, b).score


@pytest.mark.parametrize(
    ("variants", "expected"),
    [
        (("Mohammed", "Muhammad", "Mohamed", "Mohammad", "محمد"), "mhmd"),
        (("Aleksandr", "Alexander", "Александр", "Oleksandr"), "lksndr"),
        (("Yusuf", "Youssef", "Jusuf", "يوسف"), "sf"),
        (("Shevchenko", "Schewtschenko", "Szewczenko"), "shvchnk"),
        (("Ivanov", "Ivanoff", "Iwanow", "Иванов"), "vnv"),
    ],
)
def test_transliterations_share_a_skeleton(variants: tuple[str, ...], expected: str) -> None:
    from regie.legal_assistance.duplicates import _word

    for v in variants:
        assert expected in _word(name_key(v), False).skeletons, v


def test_fold() -> None:
    assert fold("schewtschenko") == fold("szewczenko") == "shevchenko"
    assert fold("youssef") == "iusef"
    assert fold("ivanoff") == "ivanov"
    assert skeleton("mohammed") == "mhmd"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (rec("Mohammed", "al-Rashid", P(1985, 3, 4)), rec("Muhammad", "Rashid", P(1985, 3, 4))),
        (rec("Aleksandr", "Ivanov", P(1980, 5, 4)), rec("Alexander", "Ivanoff", P(1980, 5, 4))),
        (rec("Yusuf", "Benali", P(1990, 1, 2)), rec("Youssef", "Ben Ali", P(1990, 1, 2))),
        (rec("Jan", "van der Berg", P(1990, 1, 2)), rec("Jan", "Berg, van der", P(1990, 1, 2))),
        (rec("Marie", "de la Fontaine", P(1997, 1, 4)),
         rec("Marie", "Delafontaine", P(1997, 1, 4))),
        (rec("Khadija", "Saidi", P(1987, 1, 29)), rec("Khadija", "Sa'idi", P(1987, 1, 29))),
        (rec("Hassan", "Nasser", P(1970, 2, 3)), rec("حسن", "ناصر", P(1970, 2, 3))),
        (rec("Olga", "Smirnova", P(1975, 8, 9)), rec("SMIRNOVA", "Olga", P(1975, 8, 9))),
    ],
)  # fmt: skip
def test_the_same_person_in_other_spellings(a: SubjectRecord, b: SubjectRecord) -> None:
    assert score(a, b) >= 0.85


def test_date_of_birth_rules() -> None:
    assert compare_dates_of_birth(P(1980, 5, 4), P(1980, 5, 4))[0] == 1.0
    assert compare_dates_of_birth(P(1980, 5, 4), P(1980, 4, 5)) == (0.8, "dag en maand verwisseld")
    assert compare_dates_of_birth(P(1980, 5, 4), P(1980, 5, 7))[0] == 0.75
    assert compare_dates_of_birth(P(1980, 5, 4), P(1908, 5, 4))[0] == 0.7  # adjacent swap
    assert compare_dates_of_birth(P(1980), P(1980, 5, 4))[0] == 0.5
    assert compare_dates_of_birth(P(1980, 5), P(1980, 5, 4))[0] == 0.7
    assert compare_dates_of_birth(P(1980, 6), P(1980, 5, 4))[0] == -1.0
    assert compare_dates_of_birth(P(1981), P(1980, 5, 4))[0] == 0.2
    assert compare_dates_of_birth(None, P(1980, 5, 4)) == (0.0, "geboortedatum onbekend")
    assert compare_dates_of_birth(P(1961, 1, 1), P(1975, 9, 30))[0] == -1.0


def test_evidence_that_separates_people() -> None:
    same = rec("Ahmed", "Hassan", P(1980, 5, 4), ("MA",), "M")
    assert score(same, rec("Ahmed", "Hassan", P(1980, 5, 4), ("MA",), "M", id=2)) == 1.0
    # another forename, another date, another sex, or only the name: below a duplicate
    assert score(same, rec("Omar", "Hassan", P(1980, 5, 4), ("MA",))) < DUPLICATE
    assert score(same, rec("Ahmed", "Hassan", P(1962, 11, 20), ("MA",))) < 0.3
    assert score(same, rec("Ahmed", "Hassan", P(1980, 5, 4), ("MA",), "F")) < 0.6
    assert score(same, rec("Ahmed", "Hassan", None, ("MA",))) < DUPLICATE
    assert score(same, rec("Ahmed", "Hassan", P(1980, 5, 4), ("DZ",))) < score(
        same, rec("Ahmed", "Hassan", P(1980, 5, 4), ())
    )
    reasons = MATCHER.compare(same, rec("Hassan", "Ahmed", P(1980, 4, 5), ("MA",))).reasons
    assert "voor- en achternaam verwisseld" in reasons and "dag en maand verwisseld" in reasons


def test_the_matcher_has_the_registration_interface() -> None:
    matcher: SubjectMatcher = MATCHER
    query = rec("Aleksandr", "Ivanov", P(1980, 5, 4), ("RU",), id=None)  # type: ignore[arg-type]
    candidates = [
        rec("Alexander", "Ivanoff", P(1980, 5, 4), ("RU",), id=10),
        rec("Aleksandr", "Ivanov", P(1980, 5, 4), ("RU",), id=11),
        rec("Sergei", "Petrov", P(1980, 5, 4), ("RU",), id=12),
        rec("Aleksandr", "Ivanov", P(1980), ("RU",), id=13),
    ]
    proposals = matcher.propose(query, candidates, limit=2)
    assert all(isinstance(p, Match) for p in proposals)
    assert [p.id for p in proposals] == [11, 10]
    assert proposals[0].score >= proposals[1].score
    assert 12 not in [p.id for p in matcher.propose(query, candidates, limit=10)]
    assert matcher.propose(candidates[0], candidates) == matcher.propose(
        candidates[0], candidates, limit=5
    )
    assert 10 not in [p.id for p in matcher.propose(candidates[0], candidates)]  # not itself


def test_a_registration_person_matcher_behind_the_adapter() -> None:
    adapter = PersonMatcherAdapter(RuleBasedPersonMatcher())
    query = rec("Jan", "van der Berg", P(1980, 5, 4), ("NL",), id=None)  # type: ignore[arg-type]
    found = adapter.propose(query, [rec("Jan", "Berg", P(1980, 5, 4), ("NL",), id=7)])
    assert [m.id for m in found] == [7]
    assert found[0].score >= 0.9
    person = rec("Jan", "Berg", P(1980), id=3).to_person_record()
    assert person.date_of_birth is None and person.surname == "Berg"
    assert adapter.blocking_keys(query) == subject_blocking_keys(query)


def test_blocking_keys() -> None:
    a = subject_blocking_keys(rec("Mohammed", "Haddad", P(1985, 3, 4)))
    b = subject_blocking_keys(rec("Haddad", "Muhammad", P(1985, 4, 3)))
    assert "y:mhmd|1985" in a and "y:mhmd|1985" in b
    assert "d:1985-03-04" in a and "d:1985-03-04" in b  # day and month swapped
    typo = subject_blocking_keys(rec("Mohamed", "Hadad", P(1958, 3, 4)))
    assert "m:mhmd|0304" in a and "m:mhmd|0304" in typo  # a typo in the year
    assert subject_blocking_keys(rec("Mohammed", "Haddad")) == frozenset()
    assert subject_blocking_keys(SubjectRecord(1, "A", "B", entity_id="2019/1")) == {"e:2019/1"}


def notice(**overrides: Any) -> Message:
    data: dict[str, Any] = {
        "kind": "diffusion",
        "purpose": "arrest",
        "channel": "interpol",
        "references": {"interpol": "2019/10001", "issuing": "DE/2019/555"},
        "issuing_country": "DE",
        "received_at": "2019-11-04T09:00:00+00:00",
        "subjects": [
            {
                "forename": "Youssef",
                "name": "El Amrani",
                "date_of_birth": "1985-03-04",
                "nationalities": ["MA"],
                "arrest_warrants": [{"charge": "Drug trafficking"}],
            }
        ],
    }
    data.update(overrides)
    return from_dict(data)


def subject(forename: str, name: str, dob: str | None, sex: str = "M") -> list[dict[str, Any]]:
    out: dict[str, Any] = {"forename": forename, "name": name, "sex": sex}
    if dob:
        out["date_of_birth"] = dob
    out["arrest_warrants"] = [{"charge": "Fraud"}]
    return [out]


def test_message_links() -> None:
    diffusion = notice()
    red = notice(
        kind="red_notice",
        purpose=None,
        references={"interpol": "2019/20002", "issuing": "DE/2019/999"},
        received_at="2019-11-20T09:00:00+00:00",
        subjects=subject("Yusuf", "Amrani", "1985-04-03"),
    )
    link = compare_messages(diffusion, red)
    assert link is not None and link.score >= DUPLICATE
    assert "zelfde verzoekend land" in link.reasons
    by_reference = notice(
        kind="sirene_alert",
        purpose=None,
        sirene_article=26,
        channel="sirene",
        references={"issuing": "DE0000012345"},
        subjects=subject("X", "Y", None),
        related_references=["2019/10001"],
    )
    ref_link = compare_messages(diffusion, by_reference)
    assert ref_link is not None and ref_link.score == 1.0
    assert ref_link.reasons == ("verwijst naar referentie 201910001",)
    repeated = notice(references={"issuing": "DE/2019/555"}, subjects=subject("A", "B", None))
    repeat_link = compare_messages(diffusion, repeated)
    assert (
        repeat_link is not None
        and "zelfde referentie van het verzoekende land" in (repeat_link.reasons[0])
    )
    other = notice(
        references={"interpol": "2019/30003"}, subjects=subject("Piotr", "Nowak", "1970-01-01")
    )
    assert compare_messages(diffusion, other) is None


def test_find_duplicates_for_intake() -> None:
    diffusion = notice()
    red = notice(
        kind="red_notice",
        purpose=None,
        references={"interpol": "2019/20002"},
        subjects=subject("Youssef", "EL AMRANI", "1985-03-04"),
    )
    stranger = notice(
        references={"interpol": "2019/40004"}, subjects=subject("Jan", "Jansen", "1960-01-01")
    )
    assert blocking_keys(red) & blocking_keys(diffusion)
    assert not blocking_keys(stranger) & blocking_keys(diffusion)
    found = find_duplicates(red, [(1, stranger), (2, diffusion)])
    assert [(link.a, link.b) for link in found] == [(-1, 2)]


def test_grouping_refuses_to_chain_two_people() -> None:
    """B (year of birth only) matches A and C, but A and C clearly differ: B joins the case it
    is linked to by reference (C), and the link to A becomes a suggestion."""
    a = notice(
        references={"interpol": "2019/50001"},
        subjects=subject("Pawel", "Mazur", "1994-10-15"),
        issuing_country="PL",
    )
    b = notice(
        references={"interpol": "2019/50002", "issuing": "PL/1/2019"},
        subjects=subject("Paweł", "MAZUR", "1994"),
        issuing_country="PL",
    )
    c = notice(
        references={"interpol": "2019/50003", "issuing": "PL/1/2019"},
        subjects=subject("Pawel", "Mazur", "1994-09-01"),
        issuing_country="PL",
    )
    grouping = group_messages([a, b, c])
    assert grouping.groups == ((0,), (1, 2))
    assert any(
        (s.a, s.b) == (0, 1) and "let op: conflict in groep" in s.reasons
        for s in grouping.suggestions
    )
    assert grouping.case_of == (0, 1, 1)


def test_pairwise_scores() -> None:
    scores = pairwise_scores([[0, 1, 2], [3], [4, 5]], [[0, 1], [2, 3], [4, 5]])
    assert (scores.true_positives, scores.false_positives, scores.false_negatives) == (2, 2, 1)
    assert scores.precision == 0.5 and scores.recall == pytest.approx(2 / 3)
    assert pairwise_scores([[0], [1]], [[0], [1]]).precision == 1.0


@pytest.fixture(scope="module")
def traffic_and_grouping() -> Any:
    traffic = generate_traffic(
        TrafficConfig(start=dt.date(2019, 10, 1), days=30, total=3000, seed=11)
    )
    t0 = time.perf_counter()
    grouping = group_messages(traffic.messages)
    return traffic, grouping, time.perf_counter() - t0


def test_duplicate_precision_and_recall_on_synthetic_traffic(traffic_and_grouping: Any) -> None:
    traffic, grouping, seconds = traffic_and_grouping
    scores = pairwise_scores(grouping.groups, traffic.true_groups())
    print(
        f"\nduplicates on {len(traffic.messages)} synthetic messages in {seconds:.2f} s: "
        f"precision {scores.precision:.3f}, recall {scores.recall:.3f}, F1 {scores.f1:.3f} "
        f"({scores.true_positives} true pairs found, {scores.false_positives} false, "
        f"{scores.false_negatives} missed)"
    )
    assert scores.true_positives + scores.false_negatives >= 300  # enough duplicates to judge
    assert scores.precision >= 0.95
    assert scores.recall >= 0.95
    assert grouping.skipped_blocks == 0


def test_cross_channel_duplicates_are_found(traffic_and_grouping: Any) -> None:
    traffic, grouping, _ = traffic_and_grouping
    messages = traffic.messages
    found_pairs = 0
    for group in traffic.true_groups():
        kinds = {messages[i].kind.value for i in group}
        if {"diffusion", "red_notice"} <= kinds or {"sirene_alert", "diffusion"} <= kinds:
            found_pairs += 1
            assert len({grouping.case_of[i] for i in group}) <= 2
    assert found_pairs >= 30
