"""The case funnel of the Selectiviteitskader: how registered crime moves through the flow.

Pure: Polars only, no Django. The input is two frames, one row per case
(:data:`CASE_SCHEMA`) and one row per move of a case (:data:`EVENT_SCHEMA`, the
``CaseEvent`` history); both are validated (:func:`validate`, ValueError with the reason).

* :func:`case_stages`: one row per case, which stages of the flow it ever reached.
* :func:`funnel`: per period, region (and category or offence class) the number of cases that
  reached each stage of :data:`STAGES`, with the rate relative to the previous stage and to
  ``registered``.
* :func:`terminations`: early terminations by reason, and their share of the assessed crime.
* :func:`lead_times`: first screening (3 working days), ZSM (6 hours), time to the OM.
* :func:`standing_report`: the analysis of the source ("De aard en omvang van vroegtijdig
  beëindigde zaken") for one year and the year before.

Conventions (all deterministic):

* **Cohort = reporting period.** A case is counted in the period of its ``reported_at``
  (Europe/Amsterdam), like the registered-crime counts of :mod:`regie.statistics.counting`:
  every stage a case reaches, however much later, counts in the period it was *reported* in.
  Recent periods are therefore incomplete (their cases are still moving); a period's figures
  only grow as time passes, never shift to another period.
* **Ever reached, once per case.** A stage counts a case when its history holds the move into
  that stage at least once; a case that is reopened and passes a stage again still counts
  once. ``rejected`` is the exception that keeps the screening a partition: a case rejected
  and later (after a reopen) taken up counts as ``taken_up``, not ``rejected``; so
  ``rejected + taken_up == screened``. ``rejected_first`` (first screening was a rejection,
  the source's "rejected at first screening") is on :func:`case_stages`.
* **Reasons.** The termination reason of a case is the reason of its *last* termination; the
  OM decision of its last ``om_decide`` event; both from the event's ``reason`` column (the
  coded reason, :func:`regie.selection.flow.reason_code`).
* **Time zone.** A naive datetime is Europe/Amsterdam wall-clock time, an aware one is
  converted. Durations are elapsed (real) time; the 3-working-day deadline is wall-clock time
  (:func:`regie.selection.deadlines.screening_due`, Algemene termijnenwet).
* **Period labels and regions** as in :mod:`regie.statistics.counting`: ``2019``,
  ``2019-Q3``, ``2019-07``; ``region`` is ``"NL"`` nationally, else the code of the level's
  column, ``"onbekend"`` when a case has none (so every level adds up to the national total).
  The period and region expressions are counting's own (``period_key``, ``period_label``,
  ``region``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Final, Literal, get_args

import polars as pl

from regie.selection.deadlines import ZSM_DECISION, screening_due
from regie.selection.flow import (
    CHOICE_FIELDS,
    FINAL_STATES,
    TERMINATION_REASONS,
    TRANSITIONS,
    Action,
    State,
)
from regie.statistics.counting import (
    LEVELS,
    PERIODS,
    REGION_COLUMNS,
    Level,
    Period,
    period_key,
    period_label,
    region,
)

__all__ = [
    "CASE_MEASURES",
    "CASE_SCHEMA",
    "DISTRICT_DETECTIVE_CLASSES",
    "EVENT_SCHEMA",
    "GROUPINGS",
    "OFFENCE_CLASSES",
    "STAGES",
    "By",
    "case_measures",
    "case_stages",
    "funnel",
    "funnel_from_counts",
    "lead_times",
    "lead_times_from_counts",
    "standing_report",
    "standing_report_from_counts",
    "terminations",
    "terminations_from_counts",
    "validate",
]

TIME_ZONE: Final = "Europe/Amsterdam"

By = Literal["none", "category", "offence_class"]
GROUPINGS: Final[tuple[By, ...]] = get_args(By)
_BY_COLUMN: Final[dict[str, str | None]] = {
    "none": None,
    "category": "category_code",
    "offence_class": "offence_class",
}

#: The offence classes of ``selection.models.OffenceClass`` (kept here: no Django import).
OFFENCE_CLASSES: Final = ("hic", "undermining", "vvc", "other")

#: "Base teams vs district detectives". Regie has no district-detective role: every case is
#: handled by a base team's dossier manager and investigators. In the police organisation the
#: district detectives (districtsrecherche) take the high-impact crime and undermining, the
#: base teams the rest; so the report splits by offence class: ``hic`` and ``undermining``
#: count as "district detectives", ``vvc`` and ``other`` as "base teams".
DISTRICT_DETECTIVE_CLASSES: Final = frozenset({"hic", "undermining"})

#: The canonical case frame. Integer columns may have any integer width, ``reported_at`` any
#: time unit and time zone (or none: Amsterdam local); the region columns may be null and
#: Categorical/Enum (cast to String), as in counting.
CASE_SCHEMA: Final = pl.Schema(
    {
        "case_id": pl.Int64(),
        "reported_at": pl.Datetime("us"),
        "category_code": pl.String(),
        "offence_class": pl.String(),
        "offence_group": pl.String(),
        "state": pl.String(),
        **{column: pl.String() for column in REGION_COLUMNS},
    }
)
#: One row per move (``CaseEvent``); ``reason`` is the coded reason (null or "" when none).
EVENT_SCHEMA: Final = pl.Schema(
    {
        "case_id": pl.Int64(),
        "seq": pl.Int64(),
        "action": pl.String(),
        "from_state": pl.String(),
        "to_state": pl.String(),
        "at": pl.Datetime("us"),
        "actor_role": pl.String(),
        "reason": pl.String(),
    }
)
_CASE_NULLABLE: Final = frozenset(REGION_COLUMNS)
_EVENT_NULLABLE: Final = frozenset({"reason"})

#: The stages of the funnel and the stage each rate is relative to (``None``: the top).
STAGES: Final[tuple[tuple[str, str | None], ...]] = (
    ("registered", None),
    ("screened", "registered"),  # first screening done: taken up or rejected
    ("rejected", "screened"),  # rejected and not taken up after a reopen
    ("taken_up", "screened"),
    ("at_zsm", "taken_up"),
    ("settled_zsm", "at_zsm"),
    ("terminated_early", "taken_up"),
    ("under_investigation", "taken_up"),
    ("solved", "under_investigation"),
    ("to_om", "solved"),
    ("om_decided", "to_om"),
    ("om_summons", "om_decided"),
    ("om_strafbeschikking", "om_decided"),
    ("om_dismissal", "om_decided"),
    ("convicted", "om_summons"),
    ("acquitted", "om_summons"),
)
_STAGE_NAMES: Final = tuple(name for name, _ in STAGES)

#: The fixed list of the coded reason an action must carry (from the transition table).
_REASON_LISTS: Final[dict[str, frozenset[str]]] = {
    t.action.value: frozenset(CHOICE_FIELDS[name])
    for t in TRANSITIONS
    for name in t.required
    if name in CHOICE_FIELDS
}
_EDGES: Final = pl.DataFrame(
    {
        "from_state": [t.source.value for t in TRANSITIONS],
        "action": [t.action.value for t in TRANSITIONS],
        "to_state": [t.target.value for t in TRANSITIONS],
        "_legal": [True] * len(TRANSITIONS),
    }
)


# --------------------------------------------------------------------------------------------
# Validation


def _check_columns(
    df: pl.DataFrame, schema: pl.Schema, nullable: frozenset[str], what: str
) -> pl.DataFrame:
    missing = [name for name in schema if name not in df.columns]
    if missing:
        raise ValueError(f"{what}: missing column(s): {', '.join(missing)}")
    casts: list[pl.Expr] = []
    for name, expected in schema.items():
        dtype = df.schema[name]
        if expected == pl.Int64():
            if not dtype.is_integer():
                raise ValueError(f"{what}: column {name!r} must be an integer type, got {dtype}")
            if dtype != pl.Int64():
                casts.append(pl.col(name).cast(pl.Int64()))
        elif isinstance(expected, pl.Datetime):
            if not isinstance(dtype, pl.Datetime):
                raise ValueError(f"{what}: column {name!r} must be a Datetime, got {dtype}")
        elif expected == pl.Boolean():
            if dtype != pl.Boolean():
                raise ValueError(f"{what}: column {name!r} must be a Boolean, got {dtype}")
        elif dtype != pl.String():
            if isinstance(dtype, pl.Categorical | pl.Enum) or (
                name in nullable and isinstance(dtype, pl.Null)
            ):
                casts.append(pl.col(name).cast(pl.String()))
            else:
                raise ValueError(f"{what}: column {name!r} must be a String, got {dtype}")
    if casts:
        df = df.with_columns(casts)
    required = [name for name in schema if name not in nullable]
    if not df.is_empty():
        nulls = df.select(pl.col(required).null_count()).row(0, named=True)
        with_nulls = [f"{name} ({n})" for name, n in nulls.items() if n]
        if with_nulls:
            raise ValueError(f"{what}: null values not allowed in: {', '.join(with_nulls)}")
    return df


def _not_in(df: pl.DataFrame, column: str, allowed: set[str] | frozenset[str]) -> list[str]:
    return sorted(
        df.filter(~pl.col(column).is_in(sorted(allowed))).get_column(column).unique().to_list()
    )[:5]


def _instant(name: str, dtype: pl.DataType) -> pl.Expr:
    """The moment in UTC; a naive value is Amsterdam wall-clock time (a DST-gap time is null,
    an ambiguous one the earlier of the two)."""
    col = pl.col(name).dt.cast_time_unit("us")
    if isinstance(dtype, pl.Datetime) and dtype.time_zone is not None:
        return col.dt.convert_time_zone("UTC")
    return col.dt.replace_time_zone(
        TIME_ZONE, ambiguous="earliest", non_existent="null"
    ).dt.convert_time_zone("UTC")


def _local(expr: pl.Expr) -> pl.Expr:
    """A UTC moment as naive Amsterdam wall-clock time."""
    return expr.dt.convert_time_zone(TIME_ZONE).dt.replace_time_zone(None)


def _ids(df: pl.DataFrame, column: str = "case_id") -> list[int]:
    return sorted(df.get_column(column).unique().to_list())[:5]


def validate(cases: pl.DataFrame, events: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Both frames, checked and normalised; raises ValueError with the reason.

    Cases: every column of :data:`CASE_SCHEMA` with a usable type, nulls only in the region
    columns, ``case_id`` unique, ``offence_class`` in :data:`OFFENCE_CLASSES`, ``state`` a
    :class:`~regie.selection.flow.State`. Events: every column of :data:`EVENT_SCHEMA`,
    ``(case_id, seq)`` unique, every ``case_id`` a known case, every move an edge of
    :data:`~regie.selection.flow.TRANSITIONS`, each case's moves a chain from ``registered``
    (in ``seq`` order) that ends in the case's ``state``, the reason of a move that needs one
    from its fixed list, a court outcome only after a summons. Extra columns are kept.

    Added columns: ``reported_utc``/``at_utc`` (aware UTC) and ``reported_local``
    (naive Amsterdam time); ``reason`` null becomes ``""``; events sorted by case and seq.
    """
    if not isinstance(cases, pl.DataFrame) or not isinstance(events, pl.DataFrame):
        raise ValueError("cases and events must be Polars DataFrames")
    cases = _check_columns(cases, CASE_SCHEMA, _CASE_NULLABLE, "cases")
    events = _check_columns(events, EVENT_SCHEMA, _EVENT_NULLABLE, "events")

    if cases.get_column("case_id").is_duplicated().any():
        dupes = cases.filter(pl.col("case_id").is_duplicated())
        raise ValueError(f"cases: duplicate case_id: {_ids(dupes)}")
    if bad := _not_in(cases, "offence_class", frozenset(OFFENCE_CLASSES)):
        raise ValueError(
            f"cases: unknown offence_class {bad}; expected one of {', '.join(OFFENCE_CLASSES)}"
        )
    states = frozenset(s.value for s in State)
    if bad := _not_in(cases, "state", states):
        raise ValueError(f"cases: unknown state {bad}")

    cases = cases.with_columns(_instant("reported_at", cases.schema["reported_at"]).alias("_utc"))
    if cases.get_column("_utc").null_count():
        gap = cases.filter(pl.col("_utc").is_null())
        raise ValueError(
            f"cases: reported_at is a local time that does not exist (DST change) for {_ids(gap)}"
        )
    cases = cases.with_columns(
        pl.col("_utc").alias("reported_utc"), _local(pl.col("_utc")).alias("reported_local")
    ).drop("_utc")

    events = events.with_columns(pl.col("reason").fill_null(""))
    events = events.with_columns(_instant("at", events.schema["at"]).alias("at_utc"))
    if events.get_column("at_utc").null_count():
        gap = events.filter(pl.col("at_utc").is_null())
        raise ValueError(
            f"events: 'at' is a local time that does not exist (DST change) for cases {_ids(gap)}"
        )
    if events.select("case_id", "seq").is_duplicated().any():
        dupes = events.filter(events.select("case_id", "seq").is_duplicated())
        raise ValueError(f"events: duplicate (case_id, seq) for case(s) {_ids(dupes)}")
    if bad := _not_in(events, "action", frozenset(a.value for a in Action)):
        raise ValueError(f"events: unknown action {bad}")
    for column in ("from_state", "to_state"):
        if bad := _not_in(events, column, states):
            raise ValueError(f"events: unknown {column} {bad}")
    unknown = events.join(cases.select("case_id"), on="case_id", how="anti")
    if not unknown.is_empty():
        raise ValueError(f"events: case_id not in cases: {_ids(unknown)}")

    illegal = events.join(_EDGES, on=["from_state", "action", "to_state"], how="left").filter(
        pl.col("_legal").is_null()
    )
    if not illegal.is_empty():
        row = illegal.row(0, named=True)
        raise ValueError(
            f"events: move {row['action']!r} from {row['from_state']!r} to {row['to_state']!r} "
            f"is not in the flow (case {row['case_id']})"
        )
    for action, allowed in _REASON_LISTS.items():
        wrong = events.filter((pl.col("action") == action) & ~pl.col("reason").is_in(allowed))
        if not wrong.is_empty():
            found = sorted(set(wrong.get_column("reason").to_list()))[:5]
            raise ValueError(
                f"events: {action!r} needs a reason from its fixed list "
                f"({', '.join(sorted(allowed))}); found {found} (case(s) {_ids(wrong)})"
            )

    events = events.sort("case_id", "seq")
    previous = pl.col("to_state").shift(1).over("case_id").fill_null(State.REGISTERED.value)
    broken = events.filter(pl.col("from_state") != previous)
    if not broken.is_empty():
        raise ValueError(
            "events: each case's moves must form a chain from 'registered' in seq order "
            f"(a move's from_state is the previous move's to_state); broken for {_ids(broken)}"
        )
    last = events.group_by("case_id").agg(pl.col("to_state").last().alias("_last"))
    mismatch = (
        cases.select("case_id", "state")
        .join(last, on="case_id", how="left")
        .filter(pl.col("state") != pl.col("_last").fill_null(State.REGISTERED.value))
    )
    if not mismatch.is_empty():
        raise ValueError(
            f"cases: state differs from where the case's events lead for {_ids(mismatch)}"
        )
    decision = pl.col("reason").filter(pl.col("action") == Action.OM_DECIDE.value).last()
    court = pl.col("action") == Action.COURT_OUTCOME.value
    unsummoned = (
        events.group_by("case_id")
        .agg(court.any().alias("_court"), decision.alias("_decision"))
        .filter(pl.col("_court") & (pl.col("_decision").fill_null("") != "summons"))
    )
    if not unsummoned.is_empty():
        raise ValueError(f"events: a court outcome without a summons for {_ids(unsummoned)}")
    return cases, events


