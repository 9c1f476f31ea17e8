"""The LIRC message schema: parsing, every validation rule with its field path, the XML
safeguards, and hypothesis fuzzing of both parsers (pure: no database)."""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from regie.legal_assistance import messages as m
from regie.legal_assistance.messages import (
    MESSAGES,
    Channel,
    Flag,
    Message,
    MessageError,
    MessageKind,
    PartialDate,
    Purpose,
    Sex,
    dict_to_xml,
    from_dict,
    parse,
    parse_json,
    parse_xml,
    to_dict,
    to_json,
    to_xml,
)
from regie.legal_assistance.traffic import TrafficConfig, generate_traffic

SHA = "ab" * 32


def red_notice(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "schema_version": "1",
        "kind": "red_notice",
        "channel": "interpol",
        "references": {"interpol": "2019/12345", "issuing": "RU-77/2019-0042"},
        "issuing_country": "RU",
        "received_at": "2019-11-04T09:30:00+01:00",
        "deadline": "2019-11-20T12:00:00+01:00",
        "summary": "Wanted for fraud.\nMay travel to the Netherlands.",
        "flags": ["armed_dangerous"],
        "subjects": [
            {
                "entity_id": "2019/99887",
                "forename": "Aleksandr",
                "name": "Ivanov",
                "date_of_birth": "1980/05/04",
                "place_of_birth": "Moskva",
                "country_of_birth": "ru",
                "nationalities": ["RU", "ru", "UA"],
                "sex": "m",
                "distinguishing_marks": "Scar on the left cheek",
                "languages": ["RUS", "en"],
                "addresses": [{"country": "NL", "locality": "Rotterdam", "text": "Kerkstraat 1"}],
                "arrest_warrants": [
                    {
                        "charge": "Мошенничество",
                        "charge_translation": "Fraud",
                        "issuing_country": "RU",
                        "issuing_authority": "Prosecutor General",
                        "date": "2019-01-15",
                    }
                ],
            }
        ],
        "attachments": [
            {"filename": "photo.JPG", "media_type": "Image/JPEG", "size": 12345, "sha256": SHA}
        ],
        "related_references": ["2019/11111", "2019/11111"],
    }
    data.update(overrides)
    return data


def errors_of(data: object, **kw: Any) -> list[tuple[str, str]]:
    with pytest.raises(MessageError) as info:
        from_dict(data, **kw)
    return [(e.path, e.code) for e in info.value.errors]


def test_a_valid_red_notice_is_read_and_normalised() -> None:
    msg = from_dict(red_notice())
    assert msg.kind is MessageKind.RED_NOTICE
    assert msg.channel is Channel.INTERPOL
    assert msg.effective_purpose is Purpose.ARREST
    assert msg.references.interpol == "2019/12345"
    assert msg.received_at == dt.datetime(2019, 11, 4, 8, 30, tzinfo=dt.UTC)
    assert msg.flags == frozenset({Flag.ARMED_DANGEROUS})
    s = msg.subjects[0]
    assert s.date_of_birth == PartialDate(1980, 5, 4)
    assert s.country_of_birth == "RU"
    assert s.nationalities == ("RU", "UA")
    assert s.sex is Sex.MALE
    assert s.languages == ("rus", "en")
    assert s.display_name == "IVANOV, Aleksandr"
    assert msg.warrants[0].charge_translation == "Fraud"
    assert msg.attachments[0].media_type == "image/jpeg"
    assert msg.related_references == ("2019/11111",)
    assert msg.summary == "Wanted for fraud.\nMay travel to the Netherlands."


def test_partial_dates_of_birth_stay_partial() -> None:
    data = red_notice()
    data["subjects"][0]["date_of_birth"] = "1980"
    assert from_dict(data).subjects[0].date_of_birth == PartialDate(1980)
    data["subjects"][0]["date_of_birth"] = "1980-05"
    dob = from_dict(data).subjects[0].date_of_birth
    assert dob == PartialDate(1980, 5) and str(dob) == "1980-05" and dob.as_date() is None


def test_round_trip_json_and_xml() -> None:
    msg = from_dict(red_notice())
    assert from_dict(to_dict(msg)) == msg
    assert parse_json(to_json(msg)) == msg
    assert parse_xml(to_xml(msg)) == msg
    assert parse(to_xml(msg).encode()) == msg
    assert parse(to_json(msg).encode()) == msg


def test_round_trip_of_synthetic_traffic() -> None:
    traffic = generate_traffic(TrafficConfig(total=300, seed=5))
    assert traffic.messages
    for msg in traffic.messages:
        assert from_dict(to_dict(msg)) == msg
        assert parse_xml(to_xml(msg)) == msg


