"""The counting rules (regie.statistics.counting): pure, no database."""

from __future__ import annotations

import random
import re
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from xml.etree import ElementTree

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from regie.statistics.counting import (
    LEVELS,
    NATIONAL_REGION,
    OFFENCE_SCHEMA,
    PERIODS,
    REGION_COLUMNS,
    TOTAL_CODE,
    TOTAL_TITLE,
    UNKNOWN_REGION,
    Level,
    OffenceRow,
    Period,
    Rule,
    both_counts,
    cbs_table,
    count,
    frame,
    heaviest,
    to_csv,
    to_xlsx,
    validate,
)

# A few categories of data/offence_seriousness.csv with their ranks (1 = heaviest).
CATEGORIES = {"1.4.5": 10, "1.1.1": 13, "1.2.3": 17, "2.6.9": 30, "2.6.10": 31}
#: Two categories share a rank, so ties between categories occur too.
TIED = {"9.9.1": 40, "9.9.2": 40}
RANKS = CATEGORIES | TIED

GROUPS = ["period", "region", "category_code"]


def registration_rows(
    reg: int,
    offences: list[str],
    reported_at: datetime,
    regions: tuple[str | None, ...] = ("U1", "D1", "B1", "GM0344", "BU03440101"),
) -> list[OffenceRow]:
    unit, district, base_team, municipality, neighbourhood = regions
    return [
        OffenceRow(
            registration_id=reg,
            seq=seq,
            category_code=code,
            seriousness_rank=RANKS[code],
            reported_at=reported_at,
            unit=unit,
            district=district,
            base_team=base_team,
            municipality=municipality,
            neighbourhood=neighbourhood,
        )
        for seq, code in enumerate(offences, start=1)
    ]


# --------------------------------------------------------------------------------------------
# Hypothesis: random registrations with 1-4 offences each


@st.composite
def registrations(draw: st.DrawFn, max_offences: int = 4) -> list[OffenceRow]:
    n = draw(st.integers(min_value=0, max_value=25))
    moments = st.datetimes(min_value=datetime(2017, 1, 1), max_value=datetime(2020, 12, 31))
    rows: list[OffenceRow] = []
    for reg in range(1, n + 1):
        codes = draw(st.lists(st.sampled_from(sorted(RANKS)), min_size=1, max_size=max_offences))
        unit = draw(st.sampled_from(["U1", "U2"]))
        district = draw(st.sampled_from([f"{unit}D1", f"{unit}D2"]))
        base_team = draw(st.sampled_from([f"{district}B1", f"{district}B2", None]))
        municipality = draw(st.sampled_from(["GM0344", "GM0307", None]))
        neighbourhood = draw(st.sampled_from(["BU1", "BU2", "BU3", None]))
        regions = (unit, district, base_team, municipality, neighbourhood)
        rows += registration_rows(reg, codes, draw(moments), regions)
    # Offence order in the frame must not matter.
    return draw(st.permutations(rows))


levels: st.SearchStrategy[Level] = st.sampled_from(LEVELS)
periods: st.SearchStrategy[Period] = st.sampled_from(PERIODS)
fast = settings(max_examples=60, deadline=None)


def period_label(moment: datetime, period: Period) -> str:
    if period == "year":
        return f"{moment.year}"
    if period == "quarter":
        return f"{moment.year}-Q{(moment.month - 1) // 3 + 1}"
    return f"{moment.year}-{moment.month:02d}"


@fast
@given(rows=registrations(), level=levels, period=periods, by_category=st.booleans())
def test_per_offence_never_below_heaviest(
    rows: list[OffenceRow], level: Level, period: Period, by_category: bool
) -> None:
    table = both_counts(frame(rows), level=level, period=period, by_category=by_category)
    assert (table["per_offence"] >= table["heaviest"]).all()
    assert (table["difference"] == table["per_offence"] - table["heaviest"]).all()
    assert (table["difference"] >= 0).all()