def _check_arguments(level: str, period: str, by: str) -> None:
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}, got {level!r}")
    if period not in PERIODS:
        raise ValueError(f"period must be one of {', '.join(PERIODS)}, got {period!r}")
    if by not in GROUPINGS:
        raise ValueError(f"by must be one of {', '.join(GROUPINGS)}, got {by!r}")


# --------------------------------------------------------------------------------------------
# Per case


def _stages(cases: pl.DataFrame, events: pl.DataFrame) -> pl.DataFrame:
    """:func:`case_stages` on validated frames."""
    action = pl.col("action")
    screening = action.is_in([Action.TAKE_UP.value, Action.REJECT.value])

    def ever(a: Action) -> pl.Expr:
        return (action == a.value).any().alias(a.value)

    def last_reason(a: Action) -> pl.Expr:
        return pl.col("reason").filter(action == a.value).last()

    per_case = events.group_by("case_id").agg(
        screening.any().alias("screened"),
        action.filter(screening).first().alias("first_screening"),
        pl.col("reason").filter(screening).first().alias("first_reject_reason"),
        pl.col("at_utc").filter(screening).first().alias("first_screened_at"),
        ever(Action.TAKE_UP),
        ever(Action.REOPEN),
        ever(Action.TO_ZSM),
        ever(Action.ZSM_SETTLE),
        ever(Action.TERMINATE),
        last_reason(Action.TERMINATE).alias("termination_reason"),
        ever(Action.INVESTIGATE),
        ever(Action.SOLVE),
        ever(Action.TO_OM),
        pl.col("at_utc").filter(action == Action.TO_OM.value).first().alias("first_to_om_at"),
        ever(Action.OM_DECIDE),
        last_reason(Action.OM_DECIDE).alias("om_decision"),
        last_reason(Action.COURT_OUTCOME).alias("court_outcome"),
    )
    flags = {
        Action.TAKE_UP.value: "taken_up",
        Action.REOPEN.value: "reopened",
        Action.TO_ZSM.value: "at_zsm",
        Action.ZSM_SETTLE.value: "settled_zsm",
        Action.TERMINATE.value: "terminated_early",
        Action.INVESTIGATE.value: "under_investigation",
        Action.SOLVE.value: "solved",
        Action.TO_OM.value: "to_om",
        Action.OM_DECIDE.value: "om_decided",
    }
    per_case = per_case.rename(flags)
    booleans = ["screened", *flags.values()]
    df = cases.join(per_case, on="case_id", how="left").with_columns(
        pl.col(booleans).fill_null(False)
    )
    reject = Action.REJECT.value
    return df.with_columns(
        pl.lit(True).alias("registered"),
        (pl.col("screened") & ~pl.col("taken_up")).alias("rejected"),
        (pl.col("first_screening") == reject).fill_null(False).alias("rejected_first"),
        # the reason of the first screening only when it was a rejection
        pl.when(pl.col("first_screening") == reject)
        .then(pl.col("first_reject_reason"))
        .alias("first_reject_reason"),
        (pl.col("om_decision") == "summons").fill_null(False).alias("om_summons"),
        (pl.col("om_decision") == "strafbeschikking").fill_null(False).alias("om_strafbeschikking"),
        (pl.col("om_decision") == "dismissal").fill_null(False).alias("om_dismissal"),
        (pl.col("court_outcome") == "conviction").fill_null(False).alias("convicted"),
        (pl.col("court_outcome") == "acquittal").fill_null(False).alias("acquitted"),
        pl.col("state").is_in([s.value for s in FINAL_STATES]).not_().alias("open"),
    )