def _set(path: str, value: object) -> Callable[[dict[str, Any]], None]:
    def apply(data: dict[str, Any]) -> None:
        target: Any = data
        keys = path.replace("]", "").replace("[", ".").split(".")
        for key in keys[:-1]:
            target = target[int(key)] if key.isdigit() else target[key]
        last: Any = int(keys[-1]) if keys[-1].isdigit() else keys[-1]
        if value is _DELETE:
            del target[last]
        else:
            target[last] = value

    return apply


_DELETE = object()

# (mutation, expected (path, code))
RULES: list[tuple[str, object, str, str]] = [
    ("kind", _DELETE, "kind", "required"),
    ("kind", "red", "kind", "choice"),
    ("kind", 5, "kind", "not_text"),
    ("channel", _DELETE, "channel", "required"),
    ("references", {}, "references", "reference_required"),
    ("references", _DELETE, "references", "reference_required"),
    ("references", "2019/1", "references", "not_object"),
    ("references.interpol", "12345", "references.interpol", "interpol_reference"),
    ("references.own", "x" * 65, "references.own", "too_long"),
    ("issuing_country", "XX", "issuing_country", "country"),
    ("issuing_country", "NLD", "issuing_country", "country"),
    ("received_at", "2019-11-04T09:30:00", "received_at", "datetime"),
    ("received_at", "4 November 2019", "received_at", "datetime"),
    ("received_at", "1800-01-01T00:00:00+00:00", "received_at", "datetime_range"),
    ("deadline", "2019-11-01T00:00:00+00:00", "deadline", "deadline_before_received"),
    ("summary", ["a"], "summary", "not_text"),
    ("summary", "a\x00b", "summary", "bad_characters"),
    ("summary", "x" * 20_001, "summary", "too_long"),
    ("flags", ["red"], "flags[0]", "choice"),
    ("flags", "terrorism", "flags", "not_list"),
    ("schema_version", "2", "schema_version", "schema_version"),
    ("colour", "red", "colour", "unknown_field"),
    ("subjects", {}, "subjects", "not_list"),
    ("subjects", [], "subjects", "subjects_required"),
    ("subjects", [{"forename": "A", "name": "B"}] * 51, "subjects", "too_many"),
    ("subjects.0", "Ivanov", "subjects[0]", "not_object"),
    ("subjects.0.age", 40, "subjects[0].age", "unknown_field"),
    ("subjects.0.entity_id", "99887", "subjects[0].entity_id", "interpol_reference"),
    ("subjects.0.name", "x" * 201, "subjects[0].name", "too_long"),
    ("subjects.0.date_of_birth", "1980-02-30", "subjects[0].date_of_birth", "date_invalid"),
    ("subjects.0.date_of_birth", "04-05-1980", "subjects[0].date_of_birth", "date"),
    ("subjects.0.date_of_birth", "1870", "subjects[0].date_of_birth", "birth_year"),
    ("subjects.0.date_of_birth", "2020", "subjects[0].date_of_birth", "after_received"),
    ("subjects.0.date_of_birth", "2019-11-05", "subjects[0].date_of_birth", "after_received"),
    ("subjects.0.country_of_birth", "Russia", "subjects[0].country_of_birth", "country"),
    ("subjects.0.nationalities", "RU", "subjects[0].nationalities", "not_list"),
    ("subjects.0.nationalities.1", "EU", "subjects[0].nationalities[1]", "country"),
    ("subjects.0.nationalities.1", None, "subjects[0].nationalities[1]", "required"),
    ("subjects.0.sex", "X", "subjects[0].sex", "choice"),
    ("subjects.0.languages.0", "russian", "subjects[0].languages[0]", "language"),
    ("subjects.0.addresses.0.country", _DELETE, "subjects[0].addresses[0].country", "required"),
    (
        "subjects.0.arrest_warrants.0.charge",
        _DELETE,
        "subjects[0].arrest_warrants[0].charge",
        "required",
    ),
    (
        "subjects.0.arrest_warrants.0.date",
        "2019-12-01",
        "subjects[0].arrest_warrants[0].date",
        "after_received",
    ),
    (
        "subjects.0.arrest_warrants.0.date",
        "15-01-2019",
        "subjects[0].arrest_warrants[0].date",
        "full_date",
    ),
    (
        "subjects.0.arrest_warrants.0.issuing_country",
        "Moscow",
        "subjects[0].arrest_warrants[0].issuing_country",
        "country",
    ),
    ("subjects.0.arrest_warrants", [], "subjects", "warrant_required"),
    ("attachments.0.filename", "../etc/passwd", "attachments[0].filename", "filename"),
    ("attachments.0.media_type", "pdf", "attachments[0].media_type", "media_type"),
    ("attachments.0.size", -1, "attachments[0].size", "range"),
    ("attachments.0.size", "12", "attachments[0].size", "not_integer"),
    ("attachments.0.size", True, "attachments[0].size", "not_integer"),
    ("attachments.0.size", 1.5, "attachments[0].size", "not_integer"),
    ("attachments.0.sha256", "abc", "attachments[0].sha256", "sha256"),
    ("related_references", ["x" * 65], "related_references[0]", "too_long"),
    ("purpose", "missing", "purpose", "purpose_conflict"),
    ("purpose", "capture", "purpose", "choice"),
    ("sirene_article", 26, "sirene_article", "article_not_allowed"),
]