@fast
@given(rows=registrations(max_offences=1), level=levels, period=periods)
def test_equal_when_every_registration_has_one_offence(
    rows: list[OffenceRow], level: Level, period: Period
) -> None:
    table = both_counts(frame(rows), level=level, period=period)
    assert table["per_offence"].to_list() == table["heaviest"].to_list()
    assert table.filter(pl.col("ratio") != 1.0).is_empty()
    assert table["ratio"].null_count() == 0


@fast
@given(rows=registrations(), level=levels, period=periods)
def test_totals(rows: list[OffenceRow], level: Level, period: Period) -> None:
    per_offence = count(frame(rows), rule="per_offence", level=level, period=period)
    heavy = count(frame(rows), rule="heaviest", level=level, period=period)
    # Every offence once; every registration once (it has at least one offence).
    assert per_offence["count"].sum() == len(rows)
    assert heavy["count"].sum() == len({r.registration_id for r in rows})
    # Per period: the heaviest count is the number of registrations reported in it.
    expected = Counter(
        period_label(moment, period)
        for moment in {r.registration_id: r.reported_at for r in rows}.values()
    )
    got = heavy.group_by("period").agg(pl.col("count").sum())
    assert dict(got.iter_rows()) == dict(expected)
    expected_offences = Counter(period_label(r.reported_at, period) for r in rows)
    got = per_offence.group_by("period").agg(pl.col("count").sum())
    assert dict(got.iter_rows()) == dict(expected_offences)


@fast
@given(rows=registrations(), level=levels, period=periods, by_category=st.booleans())
def test_both_counts_equals_the_two_counts(
    rows: list[OffenceRow], level: Level, period: Period, by_category: bool
) -> None:
    df = frame(rows)
    table = both_counts(df, level=level, period=period, by_category=by_category)
    names = GROUPS if by_category else GROUPS[:2]
    rules: tuple[Rule, ...] = ("per_offence", "heaviest")
    for rule in rules:
        single = count(df, rule=rule, level=level, period=period, by_category=by_category)
        assert list(single.columns) == [*names, "count"]
        side = table.filter(pl.col(rule) > 0).select(*names, pl.col(rule).alias("count"))
        assert side.to_dicts() == single.to_dicts()


@fast
@given(rows=registrations())
def test_heaviest_is_lowest_rank_then_lowest_seq(rows: list[OffenceRow]) -> None:
    expected: dict[int, OffenceRow] = {}
    for row in rows:
        best = expected.get(row.registration_id)
        if best is None or (row.seriousness_rank, row.seq) < (best.seriousness_rank, best.seq):
            expected[row.registration_id] = row
    got = heaviest(frame(rows))
    assert got.columns == list(OFFENCE_SCHEMA)
    assert got["registration_id"].to_list() == sorted(expected)
    assert [(r, s) for r, s in got.select("registration_id", "seq").iter_rows()] == [
        (reg, expected[reg].seq) for reg in sorted(expected)
    ]


@fast
@given(rows=registrations(), seed=st.integers(0, 2**32 - 1))
def test_row_order_does_not_matter(rows: list[OffenceRow], seed: int) -> None:
    shuffled = list(rows)
    random.Random(seed).shuffle(shuffled)
    assert heaviest(frame(rows)).equals(heaviest(frame(shuffled)))
    first = both_counts(frame(rows), level="base_team", period="month")
    assert first.equals(both_counts(frame(shuffled), level="base_team", period="month"))


@fast
@given(rows=registrations(), period=periods)
def test_every_level_adds_up_to_national(rows: list[OffenceRow], period: Period) -> None:
    df = frame(rows)
    national = both_counts(df, level="national", period=period, by_category=False)
    assert set(national["region"].to_list()) <= {NATIONAL_REGION}
    for level in LEVELS[1:]:
        table = both_counts(df, level=level, period=period, by_category=False)
        summed = (
            table.group_by("period")
            .agg(pl.col("per_offence").sum(), pl.col("heaviest").sum())
            .sort("period")
        )
        assert summed.to_dicts() == national.select("period", "per_offence", "heaviest").to_dicts()


# --------------------------------------------------------------------------------------------
# Examples