def case_stages(cases: pl.DataFrame, events: pl.DataFrame) -> pl.DataFrame:
    """One row per case (ordered by ``case_id``): the case columns plus

    * booleans, one per stage of :data:`STAGES` ("ever reached", see the module doc), and
      ``reopened``, ``rejected_first`` (the first screening was a rejection), ``open`` (the
      current state is not final);
    * ``first_screening`` (``take_up``/``reject``), ``first_reject_reason``,
      ``first_screened_at`` and ``first_to_om_at`` (UTC), ``termination_reason`` (of the last
      termination), ``om_decision``, ``court_outcome`` (null when none);
    * ``reported_utc`` and ``reported_local`` (see :func:`validate`).
    """
    return _stages(*validate(cases, events)).sort("case_id")


# --------------------------------------------------------------------------------------------
# Grouping (the same keys and labels as counting; see the module doc)


def _period_key(period: Period) -> pl.Expr:
    return period_key(pl.col("reported_local"), period)


def _with_keys(
    df: pl.DataFrame, level: Level, period: Period, by: By
) -> tuple[pl.DataFrame, list[str]]:
    """``df`` with the grouping columns (``period`` as a sortable integer) and their names."""
    column = _BY_COLUMN[by]
    keys = ["period", "region", *([column] if column else [])]
    return df.with_columns(_period_key(period), region(level)), keys