@pytest.mark.parametrize(("path", "value", "error_path", "code"), RULES)
def test_every_rule_reports_its_field_path(
    path: str, value: object, error_path: str, code: str
) -> None:
    data = red_notice()
    _set(path, value)(data)
    assert (error_path, code) in errors_of(data)


def test_rules_that_depend_on_the_kind() -> None:
    diffusion = red_notice(kind="diffusion", purpose=None)
    assert ("purpose", "purpose_required") in errors_of(diffusion)
    assert from_dict(red_notice(kind="diffusion", purpose="arrest")).purpose is Purpose.ARREST

    sirene = red_notice(kind="sirene_alert", channel="sirene")
    assert ("sirene_article", "article_required") in errors_of(sirene)
    assert ("sirene_article", "choice") in errors_of({**sirene, "sirene_article": 99})
    ok = from_dict({**sirene, "sirene_article": 26})
    assert ok.effective_purpose is Purpose.ARREST
    article32 = {**sirene, "sirene_article": 32}
    assert from_dict(article32).effective_purpose is Purpose.MISSING
    objects = {**sirene, "sirene_article": 38, "subjects": []}
    assert from_dict(objects).subjects == ()

    nameless = red_notice()
    nameless["subjects"][0] = {"sex": "M", "arrest_warrants": [{"charge": "Murder"}]}
    assert ("subjects[0]", "subject_identity") in errors_of(nameless)
    black = red_notice(kind="black_notice")
    black["subjects"][0] = {"sex": "M", "date_of_birth": "1975"}
    assert from_dict(black).subjects[0].name == ""

    europol = red_notice(kind="europol_message", channel="europol", subjects=[])
    assert from_dict(europol).effective_purpose is None


def test_issuer_codes_of_the_eu_and_the_un() -> None:
    assert from_dict(red_notice(kind="un_special_notice", issuing_country="UN")).issuing_country
    assert from_dict(red_notice(issuing_country="xk")).issuing_country == "XK"


def test_all_errors_are_returned_together() -> None:
    data = red_notice(kind="red", issuing_country="XX", received_at="yesterday")
    data["subjects"][0]["date_of_birth"] = "1980-13-01"
    data["attachments"][0]["sha256"] = "no"
    found = errors_of(data)
    assert {p for p, _ in found} >= {
        "kind",
        "issuing_country",
        "received_at",
        "subjects[0].date_of_birth",
        "attachments[0].sha256",
    }


def test_future_messages_are_refused_when_now_is_given() -> None:
    now = dt.datetime(2019, 11, 4, 8, 0, tzinfo=dt.UTC)
    assert ("received_at", "future") in errors_of(red_notice(), now=now)
    assert from_dict(red_notice(), now=now + dt.timedelta(minutes=26))


def test_messages_are_translatable() -> None:
    for code, (english, dutch) in MESSAGES.items():
        assert english and dutch and english != dutch, code
    error = MessageError.single("too_long", "subjects[0].name", max=200)
    (field_error,) = error.errors
    assert field_error.message == "Too long: at most 200 characters."
    assert field_error.message_nl == "Te lang: hoogstens 200 tekens."
    assert field_error.template == "Too long: at most %(max)s characters."
    assert error.as_dicts() == [
        {
            "path": "subjects[0].name",
            "code": "too_long",
            "params": {"max": "200"},
            "message": "Too long: at most 200 characters.",
        }
    ]
    assert "subjects[0].name: Too long" in str(error)