def example() -> pl.DataFrame:
    rows = (
        # Two offences: the assault (rank 10) is heavier than the bicycle theft (17).
        registration_rows(1, ["1.2.3", "1.4.5"], datetime(2019, 7, 3, 10, 0))
        # One offence, same month, another municipality.
        + registration_rows(
            2, ["1.2.3"], datetime(2019, 7, 31, 23, 0), ("U1", "D1", "B2", "GM0307", None)
        )
        # Three offences, two of the same category: counted three times, or once as 1.1.1.
        + registration_rows(3, ["1.2.3", "1.1.1", "1.1.1"], datetime(2019, 10, 1, 0, 5))
        + registration_rows(4, ["2.6.10"], datetime(2018, 1, 1, 0, 0))
    )
    return frame(rows)


def test_example_counts() -> None:
    table = both_counts(example(), period="year", by_category=False)
    assert table.to_dicts() == [
        {
            "period": "2018",
            "region": "NL",
            "per_offence": 1,
            "heaviest": 1,
            "difference": 0,
            "ratio": 1.0,
        },
        {
            "period": "2019",
            "region": "NL",
            "per_offence": 6,
            "heaviest": 3,
            "difference": 3,
            "ratio": 2.0,
        },
    ]
    by_cat = both_counts(example(), period="year").filter(pl.col("period") == "2019")
    assert by_cat.select("category_code", "per_offence", "heaviest").rows() == [
        ("1.1.1", 2, 1),
        ("1.2.3", 3, 1),
        ("1.4.5", 1, 1),
    ]


def test_heaviest_of_example() -> None:
    got = heaviest(example()).select("registration_id", "seq", "category_code").rows()
    assert got == [(1, 2, "1.4.5"), (2, 1, "1.2.3"), (3, 2, "1.1.1"), (4, 1, "2.6.10")]


def test_ties_go_to_the_lowest_seq() -> None:
    # Same rank (40) for two categories, and the same category twice: seq decides.
    rows = registration_rows(1, ["9.9.2", "9.9.1", "9.9.2"], datetime(2019, 1, 1))
    for order in (rows, rows[::-1], [rows[1], rows[2], rows[0]]):
        got = heaviest(frame(order))
        assert got.select("seq", "category_code").rows() == [(1, "9.9.2")]
    # Seq numbers need not start at 1 or be contiguous.
    df = frame(rows).with_columns(pl.Series("seq", [7, 3, 5]))
    assert heaviest(df).select("seq", "category_code").rows() == [(3, "9.9.1")]
    assert count(df, rule="heaviest").select("category_code", "count").rows() == [("9.9.1", 1)]


@pytest.mark.parametrize(
    ("period", "labels"),
    [
        ("month", ["2018-01", "2019-07", "2019-10"]),
        ("quarter", ["2018-Q1", "2019-Q3", "2019-Q4"]),
        ("year", ["2018", "2019"]),
    ],
)
def test_period_labels(period: Period, labels: list[str]) -> None:
    got = count(example(), rule="per_offence", period=period, by_category=False)
    assert got["period"].to_list() == labels


@pytest.mark.parametrize(
    ("level", "regions"),
    [
        ("national", {"NL": 7}),
        ("unit", {"U1": 7}),
        ("district", {"D1": 7}),
        ("base_team", {"B1": 6, "B2": 1}),
        ("municipality", {"GM0344": 6, "GM0307": 1}),
        ("neighbourhood", {"BU03440101": 6, UNKNOWN_REGION: 1}),
    ],
)
def test_levels(level: Level, regions: dict[str, int]) -> None:
    got = count(example(), rule="per_offence", level=level, period="year", by_category=False)
    totals = got.group_by("region").agg(pl.col("count").sum())
    assert dict(totals.iter_rows()) == regions


def test_all_levels_and_periods_run() -> None:
    df = example()
    for level in LEVELS:
        for period in PERIODS:
            for rule in ("per_offence", "heaviest"):
                got = count(df, rule=rule, level=level, period=period)
                assert got.columns == ["period", "region", "category_code", "count"]
                assert got.schema["count"] == pl.Int64
                assert got["count"].sum() == (7 if rule == "per_offence" else 4)