def _ratio(part: str | pl.Expr, whole: str | pl.Expr) -> pl.Expr:
    p = pl.col(part) if isinstance(part, str) else part
    w = pl.col(whole) if isinstance(whole, str) else whole
    return pl.when(w > 0).then(p / w).otherwise(None)


# --------------------------------------------------------------------------------------------
# The funnel


def funnel(
    cases: pl.DataFrame,
    events: pl.DataFrame,
    *,
    level: Level = "national",
    period: Period = "year",
    by: By = "none",
) -> pl.DataFrame:
    """Cases that reached each stage, per reporting period, region and (optional) group.

    Columns: ``period`` (label), ``region``, ``category_code`` or ``offence_class`` (when
    ``by`` says so); per stage of :data:`STAGES` its count (Int64), ``<stage>_rate`` (count /
    count of the stage it follows in :data:`STAGES`) and ``<stage>_of_registered`` (count /
    registered); a rate is null where its denominator is 0. Only groups with cases; sorted
    by the grouping columns. The funnel holds along every chain of :data:`STAGES`.
    """
    _check_arguments(level, period, by)
    return funnel_from_counts(case_measures(cases, events), level=level, period=period, by=by)


def _keys_from_counts(level: Level, period: Period, by: By) -> tuple[list[pl.Expr], list[str]]:
    column = _BY_COLUMN[by]
    exprs = [period_key(pl.col("month"), period), region(level)]
    if column:
        exprs.append(pl.col(column))
    return exprs, ["period", "region", *([column] if column else [])]


def funnel_from_counts(
    counts: pl.DataFrame,
    *,
    level: Level = "national",
    period: Period = "year",
    by: By = "none",
) -> pl.DataFrame:
    """:func:`funnel` from case measures (:func:`case_measures`) or summary rows that summed
    them: a ``month`` Date column, the region column of ``level``, the ``by`` column and the
    stage measures. Groups without cases are left out."""
    _check_arguments(level, period, by)
    exprs, keys = _keys_from_counts(level, period, by)
    counted = (
        counts.group_by(exprs)
        .agg(pl.col(name).sum().cast(pl.Int64).alias(name) for name in _STAGE_NAMES)
        .filter(pl.col("registered") > 0)
    )
    rates: list[pl.Expr] = []
    for name, parent in STAGES:
        if parent is not None:
            rates.append(_ratio(name, parent).alias(f"{name}_rate"))
            rates.append(_ratio(name, "registered").alias(f"{name}_of_registered"))
    return counted.with_columns(rates).sort(keys).with_columns(period_label(period))


