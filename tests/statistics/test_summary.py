"""Summing first changes nothing: the summary rows (per grain) give the same counts, funnel,
terminations, lead-time shares and standing report as the per-row functions."""

from __future__ import annotations

import random
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from regie.statistics import counting, funnel, summary
from regie.statistics.counting import LEVELS, PERIODS, OffenceRow
from tests.statistics.test_counting import registrations
from tests.statistics.test_funnel import frames, populations

fast = settings(max_examples=25, deadline=None)
few = settings(max_examples=8, deadline=None)
FUNNEL_LEVELS = ("national", "unit", "district", "base_team")


def stored(rows: pl.DataFrame, grain: str) -> pl.DataFrame:
    """The rows of one grain as the database would give them back."""
    return summary.from_storage(rows.filter(pl.col("grain") == grain))


def offence_frame(rows: list[OffenceRow], seed: int) -> pl.DataFrame:
    rng = random.Random(seed)
    df = counting.frame(rows)
    online = {r.registration_id: rng.random() < 0.3 for r in rows}
    conf = {r.registration_id: rng.choice([0, 0, 1, 2]) for r in rows}
    return df.with_columns(
        pl.col("registration_id").replace_strict(online, default=False).alias("online"),
        pl.col("registration_id").replace_strict(conf, default=0).alias("confidentiality"),
    )


@few
@given(registrations(), st.integers(0, 1000))
def test_offence_counts_from_every_grain_equal_the_direct_counts(
    rows: list[OffenceRow], seed: int
) -> None:
    df = offence_frame(rows, seed)
    rolled = summary.offence_rollup(counting.offence_measures(df))
    for level in LEVELS:
        for by_category in (False, True):
            if level == "neighbourhood" and by_category:
                with pytest.raises(ValueError):
                    summary.offence_grain(level, by_category)
                continue
            grain = summary.offence_grain(level, by_category)
            for period in PERIODS:
                direct = counting.both_counts(
                    df, level=level, period=period, by_category=by_category
                )
                from_rows = counting.counts_from_measures(
                    stored(rolled, grain), level=level, period=period, by_category=by_category
                )
                assert_frame_equal(from_rows, direct)


@fast
@given(registrations(), st.integers(0, 1000))
def test_clearance_filter_on_summary_rows_equals_filtering_the_registrations(
    rows: list[OffenceRow], seed: int
) -> None:
    df = offence_frame(rows, seed)
    rolled = summary.offence_rollup(counting.offence_measures(df))
    visible = stored(rolled, "team").filter(pl.col("confidentiality") <= 1)
    direct = counting.both_counts(
        df.filter(pl.col("confidentiality") <= 1),
        level="district",
        period="month",
        by_category=False,
    )
    assert_frame_equal(
        counting.counts_from_measures(visible, level="district", period="month", by_category=False),
        direct,
    )


@fast
@given(registrations(), st.integers(0, 1000))
def test_online_measures(rows: list[OffenceRow], seed: int) -> None:
    df = offence_frame(rows, seed)
    rolled = stored(summary.offence_rollup(counting.offence_measures(df)), "team")
    online = df.filter(pl.col("online"))
    assert rolled["per_offence_online"].sum() == online.height
    assert rolled["heaviest_online"].sum() == online["registration_id"].n_unique()
    assert rolled["heaviest"].sum() == df["registration_id"].n_unique()


def test_cbs_table_from_summary_rows() -> None:
    rows: list[OffenceRow] = []
    from datetime import datetime

    from tests.statistics.test_counting import registration_rows

    rows += registration_rows(1, ["1.1.1", "2.6.9"], datetime(2019, 3, 1, 12))
    rows += registration_rows(2, ["2.6.9"], datetime(2019, 7, 1, 12))
    df = counting.frame(rows)
    rolled = stored(summary.offence_rollup(counting.offence_measures(df)), "category")
    for rule in ("per_offence", "heaviest"):
        assert_frame_equal(
            counting.cbs_table_from_measures(rolled, rule=rule, period="quarter"),
            counting.cbs_table(df, rule=rule, period="quarter"),
        )