def test_the_schema_document_matches_the_module_docstring() -> None:
    doc = Path(__file__).parents[2] / "docs" / "legal-assistance-message-schema.md"
    assert m.__doc__ is not None
    assert doc.read_text(encoding="utf-8").strip() == m.__doc__.strip()


# --------------------------------------------------------------------------------------------
# JSON specifics
# --------------------------------------------------------------------------------------------


def json_error(data: bytes | str) -> list[str]:
    with pytest.raises(MessageError) as info:
        parse_json(data)
    return [e.code for e in info.value.errors]


def test_json_input_errors() -> None:
    assert json_error(b"") == ["empty"]
    assert json_error(b"{") == ["json_syntax"]
    assert json_error(b"\xff\xfe") == ["encoding"]
    assert json_error('{"kind": "red_notice", "kind": "diffusion"}') == ["json_duplicate_key"]
    assert json_error('{"size": NaN}') == ["json_constant"]
    assert json_error("[" * 100_000) == ["too_deep"]
    assert json_error("1" * 5000) == ["json_syntax"]
    assert json_error("[]") == ["not_object"]
    assert json_error(b" " * (m.MAX_BYTES + 1)) == ["too_large"]
    assert parse_json(b"\xef\xbb\xbf" + json.dumps(red_notice()).encode()).kind


# --------------------------------------------------------------------------------------------
# XML specifics
# --------------------------------------------------------------------------------------------


def xml_errors(data: bytes | str) -> list[tuple[str, str]]:
    with pytest.raises(MessageError) as info:
        parse_xml(data)
    return [(e.path, e.code) for e in info.value.errors]


def test_xml_document_type_declarations_and_entities_are_refused() -> None:
    billion_laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        "<message><summary>&lol2;</summary></message>"
    )
    assert xml_errors(billion_laughs) == [("", "xml_forbidden")]
    external = (
        '<?xml version="1.0"?><!DOCTYPE m [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        "<message><summary>&xxe;</summary></message>"
    )
    assert xml_errors(external) == [("", "xml_forbidden")]
    assert xml_errors('<!DOCTYPE message SYSTEM "http://example.org/x.dtd"><message/>') == [
        ("", "xml_forbidden")
    ]
    assert xml_errors("<message><summary>&undefined;</summary></message>")[0][1] == "xml_syntax"


def test_xml_structure_errors_carry_paths() -> None:
    xml = to_xml(from_dict(red_notice()))
    doubled = xml.replace("<kind>red_notice</kind>", "<kind>red_notice</kind><kind>x</kind>")
    assert ("kind", "xml_repeated") in xml_errors(doubled)
    item = xml.replace("<nationality>RU</nationality>", "<country>RU</country>")
    assert ("subjects[0].nationalities[0]", "xml_item") in xml_errors(item)
    leaf = xml.replace("<forename>Aleksandr</forename>", "<forename><b>A</b></forename>")
    assert ("subjects[0].forename", "xml_text_expected") in xml_errors(leaf)
    text = xml.replace("<references>", "<references>loose text")
    assert ("references", "xml_elements_expected") in xml_errors(text)
    attribute = xml.replace("<subject>", '<subject id="1">')
    assert ("subjects[0]", "xml_attribute") in xml_errors(attribute)
    assert ("", "xml_attribute") in xml_errors(xml.replace("<message ", '<message lang="en" '))
    size = xml.replace("<size>12345</size>", "<size>12 kB</size>")
    assert ("attachments[0].size", "not_integer") in xml_errors(size)
    assert xml_errors("<notice/>") == [("", "xml_root")]
    assert xml_errors("<message>")[0][1] == "xml_syntax"
    assert xml_errors("<a>" * 40 + "</a>" * 40) == [("", "too_deep")]


def test_xml_encodings() -> None:
    msg = from_dict(red_notice())
    xml = to_xml(msg)
    assert parse_xml(xml) == msg  # text with a UTF-8 declaration
    latin = xml.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"').replace(
        "Мошенничество", "Fraude"
    )
    assert parse_xml(latin.encode("latin-1")).warrants[0].charge == "Fraude"
    assert parse_xml(latin).warrants[0].charge == "Fraude"  # already decoded text
    with pytest.raises(MessageError):
        parse_xml("<message>\ud800</message>")


def test_dict_to_xml_writes_what_parse_xml_reads() -> None:
    data = red_notice()
    assert parse_xml(dict_to_xml(data)) == from_dict(data)


# --------------------------------------------------------------------------------------------
# Fuzzing: arbitrary input gives a message or a MessageError, never another exception
# --------------------------------------------------------------------------------------------