def terminations(
    cases: pl.DataFrame,
    events: pl.DataFrame,
    *,
    level: Level = "national",
    period: Period = "year",
    by: By = "none",
) -> pl.DataFrame:
    """Early terminations by reason, per reporting period, region and (optional) group.

    One row per group with a screened case and per reason of
    :data:`~regie.selection.flow.TERMINATION_REASONS` (in that order, zeros included).
    Columns: the grouping columns, ``reason``, ``count`` (cases whose last termination had
    this reason), ``share`` (of the group's terminated cases; null when none), and per group
    ``screened`` ("registered and assessed": first screening done), ``terminated`` and
    ``terminated_share`` (terminated / screened: the source's "about 3 %").
    """
    _check_arguments(level, period, by)
    return terminations_from_counts(case_measures(cases, events), level=level, period=period, by=by)


def terminations_from_counts(
    counts: pl.DataFrame,
    *,
    level: Level = "national",
    period: Period = "year",
    by: By = "none",
) -> pl.DataFrame:
    """:func:`terminations` from case measures or summary rows (see
    :func:`funnel_from_counts`; needs ``screened``, ``terminated_early`` and the
    ``terminated_<reason>`` measures)."""
    _check_arguments(level, period, by)
    exprs, keys = _keys_from_counts(level, period, by)
    reason_columns = [f"terminated_{r}" for r in TERMINATION_REASONS]
    sums = (
        counts.group_by(exprs)
        .agg(
            pl.col("screened").sum().cast(pl.Int64),
            pl.col("terminated_early").sum().cast(pl.Int64).alias("terminated"),
            *(pl.col(c).sum().cast(pl.Int64) for c in reason_columns),
        )
        .filter(pl.col("screened") > 0)
    )
    order = {r: i for i, r in enumerate(TERMINATION_REASONS)}
    return (
        sums.unpivot(
            on=reason_columns,
            index=[*keys, "screened", "terminated"],
            variable_name="reason",
            value_name="count",
        )
        .with_columns(
            pl.col("reason").str.strip_prefix("terminated_"),
            _ratio("count", "terminated").alias("share"),
            _ratio("terminated", "screened").alias("terminated_share"),
        )
        .with_columns(pl.col("reason").replace_strict(order, return_dtype=pl.Int64).alias("_order"))
        .sort([*keys, "_order"])
        .select(*keys, "reason", "count", "share", "screened", "terminated", "terminated_share")
        .with_columns(period_label(period))
    )


def _hours(later: pl.Expr, earlier: pl.Expr) -> pl.Expr:
    return (later - earlier).dt.total_microseconds() / 3_600_000_000


def _screening_deadline(df: pl.DataFrame) -> pl.Expr:
    """The first-screening deadline (naive Amsterdam time) of each case, by
    :func:`~regie.selection.deadlines.screening_due` on its local report time. The deadline
    moves the date only, so it is computed once per report date."""
    dates = df.get_column("reported_local").dt.date().unique().drop_nulls().to_list()
    due = {d: screening_due(dt.datetime.combine(d, dt.time())).date() for d in dates}
    due_date = (
        pl.col("reported_local")
        .dt.date()
        .replace_strict(list(due), list(due.values()), return_dtype=pl.Date)
    )
    return due_date.dt.combine(pl.col("reported_local").dt.time(), "us")


def _zsm_visits(events: pl.DataFrame) -> pl.DataFrame:
    """One row per move to ZSM (validated events): ``case_id`` and ``_zsm_h``, the elapsed
    hours until the OM liaison decided (settled or returned; null while undecided)."""
    decided = [Action.ZSM_SETTLE.value, Action.ZSM_RETURN.value]
    return (
        events.with_columns(
            pl.col("action").shift(-1).over("case_id").alias("_next"),
            pl.col("at_utc").shift(-1).over("case_id").alias("_next_at"),
        )
        .filter(pl.col("action") == Action.TO_ZSM.value)
        .with_columns(
            pl.when(pl.col("_next").is_in(decided))
            .then(_hours(pl.col("_next_at"), pl.col("at_utc")))
            .alias("_zsm_h")
        )
    )