def test_counting_is_by_reporting_date_in_amsterdam() -> None:
    # 22:30 UTC on 30 June 2019 is 00:30 on 1 July in Amsterdam (summer time).
    aware = registration_rows(1, ["1.2.3", "1.4.5"], datetime(2019, 6, 30, 22, 30, tzinfo=UTC))
    naive = registration_rows(2, ["1.2.3"], datetime(2019, 6, 30, 23, 59))
    got = count(frame(aware + naive), rule="per_offence", period="month", by_category=False)
    assert got.select("period", "count").rows() == [("2019-06", 1), ("2019-07", 2)]
    # A tz-aware column in the frame is converted too (any zone).
    df = frame(aware).with_columns(
        pl.lit(datetime(2019, 6, 30, 22, 30)).dt.replace_time_zone("UTC").alias("reported_at")
    )
    assert count(df, rule="heaviest", period="quarter")["period"].to_list() == ["2019-Q3"]
    # Winter: 23:30 UTC on 31 December is already next year in Amsterdam.
    df = df.with_columns(
        pl.lit(datetime(2019, 12, 31, 23, 30)).dt.replace_time_zone("UTC").alias("reported_at")
    )
    got = count(df, rule="per_offence", period="year", by_category=False)
    assert got.select("period", "count").rows() == [("2020", 2)]


def test_a_registrations_offences_share_its_period() -> None:
    got = count(example(), rule="per_offence", period="month", by_category=False)
    # Registration 3 (three offences, reported 1 October 00:05) is counted in October only.
    assert got.filter(pl.col("period") == "2019-10")["count"].to_list() == [3]
    # Offences of one registration with different reporting times are refused.
    rows = registration_rows(1, ["1.2.3", "1.4.5"], datetime(2019, 7, 1))
    rows[1] = replace(rows[1], reported_at=datetime(2019, 8, 1))
    with pytest.raises(ValueError, match=r"registration attributes.*\[1\]"):
        count(frame(rows), rule="per_offence")


def test_empty_input() -> None:
    empty = frame([])
    assert empty.schema == OFFENCE_SCHEMA
    assert heaviest(empty).is_empty()
    got = both_counts(empty, level="municipality", period="month")
    assert got.is_empty()
    assert got.columns == [*GROUPS, "per_offence", "heaviest", "difference", "ratio"]
    table = cbs_table(empty)
    assert table.rows() == [(TOTAL_CODE,)]


def test_accepts_other_integer_widths_categorical_and_all_null_regions() -> None:
    df = example().with_columns(
        pl.col("registration_id").cast(pl.UInt32),
        pl.col("seq").cast(pl.Int16),
        pl.col("seriousness_rank").cast(pl.UInt8),
        pl.col("municipality").cast(pl.Categorical),
        pl.lit(None).alias("neighbourhood"),
        pl.col("reported_at").dt.cast_time_unit("ms"),
    )
    got = count(df, rule="heaviest", level="neighbourhood", by_category=False)
    assert got.select("region", "count").rows() == [(UNKNOWN_REGION, 1), (UNKNOWN_REGION, 3)]
    got = count(df, rule="per_offence", level="municipality", period="year")
    assert got["count"].sum() == 7