def with_advice_and_reviews(
    cases: pl.DataFrame, events: pl.DataFrame, seed: int
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    rng = random.Random(seed)
    follows = [
        rng.choice([None, True, False]) if a in ("take_up", "reject") else None
        for a in events["action"].to_list()
    ]
    events = events.with_columns(pl.Series("follows_advice", follows, dtype=pl.Boolean))
    ids = cases["case_id"].to_list()
    picked = [rng.choice(ids) for _ in range(rng.randint(0, len(ids)))]
    reviews = pl.DataFrame(
        {"case_id": picked, "correct": [rng.random() < 0.8 for _ in picked]},
        schema=funnel.REVIEW_SCHEMA,
    )
    cases = cases.with_columns(
        pl.Series("confidentiality", [rng.choice([0, 1]) for _ in ids], dtype=pl.Int64)
    )
    return cases, events, reviews


@few
@given(populations(), st.integers(0, 1000))
def test_funnel_and_terminations_from_every_case_grain(specs: Any, seed: int) -> None:
    cases, events = frames(specs)
    cases, events, reviews = with_advice_and_reviews(cases, events, seed)
    rolled = summary.case_rollup(funnel.case_measures(cases, events, reviews))
    for by in funnel.GROUPINGS:
        rows = stored(rolled, summary.case_grain(by))
        for level in FUNNEL_LEVELS:
            for period in PERIODS:
                args: dict[str, Any] = {"level": level, "period": period, "by": by}
                assert_frame_equal(
                    funnel.funnel_from_counts(rows, **args), funnel.funnel(cases, events, **args)
                )
                assert_frame_equal(
                    funnel.terminations_from_counts(rows, **args),
                    funnel.terminations(cases, events, **args),
                )


@fast
@given(populations(), st.integers(0, 1000))
def test_lead_time_shares_and_compliance(specs: Any, seed: int) -> None:
    cases, events = frames(specs)
    cases, events, reviews = with_advice_and_reviews(cases, events, seed)
    rolled = stored(summary.case_rollup(funnel.case_measures(cases, events, reviews)), "category")
    shares = funnel.lead_times_from_counts(rolled, level="unit", period="year", by="category")
    direct = funnel.lead_times(cases, events, level="unit", period="year", by="category")
    keys = ["period", "region", "category_code"]
    joined = shares.join(direct, on=keys, suffix="_d")
    assert joined.height == direct.height == shares.height
    for column in (
        "registered",
        "screened",
        "screened_in_time",
        "zsm_visits",
        "zsm_decided",
        "zsm_in_time",
        "to_om",
    ):
        assert joined[column].to_list() == joined[f"{column}_d"].to_list()
    advised = events.filter(
        pl.col("action").is_in(["take_up", "reject"]) & pl.col("follows_advice").is_not_null()
    )
    assert shares["advised_screenings"].sum() == advised.height
    assert shares["screenings_following_advice"].sum() == advised["follows_advice"].sum()
    assert shares["reviews"].sum() == reviews.height
    assert shares["reviews_correct"].sum() == reviews["correct"].sum()
    assert (shares["screened_late"] >= 0).all()


@fast
@given(populations())
def test_standing_report_from_summary_rows(specs: Any) -> None:
    cases, events = frames(specs)
    rolled = stored(summary.case_rollup(funnel.case_measures(cases, events)), "category")
    for year in (2018, 2019, 2020):
        assert funnel.standing_report_from_counts(rolled, year=year) == funnel.standing_report(
            cases, events, year=year
        )


def test_rollup_rejects_missing_measures_and_unknown_keys() -> None:
    df = pl.DataFrame({"month": [None], "per_offence": [1]})
    with pytest.raises(ValueError, match="missing column"):
        summary.offence_rollup(df)
    with pytest.raises(ValueError, match="unknown key"):
        summary.rollup(pl.DataFrame({"month": [None], "x": [1]}), {"bad": ("street",)}, ["x"])