def lead_times(
    cases: pl.DataFrame,
    events: pl.DataFrame,
    *,
    level: Level = "national",
    period: Period = "year",
    by: By = "none",
) -> pl.DataFrame:
    """Lead times per reporting period, region and (optional) group.

    Columns (medians and quantiles linear-interpolated; null where there is nothing to
    measure):

    * ``registered``;
    * ``screened``, ``screening_hours_median``, ``screening_hours_p90``: elapsed hours from
      the report to the first screening decision (take up or reject);
      ``screened_in_time`` / ``screened_in_time_share``: first screening at or before the
      deadline of 3 working days (:func:`~regie.selection.deadlines.screening_due` on the
      Amsterdam report time: same clock time, weekends and general holidays skipped), of
      the screened cases (cases still waiting are not in the share);
    * ``zsm_visits`` (moves to ZSM; a case can go more than once), ``zsm_decided`` (visits
      ended by the OM liaison: settled or returned), ``zsm_hours_median``,
      ``zsm_in_time`` / ``zsm_in_time_share``: decided within 6 hours elapsed time
      (:data:`~regie.selection.deadlines.ZSM_DECISION`), of the decided visits;
    * ``to_om``, ``days_to_om_median``: elapsed days from the report to the first hand-over
      to the OM.
    """
    _check_arguments(level, period, by)
    cases, events = validate(cases, events)
    stages = _stages(cases, events)
    df, keys = _with_keys(stages, level, period, by)
    screened_local = _local(pl.col("first_screened_at"))
    df = df.with_columns(
        _hours(pl.col("first_screened_at"), pl.col("reported_utc")).alias("_screen_h"),
        (screened_local <= _screening_deadline(df)).alias("_in_time"),
        (_hours(pl.col("first_to_om_at"), pl.col("reported_utc")) / 24).alias("_om_days"),
    )
    per_group = df.group_by(keys).agg(
        pl.len().cast(pl.Int64).alias("registered"),
        pl.col("screened").sum().cast(pl.Int64),
        pl.col("_screen_h").median().alias("screening_hours_median"),
        pl.col("_screen_h").quantile(0.9, "linear").alias("screening_hours_p90"),
        pl.col("_in_time").sum().cast(pl.Int64).alias("screened_in_time"),
        pl.col("to_om").sum().cast(pl.Int64),
        pl.col("_om_days").median().alias("days_to_om_median"),
    )

    visits = _zsm_visits(events).join(df.select("case_id", *keys), on="case_id")
    limit = ZSM_DECISION.total_seconds() / 3600
    zsm = visits.group_by(keys).agg(
        pl.len().cast(pl.Int64).alias("zsm_visits"),
        pl.col("_zsm_h").count().cast(pl.Int64).alias("zsm_decided"),
        pl.col("_zsm_h").median().alias("zsm_hours_median"),
        (pl.col("_zsm_h") <= limit).sum().cast(pl.Int64).alias("zsm_in_time"),
    )
    return (
        per_group.join(zsm, on=keys, how="left")
        .with_columns(pl.col("zsm_visits", "zsm_decided", "zsm_in_time").fill_null(0))
        .with_columns(
            _ratio("screened_in_time", "screened").alias("screened_in_time_share"),
            _ratio("zsm_in_time", "zsm_decided").alias("zsm_in_time_share"),
        )
        .select(
            *keys,
            "registered",
            "screened",
            "screening_hours_median",
            "screening_hours_p90",
            "screened_in_time",
            "screened_in_time_share",
            "zsm_visits",
            "zsm_decided",
            "zsm_hours_median",
            "zsm_in_time",
            "zsm_in_time_share",
            "to_om",
            "days_to_om_median",
        )
        .sort(keys)
        .with_columns(period_label(period))
    )


# --------------------------------------------------------------------------------------------
# Per-case measures: the unit the summary tables sum

#: Durations summed per group (Float64); every other measure is an Int64 count.
DURATION_MEASURES: Final = ("screening_hours", "zsm_hours", "om_days")

#: The additive measures of one case (:func:`case_measures`). Summed over any grouping they
#: give the funnel, the terminations, the standing report and the lead-time shares of that
#: grouping (``*_from_counts``); medians are not additive and stay with :func:`lead_times`.
CASE_MEASURES: Final = (
    *_STAGE_NAMES,
    "rejected_first",
    "rejected_first_insufficient_leads",
    "reopened",
    *(f"terminated_{reason}" for reason in TERMINATION_REASONS),
    "screened_in_time",
    "screening_hours",
    "zsm_visits",
    "zsm_decided",
    "zsm_in_time",
    "zsm_hours",
    "om_days",
    "advised_screenings",
    "screenings_following_advice",
    "reviews",
    "reviews_correct",
)

#: Optional frame of quality reviews (``selection.QualityReview``): one row per review.
REVIEW_SCHEMA: Final = pl.Schema({"case_id": pl.Int64(), "correct": pl.Boolean()})


def case_measures(
    cases: pl.DataFrame, events: pl.DataFrame, reviews: pl.DataFrame | None = None
) -> pl.DataFrame:
    """One row per case (ordered by ``case_id``) with its additive measures.

    Columns: ``case_id``, ``month`` (Date: first day of the Amsterdam reporting month), the
    region columns, ``category_code``, ``offence_class``, ``confidentiality`` when the cases
    have it, and :data:`CASE_MEASURES`:

    * one 0/1 per stage of :data:`STAGES` (as :func:`case_stages`), ``rejected_first``,
      ``rejected_first_insufficient_leads``, ``reopened``, ``terminated_<reason>`` (1 for
      the reason of the last termination);
    * ``screened_in_time`` (first screening by the 3-working-day deadline) and
      ``screening_hours`` (elapsed hours to the first screening; 0 when not screened);
      ``zsm_visits``, ``zsm_decided``, ``zsm_in_time`` (decided within 6 hours),
      ``zsm_hours`` (hours of the decided visits); ``om_days`` (days from the report to the
      first hand-over to the OM; 0 when none);
    * ``advised_screenings`` / ``screenings_following_advice``: screening decisions (take up
      or reject) made with a take-up or reject advice, and those that followed it (from the
      optional event column ``follows_advice``, Boolean, null when there was no such advice);
    * ``reviews`` / ``reviews_correct``: quality reviews of the case's moves and those that
      found the framework applied correctly (from ``reviews``, :data:`REVIEW_SCHEMA`).
    """
    cases, events = validate(cases, events)
    stages = _stages(cases, events)
    screened_local = _local(pl.col("first_screened_at"))
    stages = stages.with_columns(
        _hours(pl.col("first_screened_at"), pl.col("reported_utc"))
        .fill_null(0.0)
        .alias("screening_hours"),
        (screened_local <= _screening_deadline(stages)).fill_null(False).alias("screened_in_time"),
        (_hours(pl.col("first_to_om_at"), pl.col("reported_utc")) / 24)
        .fill_null(0.0)
        .alias("om_days"),
        (pl.col("first_reject_reason") == "insufficient_leads")
        .fill_null(False)
        .alias("rejected_first_insufficient_leads"),
        *(
            (pl.col("terminated_early") & (pl.col("termination_reason") == reason))
            .fill_null(False)
            .alias(f"terminated_{reason}")
            for reason in TERMINATION_REASONS
        ),
    )
    limit = ZSM_DECISION.total_seconds() / 3600
    zsm = (
        _zsm_visits(events)
        .group_by("case_id")
        .agg(
            pl.len().cast(pl.Int64).alias("zsm_visits"),
            pl.col("_zsm_h").count().cast(pl.Int64).alias("zsm_decided"),
            (pl.col("_zsm_h") <= limit).sum().cast(pl.Int64).alias("zsm_in_time"),
            pl.col("_zsm_h").sum().alias("zsm_hours"),
        )
    )
    screening = [Action.TAKE_UP.value, Action.REJECT.value]
    if "follows_advice" in events.columns:
        advised = (
            events.filter(
                pl.col("action").is_in(screening) & pl.col("follows_advice").is_not_null()
            )
            .group_by("case_id")
            .agg(
                pl.len().cast(pl.Int64).alias("advised_screenings"),
                pl.col("follows_advice").cast(pl.Int64).sum().alias("screenings_following_advice"),
            )
        )
    else:
        advised = pl.DataFrame(
            schema={
                "case_id": pl.Int64(),
                "advised_screenings": pl.Int64(),
                "screenings_following_advice": pl.Int64(),
            }
        )
    if reviews is None:
        reviews = pl.DataFrame(schema=REVIEW_SCHEMA)
    reviews = _check_columns(reviews, REVIEW_SCHEMA, frozenset(), "reviews")
    reviewed = reviews.group_by("case_id").agg(
        pl.len().cast(pl.Int64).alias("reviews"),
        pl.col("correct").cast(pl.Int64).sum().alias("reviews_correct"),
    )
    df = (
        stages.join(zsm, on="case_id", how="left")
        .join(advised, on="case_id", how="left")
        .join(reviewed, on="case_id", how="left")
    )
    counts = [m for m in CASE_MEASURES if m not in DURATION_MEASURES]
    extra = [c for c in ("confidentiality",) if c in df.columns]
    return (
        df.with_columns(
            pl.col("reported_local").dt.date().dt.truncate("1mo").alias("month"),
            *(pl.col(m).cast(pl.Int64).fill_null(0) for m in counts),
            *(pl.col(m).cast(pl.Float64).fill_null(0.0) for m in DURATION_MEASURES),
        )
        .select(
            "case_id",
            "month",
            *REGION_COLUMNS,
            "category_code",
            "offence_class",
            *extra,
            *CASE_MEASURES,
        )
        .sort("case_id")
    )