# --------------------------------------------------------------------------------------------
# Validation


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda df: df.drop("seq", "unit"), r"missing column\(s\): seq, unit"),
        (
            lambda df: df.with_columns(pl.col("registration_id").cast(pl.String)),
            r"'registration_id' must be an integer type, got String",
        ),
        (
            lambda df: df.with_columns(pl.col("seriousness_rank").cast(pl.Float64)),
            r"'seriousness_rank' must be an integer type",
        ),
        (
            lambda df: df.with_columns(pl.col("reported_at").cast(pl.Date)),
            r"'reported_at' must be a Datetime, got Date",
        ),
        (
            lambda df: df.with_columns(pl.col("reported_at").dt.strftime("%Y-%m-%d")),
            r"'reported_at' must be a Datetime, got String",
        ),
        (
            lambda df: df.with_columns(pl.lit(1).alias("municipality")),
            r"'municipality' must be a String, got Int32",
        ),
        (
            lambda df: df.with_columns(pl.col("category_code").cast(pl.Categorical)),
            r"'category_code' must be a String, got Categorical",
        ),
        (
            lambda df: df.with_columns(
                pl.when(pl.col("seq") == 1)
                .then(None)
                .otherwise(pl.col("category_code"))
                .alias("category_code")
            ),
            r"null values not allowed in: category_code \(4\)",
        ),
        (
            lambda df: df.with_columns(pl.lit(None, dtype=pl.Datetime("us")).alias("reported_at")),
            r"null values not allowed in: reported_at \(7\)",
        ),
        (
            lambda df: df.with_columns(pl.lit(0).alias("seriousness_rank")),
            r"seriousness_rank must be >= 1",
        ),
        (
            lambda df: df.with_columns(pl.lit(1).alias("seq")),
            r"duplicate \(registration_id, seq\): 1/1, 3/1",
        ),
        (
            lambda df: df.with_columns(
                pl.when(pl.col("seq") == 3)
                .then(pl.lit("BU9"))
                .otherwise(pl.col("neighbourhood"))
                .alias("neighbourhood")
            ),
            r"must be equal on all offences of a registration.*\[3\]",
        ),
    ],
)
def test_validation_errors(change: Callable[[pl.DataFrame], pl.DataFrame], message: str) -> None:
    df = change(example())
    with pytest.raises(ValueError, match=message):
        validate(df)
    with pytest.raises(ValueError, match=message):
        both_counts(df)


def test_region_nulls_are_allowed() -> None:
    df = example().with_columns(pl.lit(None, dtype=pl.String).alias(c) for c in REGION_COLUMNS)
    assert validate(df).height == 7


def test_bad_arguments() -> None:
    df = example()
    with pytest.raises(ValueError, match="rule must be one of per_offence, heaviest"):
        count(df, rule="all")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="level must be one of national, unit"):
        count(df, rule="heaviest", level="province")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="period must be one of month, quarter, year"):
        both_counts(df, period="week")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="expected OffenceRow, got dict"):
        frame([{"registration_id": 1}])  # type: ignore[list-item]


# --------------------------------------------------------------------------------------------
# CBS-style table and export

TITLES = {
    "1.1.1": "Diefstal/inbraak woning",
    "1.2.3": "Diefstal van brom-, snor-, fietsen",
    "1.4.5": "Mishandeling",
    "2.6.9": "Vernielingen",
    "2.6.10": "Overige vermogensdelicten",
}


def test_cbs_table_national() -> None:
    table = cbs_table(example(), period="year", titles=TITLES)
    assert table.columns == ["category_code", "category", "2018", "2019"]
    assert table.rows() == [
        (TOTAL_CODE, TOTAL_TITLE, 1, 6),
        ("1.1.1", "Diefstal/inbraak woning", 0, 2),
        ("1.2.3", "Diefstal van brom-, snor-, fietsen", 0, 3),
        ("1.4.5", "Mishandeling", 0, 1),
        ("2.6.9", "Vernielingen", 0, 0),  # in titles, no offences: a zero row
        ("2.6.10", "Overige vermogensdelicten", 1, 0),  # natural order: 9 before 10
    ]
    heavy = cbs_table(example(), rule="heaviest", period="year")
    assert heavy.columns == ["category_code", "2018", "2019"]
    assert heavy.row(0) == (TOTAL_CODE, 1, 3)


def test_cbs_table_fills_gap_periods_and_filters_the_region() -> None:
    table = cbs_table(example(), period="quarter", level="municipality", region="GM0344")
    labels = [f"{y}-Q{q}" for y in (2018, 2019) for q in (1, 2, 3, 4)]
    assert table.columns == ["category_code", *labels]
    total = table.row(0, named=True)
    assert [total[label] for label in labels] == [1, 0, 0, 0, 0, 0, 2, 3]
    # The total row is the sum of the category rows.
    body = table.slice(1)
    assert [body[label].sum() for label in labels] == [total[label] for label in labels]
    months = cbs_table(example(), period="month")
    assert months.columns[1:3] == ["2018-01", "2018-02"] and months.columns[-1] == "2019-10"
    assert len(months.columns) == 1 + 22