def only_message_error(parser: Callable[[Any], Message], data: Any) -> Message | None:
    try:
        result = parser(data)
    except MessageError as exc:
        assert exc.errors
        for error in exc.errors:
            assert error.code in MESSAGES
            assert error.message and error.message_nl
        return None
    assert isinstance(result, Message)
    assert from_dict(to_dict(result)) == result
    assert parse_xml(to_xml(result)) == result
    return result


FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=25,
)


@FUZZ
@given(st.binary(max_size=300))
def test_fuzz_bytes(data: bytes) -> None:
    only_message_error(parse_json, data)
    only_message_error(parse_xml, data)
    only_message_error(parse, data)


@FUZZ
@given(st.text(max_size=300))
def test_fuzz_text(data: str) -> None:
    only_message_error(parse_json, data)
    only_message_error(parse_xml, data)
    only_message_error(parse, data)


@FUZZ
@given(json_values)
def test_fuzz_json_values(value: object) -> None:
    only_message_error(from_dict, value)
    only_message_error(parse_json, json.dumps(value))


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*prefix, i))
    return out


_ALL_PATHS = _paths(red_notice())


@FUZZ
@given(st.sampled_from(_ALL_PATHS), json_values | st.text(max_size=40), st.booleans())
def test_fuzz_mutated_valid_messages(path: tuple[Any, ...], value: object, as_xml: bool) -> None:
    data = copy.deepcopy(red_notice())
    target: Any = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    if as_xml:
        try:
            payload = dict_to_xml(data)
        except (TypeError, AttributeError):  # keys that are no XML names: JSON only
            return
        only_message_error(parse_xml, payload)
    else:
        only_message_error(parse_json, json.dumps(data))


_TAGS = [
    "message",
    "kind",
    "subjects",
    "subject",
    "name",
    "forename",
    "date_of_birth",
    "nationalities",
    "nationality",
    "references",
    "interpol",
    "arrest_warrants",
    "arrest_warrant",
    "charge",
    "attachments",
    "attachment",
    "size",
    "flags",
    "flag",
    "unknown",
]


@st.composite
def xml_trees(draw: st.DrawFn, depth: int = 0) -> str:
    tag = draw(st.sampled_from(_TAGS))
    if depth < 4 and draw(st.booleans()):
        children = draw(st.lists(xml_trees(depth + 1), max_size=3))
        body = "".join(children)
    else:
        text = draw(st.text(st.characters(codec="utf-8"), max_size=15))
        body = text.replace("&", "&amp;").replace("<", "&lt;")
    attrs = ' schema_version="1"' if draw(st.booleans()) else ""
    return f"<{tag}{attrs}>{body}</{tag}>"


@FUZZ
@given(xml_trees())
def test_fuzz_xml_trees(tree: str) -> None:
    only_message_error(parse_xml, tree)
    only_message_error(parse_xml, f"<message>{tree}</message>")


@st.composite
def valid_messages(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(["red_notice", "yellow_notice", "blue_notice", "diffusion"]))
    names = st.text(st.characters(categories=["L"]), min_size=1, max_size=20)
    year = draw(st.integers(1900, 2018))
    subject: dict[str, Any] = {
        "forename": draw(names),
        "name": draw(names),
        "date_of_birth": draw(
            st.sampled_from([f"{year}", f"{year}-07", f"{year}-07-14", f"{year}/02/28"])
        ),
        "nationalities": draw(st.lists(st.sampled_from(sorted(m.COUNTRIES)), max_size=3)),
        "arrest_warrants": [{"charge": draw(st.text(min_size=1, max_size=50).filter(str.strip))}],
    }
    data: dict[str, Any] = {
        "kind": kind,
        "channel": draw(st.sampled_from([c.value for c in Channel])),
        "references": {"issuing": draw(st.text(min_size=1, max_size=20).filter(str.strip))},
        "issuing_country": draw(st.sampled_from(sorted(m.ISSUERS))),
        "received_at": draw(
            st.datetimes(
                min_value=dt.datetime(2019, 1, 1),
                max_value=dt.datetime(2030, 1, 1),
                timezones=st.just(dt.UTC),
            )
        ).isoformat(),
        "summary": draw(st.text(max_size=100)),
        "subjects": [subject],
    }
    if kind == "diffusion":
        data["purpose"] = draw(st.sampled_from([p.value for p in Purpose]))
    return data


@FUZZ
@given(valid_messages())
def test_generated_messages_round_trip_or_fail_cleanly(data: dict[str, Any]) -> None:
    result = only_message_error(from_dict, data)
    if result is not None:
        assert parse_json(to_json(result)) == result