def lead_times_from_counts(
    counts: pl.DataFrame,
    *,
    level: Level = "national",
    period: Period = "year",
    by: By = "none",
) -> pl.DataFrame:
    """Lead times, deadline breaches and framework compliance from case measures or summary
    rows (see :func:`funnel_from_counts`). Means, not medians (medians do not add up; see
    :func:`lead_times` for those on case frames).

    Columns: the grouping columns; ``registered``, ``screened``, ``screened_in_time``,
    ``screened_late`` (breaches of the 3-working-day deadline), ``screened_in_time_share``,
    ``screening_hours_mean``; ``zsm_visits``, ``zsm_decided``, ``zsm_in_time``, ``zsm_late``,
    ``zsm_in_time_share``, ``zsm_hours_mean``; ``to_om``, ``days_to_om_mean``;
    ``advised_screenings``, ``screenings_following_advice``, ``advice_followed_share``;
    ``reviews``, ``reviews_correct``, ``review_rate`` (reviews per screened case) and
    ``reviews_correct_share``.
    """
    _check_arguments(level, period, by)
    exprs, keys = _keys_from_counts(level, period, by)
    summed = [
        "registered",
        "screened",
        "screened_in_time",
        "screening_hours",
        "zsm_visits",
        "zsm_decided",
        "zsm_in_time",
        "zsm_hours",
        "to_om",
        "om_days",
        "advised_screenings",
        "screenings_following_advice",
        "reviews",
        "reviews_correct",
    ]
    return (
        counts.group_by(exprs)
        .agg(
            pl.col(c).sum().cast(pl.Float64 if c in DURATION_MEASURES else pl.Int64) for c in summed
        )
        .filter(pl.col("registered") > 0)
        .with_columns(
            (pl.col("screened") - pl.col("screened_in_time")).alias("screened_late"),
            _ratio("screened_in_time", "screened").alias("screened_in_time_share"),
            _ratio("screening_hours", "screened").alias("screening_hours_mean"),
            (pl.col("zsm_decided") - pl.col("zsm_in_time")).alias("zsm_late"),
            _ratio("zsm_in_time", "zsm_decided").alias("zsm_in_time_share"),
            _ratio("zsm_hours", "zsm_decided").alias("zsm_hours_mean"),
            _ratio("om_days", "to_om").alias("days_to_om_mean"),
            _ratio("screenings_following_advice", "advised_screenings").alias(
                "advice_followed_share"
            ),
            _ratio("reviews", "screened").alias("review_rate"),
            _ratio("reviews_correct", "reviews").alias("reviews_correct_share"),
        )
        .drop("screening_hours", "zsm_hours", "om_days")
        .sort(keys)
        .with_columns(period_label(period))
    )


# --------------------------------------------------------------------------------------------
# The standing report


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _sub_block(df: pl.DataFrame, all_terminated: int) -> dict[str, Any]:
    """Screening and termination figures of one slice of a year's cases."""
    n = df.select(
        pl.col("screened").sum().alias("assessed"),
        pl.col("rejected_first").sum().alias("rejected_first_screening"),
        pl.col("rejected_first_insufficient_leads").sum(),
        pl.col("terminated_early").sum().alias("terminated"),
        pl.col("terminated_insufficient_leads").sum(),
    ).row(0, named=True)
    n = {k: int(v or 0) for k, v in n.items()}
    return {
        **n,
        "rejected_first_share": _share(n["rejected_first_screening"], n["assessed"]),
        "rejected_first_insufficient_leads_share": _share(
            n["rejected_first_insufficient_leads"], n["assessed"]
        ),
        "terminated_early_share": _share(n["terminated"], n["assessed"]),
        "termination_insufficient_leads_share": _share(
            n["terminated_insufficient_leads"], n["terminated"]
        ),
        "share_of_terminations": _share(n["terminated"], all_terminated),
    }