def test_cbs_table_arguments() -> None:
    with pytest.raises(ValueError, match=r"region .* is required below the national level"):
        cbs_table(example(), level="base_team")
    with pytest.raises(ValueError, match="the national level has only region 'NL'"):
        cbs_table(example(), region="GM0344")
    assert cbs_table(example(), level="base_team", region="B9").rows() == [(TOTAL_CODE,)]


def test_csv_round_trip(tmp_path: Path) -> None:
    table = both_counts(example(), period="quarter")
    path = to_csv(table, tmp_path / "counts.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    text = raw.decode("utf-8-sig")
    assert text.splitlines()[0] == (
        "period;region;category_code;per_offence;heaviest;difference;ratio"
    )
    assert re.search(r";1,0\n", text)  # decimal comma
    back = pl.read_csv(path, separator=";", decimal_comma=True, schema=table.schema)
    assert back.equals(table)

    plain = to_csv(table, tmp_path / "plain.csv", separator=",", decimal_comma=False, bom=False)
    assert pl.read_csv(plain, schema=table.schema).equals(table)
    with pytest.raises(ValueError, match="decimal comma"):
        to_csv(table, tmp_path / "bad.csv", separator=",")

    wide = cbs_table(example(), titles=TITLES)
    path = to_csv(wide, tmp_path / "cbs.csv")
    back = pl.read_csv(path, separator=";", schema=wide.schema)
    assert back.equals(wide)


def read_xlsx(path: Path) -> list[list[object]]:
    """The first sheet's cells (strings and numbers): enough to check what we write."""
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    with zipfile.ZipFile(path) as book:
        assert book.testzip() is None
        names = book.namelist()
        assert "xl/workbook.xml" in names
        shared = []
        if "xl/sharedStrings.xml" in names:
            root = ElementTree.fromstring(book.read("xl/sharedStrings.xml"))  # noqa: S314
            shared = ["".join(t.text or "" for t in si.iter(f"{{{ns['m']}}}t")) for si in root]
        sheet = ElementTree.fromstring(book.read("xl/worksheets/sheet1.xml"))  # noqa: S314
    rows: list[list[object]] = []
    for row in sheet.iterfind(".//m:sheetData/m:row", ns):
        values: list[object] = []
        for cell in row.iterfind("m:c", ns):
            column = re.match(r"[A-Z]+", cell.get("r", ""))
            assert column is not None
            index = 0
            for letter in column.group():
                index = index * 26 + ord(letter) - ord("A") + 1
            values += [None] * (index - 1 - len(values))
            v = cell.find("m:v", ns)
            kind = cell.get("t")
            if kind == "s" and v is not None and v.text is not None:
                values.append(shared[int(v.text)])
            elif kind == "inlineStr":
                values.append("".join(t.text or "" for t in cell.iter(f"{{{ns['m']}}}t")))
            elif v is not None and v.text is not None:
                number = float(v.text)
                values.append(int(number) if number.is_integer() else number)
            else:
                values.append(None)
        rows.append(values)
    return rows


def test_xlsx_round_trip(tmp_path: Path) -> None:
    wide = cbs_table(example(), period="quarter", titles=TITLES)
    path = to_xlsx(wide, tmp_path / "cbs.xlsx")
    assert path.read_bytes()[:2] == b"PK"
    cells = read_xlsx(path)
    assert cells[0] == wide.columns
    assert [tuple(row) for row in cells[1:]] == wide.rows()

    counts = both_counts(example(), level="municipality", period="month")
    cells = read_xlsx(to_xlsx(counts, tmp_path / "counts.xlsx", sheet="Tellingen"))
    assert cells[0] == counts.columns
    assert [tuple(row) for row in cells[1:]] == counts.rows()


def test_offence_row_frame_matches_schema() -> None:
    df = example()
    assert df.schema == OFFENCE_SCHEMA
    assert df["reported_at"].dt.date().min() == date(2018, 1, 1)
    # Aware datetimes become Amsterdam wall-clock time (here: the day summer time starts).
    row = registration_rows(9, ["1.2.3"], datetime(2019, 3, 31, 0, 30, tzinfo=UTC))
    assert frame(row)["reported_at"].to_list() == [datetime(2019, 3, 31, 1, 30)]