def _year_block(df: pl.DataFrame) -> dict[str, Any]:
    total = _sub_block(df, 0)
    terminated = total["terminated"]
    total.pop("share_of_terminations")
    reasons = {
        reason: int(df.get_column(f"terminated_{reason}").sum() or 0)
        for reason in TERMINATION_REASONS
    }
    by_class = {
        cls: _sub_block(df.filter(pl.col("offence_class") == cls), terminated)
        for cls in OFFENCE_CLASSES
    }
    district = pl.col("offence_class").is_in(sorted(DISTRICT_DETECTIVE_CLASSES))
    by_team = {
        "base_teams": _sub_block(df.filter(~district), terminated),
        "district_detectives": _sub_block(df.filter(district), terminated),
    }
    vvc, hic = by_class["vvc"], by_class["hic"]
    n = df.select(
        pl.col("registered").sum(),
        pl.col("under_investigation").sum().alias("investigated"),
        pl.col("solved").sum(),
        pl.col("om_summons").sum().alias("summoned"),
        (pl.col("convicted") + pl.col("acquitted")).sum().alias("summoned_decided"),
        pl.col("convicted").sum(),
    ).row(0, named=True)
    n = {k: int(v or 0) for k, v in n.items()}
    return {
        "registered": n["registered"],
        **total,
        "termination_reasons": reasons,
        "termination_vvc_share": vvc["share_of_terminations"],
        "by_offence_class": by_class,
        "vvc_vs_hic": {
            "vvc_terminated_early_share": vvc["terminated_early_share"],
            "hic_terminated_early_share": hic["terminated_early_share"],
            "vvc_rejected_first_share": vvc["rejected_first_share"],
            "hic_rejected_first_share": hic["rejected_first_share"],
        },
        "by_team_type": by_team,
        "investigated": n["investigated"],
        "solved": n["solved"],
        "solved_share_investigated": _share(n["solved"], n["investigated"]),
        "summoned": n["summoned"],
        "summoned_decided": n["summoned_decided"],
        "convicted": n["convicted"],
        "conviction_share": _share(n["convicted"], n["summoned_decided"]),
    }


#: The shares of a year block compared year on year (``standing_report()["change"]``).
_CHANGE_KEYS: Final = (
    "terminated_early_share",
    "termination_insufficient_leads_share",
    "termination_vvc_share",
    "rejected_first_share",
    "solved_share_investigated",
    "conviction_share",
)


def _difference(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a - b


_DEFINITIONS: Final[Mapping[str, str]] = {
    "cohort": "cases by the year they were reported in (Europe/Amsterdam)",
    "assessed": "registered cases whose first screening is done (taken up or rejected)",
    "terminated": "cases terminated early at least once, by the reason of the last termination",
    "district_detectives": "offence class hic or undermining (Regie has no district-detective "
    "role; in the police these cases go to the district detectives); base_teams: vvc and other",
    "conviction_share": "convictions / court outcomes of summoned cases (pending ones left out)",
}


def standing_report(cases: pl.DataFrame, events: pl.DataFrame, *, year: int) -> dict[str, Any]:
    """The source's analysis for the cases reported in ``year`` and in ``year - 1``.

    Returns ``{"year", "previous_year", "current", "previous", "change", "definitions"}``;
    ``current``/``previous`` hold per year (shares are fractions, None where the
    denominator is 0):

    * ``registered``; ``assessed`` ("registered and assessed": first screening done);
      ``rejected_first_screening``/``rejected_first_share`` (first screening a rejection,
      of assessed) and ``..._insufficient_leads...`` (idem for insufficient leads);
    * ``terminated`` (cases terminated early at least once), ``terminated_early_share``
      (of assessed: the source's ~3 %), ``terminated_insufficient_leads`` and
      ``termination_insufficient_leads_share`` (of terminated, by the last termination's
      reason: the source's three quarters), ``termination_reasons`` (count per reason),
      ``termination_vvc_share`` (VVC cases among the terminated);
    * ``by_offence_class`` (per class the same screening and termination figures plus
      ``share_of_terminations``), ``vvc_vs_hic`` (the comparison in short);
    * ``by_team_type``: ``base_teams`` vs ``district_detectives`` by
      :data:`DISTRICT_DETECTIVE_CLASSES` (a mapping by offence class; see there);
    * ``investigated``, ``solved``, ``solved_share_investigated``; ``summoned``,
      ``summoned_decided`` (summoned cases with a court outcome), ``convicted``,
      ``conviction_share`` (convicted / summoned_decided; cases awaiting the court left out).

    ``change`` is ``current - previous`` of the main shares (fractions; None when either is).
    """
    if isinstance(year, bool) or not isinstance(year, int):
        raise ValueError(f"year must be an integer, got {year!r}")
    return standing_report_from_counts(case_measures(cases, events), year=year)


def standing_report_from_counts(counts: pl.DataFrame, *, year: int) -> dict[str, Any]:
    """:func:`standing_report` from case measures or summary rows that summed them (a
    ``month`` Date column, ``offence_class`` and the measures)."""
    if isinstance(year, bool) or not isinstance(year, int):
        raise ValueError(f"year must be an integer, got {year!r}")
    counts = counts.with_columns(pl.col("month").dt.year().alias("_year"))
    current = _year_block(counts.filter(pl.col("_year") == year))
    previous = _year_block(counts.filter(pl.col("_year") == year - 1))
    return {
        "year": year,
        "previous_year": year - 1,
        "current": current,
        "previous": previous,
        "change": {k: _difference(current[k], previous[k]) for k in _CHANGE_KEYS},
        "definitions": dict(_DEFINITIONS),
    }
