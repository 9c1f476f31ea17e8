"""The Splink model: comparisons, blocking, training and scoring behind a small interface.

Pure Python (pandas + Splink), no Django. :class:`EntityResolver` wraps one Splink
``Linker`` over one prepared frame (deduplication) or two (linking); the engine is chosen by
name (:data:`Engine`): ``"duckdb"`` (default, in process) or ``"spark"`` (Splink's Spark
backend, for a configured cluster: pass ``spark_session``).

Model (Fellegi-Sunter)
======================
Each comparison has ordered levels; the first level that holds decides the evidence (its
m/u match weight). Exact-match levels of names and text fields carry **term-frequency
adjustments**: agreeing on "Jansen" weighs less than agreeing on "Zwagerman".

* Surname: null · equal *with* particle · equal *without* particle ("van der Berg" ~
  "Berg") · in the other's first-name field (swapped names) · Jaro-Winkler >= 0.92 · same
  Double Metaphone code · Jaro-Winkler >= 0.80 · else.
* First name: null · equal · in the other's surname field (swapped) · Jaro-Winkler >= 0.92
  · same Double Metaphone code · an initial that agrees ("j" ~ "jan") · Jaro-Winkler >=
  0.80 · else.
* Date of birth (``YYYYMMDD`` strings): null · equal · day and month swapped · one edit
  (Damerau-Levenshtein <= 1: one wrong digit or two adjacent digits swapped) · same year and
  month · same year · else.
* Codes (postcodes, numbers): null · equal (tf) · Damerau-Levenshtein <= 1 · else.
* Text: null · equal (tf) · Jaro-Winkler >= 0.92 · Jaro-Winkler >= 0.80 · else.

Training (:meth:`EntityResolver.train`, deterministic for a given seed): the prior
(``probability_two_random_records_match``) from deterministic rules with an assumed recall
of 0.7 (when they find no pair at all, 1 / number of records); u by random sampling with a
fixed seed; m by expectation maximisation in two sessions with different blocking, so every
comparison is estimated at least once while it is not blocked on (a session that fails, for
instance on a block without pairs, is skipped and the model is left as before it): block
on date of birth (estimates the names and the other fields; with more than
``EM_DOB_ALONE_MAX_RECORDS`` records on date of birth and the first other field) and on
first name + surname (estimates the date of birth and the other fields).

Thresholds (match probability)
==============================
``MATCH_THRESHOLD = 0.90``
    At or above it a pair is judged the same entity (``dedupe_file``, clusters). On the
    FEBRL sets F1 is flat between about 0.8 and 0.97 (see ``benchmarks/entity_resolution.py``);
    0.90 is on the conservative side of that plateau, because a wrong link in a police
    register costs more than a missed one that the review queue can still find.
``REVIEW_THRESHOLD = 0.50``
    Pairs from 0.50 up to ``MATCH_THRESHOLD`` are uncertain: they go to the human review
    queue (:meth:`EntityResolver.resolve` returns them with their probability) and are not
    linked. Below 0.50 a pair is more likely different than the same and is dropped.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

import pandas as pd
from splink import Linker, block_on
from splink.internals.blocking_rule_creator import BlockingRuleCreator
from splink.internals.comparison_creator import ComparisonCreator

from regie.intelligence.er.prepare import (
    SOURCE_DATASET,
    UNIQUE_ID,
    Role,
    Schema,
    prepare_frame,
)

#: The engines (Splink backends) that :class:`EntityResolver` can run on.
Engine = Literal["duckdb", "spark"]
LinkType = Literal["dedupe_only", "link_only"]
ENGINES: Final[tuple[str, ...]] = ("duckdb", "spark")

MATCH_THRESHOLD: Final = 0.90
REVIEW_THRESHOLD: Final = 0.50
#: Assumed recall of the deterministic rules that estimate the prior.
PRIOR_RECALL: Final = 0.7
#: Random pairs sampled to estimate u (more is more accurate and slower).
U_MAX_PAIRS: Final = 2e6
DEFAULT_SEED: Final = 42
#: Above this many records EM blocks on date of birth and the first other field, not on
#: date of birth alone (which gives too many pairs).
EM_DOB_ALONE_MAX_RECORDS: Final = 200_000

#: The names of the two inputs when linking (``source_dataset``), left first.
LEFT, RIGHT = "a_left", "b_right"

MAX_FIELDS_PAIRED_WITH_NAMES: Final = 6
JW_HIGH: Final = 0.92
JW_LOW: Final = 0.80

_log = logging.getLogger(__name__)


# --------------------------------------------------------------------------------------------
# Comparisons and blocking
# --------------------------------------------------------------------------------------------


def _level(
    sql: str,
    label: str,
    *,
    tf: str | None = None,
    null: bool = False,
) -> dict[str, Any]:
    level: dict[str, Any] = {"sql_condition": sql, "label_for_charts": label}
    if tf:
        level["tf_adjustment_column"] = tf
        level["tf_adjustment_weight"] = 1.0
    if null:
        level["is_null_level"] = True
    return level


def _null(*cols: str) -> dict[str, Any]:
    sql = " OR ".join(f"{c}_l IS NULL OR {c}_r IS NULL" for c in cols)
    return _level(sql, "null", null=True)


_ELSE: Final = {"sql_condition": "ELSE", "label_for_charts": "else"}


#: The Jaro-Winkler similarity function per engine (Splink's Spark jar names it differently).
JW_FUNCTION: Final[dict[str, str]] = {"duckdb": "jaro_winkler_similarity", "spark": "jaro_winkler"}


def _jw(col: str, threshold: float, engine: str = "duckdb") -> str:
    return f"{JW_FUNCTION[engine]}({col}_l, {col}_r) >= {threshold}"


def surname_comparison(engine: str = "duckdb") -> dict[str, Any]:
    return {
        "output_column_name": "surname",
        "comparison_levels": [
            _null("surname"),
            _level("surname_full_l = surname_full_r", "equal", tf="surname_full"),
            _level("surname_l = surname_r", "equal without particle", tf="surname"),
            _level("surname_l = first_name_r OR first_name_l = surname_r", "swapped"),
            _level(_jw("surname", JW_HIGH, engine), f"jaro-winkler >= {JW_HIGH}"),
            _level("surname_dm_l = surname_dm_r", "double metaphone"),
            _level(_jw("surname", JW_LOW, engine), f"jaro-winkler >= {JW_LOW}"),
            _ELSE,
        ],
    }


def first_name_comparison(engine: str = "duckdb") -> dict[str, Any]:
    initial = (
        "(length(first_name_l) = 1 OR length(first_name_r) = 1) AND "
        "substr(first_name_l, 1, 1) = substr(first_name_r, 1, 1)"
    )
    return {
        "output_column_name": "first_name",
        "comparison_levels": [
            _null("first_name"),
            _level("first_name_l = first_name_r", "equal", tf="first_name"),
            _level("first_name_l = surname_r OR surname_l = first_name_r", "swapped"),
            _level(_jw("first_name", JW_HIGH, engine), f"jaro-winkler >= {JW_HIGH}"),
            _level("first_name_dm_l = first_name_dm_r", "double metaphone"),
            _level(initial, "initial"),
            _level(_jw("first_name", JW_LOW, engine), f"jaro-winkler >= {JW_LOW}"),
            _ELSE,
        ],
    }


def dob_comparison() -> dict[str, Any]:
    swapped = (
        "substr(dob_l, 1, 4) = substr(dob_r, 1, 4) AND "
        "substr(dob_l, 5, 2) = substr(dob_r, 7, 2) AND "
        "substr(dob_l, 7, 2) = substr(dob_r, 5, 2)"
    )
    return {
        "output_column_name": "dob",
        "comparison_levels": [
            _null("dob"),
            _level("dob_l = dob_r", "equal"),
            _level(swapped, "day and month swapped"),
            _level("damerau_levenshtein(dob_l, dob_r) <= 1", "one digit"),
            _level("substr(dob_l, 1, 6) = substr(dob_r, 1, 6)", "same year and month"),
            _level("substr(dob_l, 1, 4) = substr(dob_r, 1, 4)", "same year"),
            _ELSE,
        ],
    }


def other_comparison(col: str, role: Role, engine: str = "duckdb") -> dict[str, Any]:
    if role == Role.CODE:
        levels = [
            _null(col),
            _level(f"{col}_l = {col}_r", "equal", tf=col),
            _level(f"damerau_levenshtein({col}_l, {col}_r) <= 1", "one edit"),
            _ELSE,
        ]
    else:
        levels = [
            _null(col),
            _level(f"{col}_l = {col}_r", "equal", tf=col),
            _level(_jw(col, JW_HIGH, engine), f"jaro-winkler >= {JW_HIGH}"),
            _level(_jw(col, JW_LOW, engine), f"jaro-winkler >= {JW_LOW}"),
            _ELSE,
        ]
    return {"output_column_name": col, "comparison_levels": levels}


Rule = BlockingRuleCreator | dict[str, Any]


def prediction_blocking_rules(schema: Schema) -> list[Rule]:
    """Which pairs are scored at all (a pair meeting any rule is scored once).

    Names: same first name and surname; same Double Metaphone codes of both; swapped names.
    With a date of birth: same date and surname, same date and first name (a typo in one
    name is still found). Other fields (the first ``MAX_FIELDS_PAIRED_WITH_NAMES``): the date
    of birth with any of them, the surname or first name with a code (postcode, house
    number; text fields such as a city are too coarse for that), and each two adjacent
    other fields (postcode and house number), so records with both names mistyped or
    swapped with a typo are still compared."""
    rules: list[Rule] = []
    if schema.has_names:
        rules += [
            block_on("first_name", "surname"),
            block_on("first_name_dm", "surname_dm"),
            {"blocking_rule": "l.first_name = r.surname AND l.surname = r.first_name"},
        ]
    if schema.has_date_of_birth:
        if schema.has_surname:
            rules.append(block_on("dob", "surname"))
        if schema.has_first_name:
            rules.append(block_on("dob", "first_name"))
        if not (schema.has_surname or schema.has_first_name):
            rules.append(block_on("dob"))
    others = [c for c, _ in schema.others]
    for col, role in schema.others[:MAX_FIELDS_PAIRED_WITH_NAMES]:
        if schema.has_date_of_birth:
            rules.append(block_on("dob", col))
        if role == Role.CODE and schema.has_surname:
            rules.append(block_on("surname", col))
        if role == Role.CODE and schema.has_first_name:
            rules.append(block_on("first_name", col))
    rules += [block_on(a, b) for a, b in itertools.pairwise(others)]
    if not rules and others:
        rules.append(block_on(others[0]))
    return rules


def build_settings(
    schema: Schema,
    link_type: LinkType,
    engine: Engine = "duckdb",
    blocking: Sequence[str] = (),
) -> dict[str, Any]:
    """The Splink settings (untrained) for a schema; ``link_type`` as Splink's. The level
    conditions are written in SQL that DuckDB and Spark both read. ``blocking``: SQL rules
    (``l.col``/``r.col`` over the prepared columns) instead of the ones derived from the
    schema."""
    comparisons: list[ComparisonCreator | dict[str, Any]] = []
    if schema.has_first_name:
        comparisons.append(first_name_comparison(engine))
    if schema.has_surname:
        comparisons.append(surname_comparison(engine))
    if schema.has_date_of_birth:
        comparisons.append(dob_comparison())
    comparisons += [other_comparison(c, r, engine) for c, r in schema.others]
    from splink import SettingsCreator

    creator = SettingsCreator(
        link_type=link_type,
        unique_id_column_name=UNIQUE_ID,
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=(
            [{"blocking_rule": rule} for rule in blocking]
            if blocking
            else prediction_blocking_rules(schema)
        ),
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )
    settings: dict[str, Any] = creator.get_settings(engine).as_dict()
    return settings


def make_db_api(engine: str, spark_session: Any = None) -> Any:
    """The Splink database API of an engine."""
    if engine == "duckdb":
        from splink import DuckDBAPI

        return DuckDBAPI()
    if engine == "spark":
        if spark_session is None:
            raise ValueError('engine="spark" needs a spark_session (a configured SparkSession)')
        from splink import SparkAPI

        return SparkAPI(spark_session=spark_session)
    raise ValueError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")


# --------------------------------------------------------------------------------------------
# The resolver
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Resolution:
    """The outcome of a batch run."""

    #: Pairs judged the same entity: id_l, id_r, match_probability (>= match threshold).
    matches: pd.DataFrame
    #: Uncertain pairs for the human review queue: id_l, id_r, match_probability.
    review: pd.DataFrame
    #: Every record with its cluster: id, cluster_id (clusters of the matches).
    clusters: pd.DataFrame


@dataclass(frozen=True)
class Candidate:
    """A record of the index proposed for a new record."""

    id: str
    match_probability: float
    #: The comparison level per comparison ("surname": "equal without particle", ...).
    levels: dict[str, str]


class EntityResolver:
    """Entity resolution over one set of records (dedupe) or two (link).

    >>> resolver = EntityResolver.from_records(df, "id", ["first_name", "surname", "dob"])
    >>> resolver.train()
    >>> resolution = resolver.resolve()           # batch: matches, review queue, clusters
    >>> resolver.match({"id": "new", ...})         # incremental, on entry

    ``model`` is a trained model (:meth:`model`, JSON-serialisable) to reuse instead of
    training again.
    """

    def __init__(
        self,
        frames: Sequence[pd.DataFrame],
        schema: Schema,
        *,
        id_col: str,
        fields: Sequence[str],
        engine: Engine = "duckdb",
        spark_session: Any = None,
        model: dict[str, Any] | None = None,
        match_threshold: float = MATCH_THRESHOLD,
        review_threshold: float = REVIEW_THRESHOLD,
        blocking: Sequence[str] = (),
        training_blocking: Sequence[str] = (),
    ) -> None:
        if len(frames) not in (1, 2):
            raise ValueError("give one frame (dedupe) or two (link)")
        if not 0 <= review_threshold <= match_threshold <= 1:
            raise ValueError("need 0 <= review_threshold <= match_threshold <= 1")
        self.schema = schema
        self.id_col = id_col
        self.fields = list(fields)
        self.engine = engine
        self.link = len(frames) == 2
        self.match_threshold = match_threshold
        self.review_threshold = review_threshold
        self.blocking = list(blocking)
        #: EM sessions' blocking with own ``blocking``: a comparison is not estimated in a
        #: session that blocks on its column, so similar-identifier blocks cannot train the
        #: identifier comparisons themselves.
        self.training_blocking = list(training_blocking) or self.blocking
        link_type: LinkType = "link_only" if self.link else "dedupe_only"
        settings = (
            dict(model)
            if model is not None
            else build_settings(schema, link_type, engine, self.blocking)
        )
        settings["link_type"] = link_type
        self._db_api = make_db_api(engine, spark_session)
        self._frames = list(frames)
        self._linker = self._new_linker(settings)
        self._trained = model is not None
        self._index_ready = False

    def _new_linker(self, settings: dict[str, Any]) -> Linker:
        return Linker(
            self._frames if self.link else self._frames[0],
            settings,
            self._db_api,
            set_up_basic_logging=False,
            input_table_aliases=[LEFT, RIGHT] if self.link else None,
        )

    @classmethod
    def from_records(
        cls,
        records: pd.DataFrame,
        id_col: str,
        fields: Sequence[str] | None = None,
        *,
        link_with: pd.DataFrame | None = None,
        **kwargs: Any,
    ) -> EntityResolver:
        """Prepare raw records (and a second set to link with) and build the resolver."""
        frame, schema = prepare_frame(records, id_col, fields)
        used = (
            list(fields)
            if fields is not None
            else [c for c in records.reset_index().columns if c != id_col]
        )
        used = [c for c in used if c in records.columns or c == records.index.name]
        frames = [frame]
        if link_with is not None:
            other, other_schema = prepare_frame(link_with, id_col, used)
            if other_schema != schema:
                raise ValueError("the two inputs have different fields")
            frames.append(other)
        return cls(frames, schema, id_col=id_col, fields=used, **kwargs)

    # -- training ------------------------------------------------------------------------

    def train(self, *, seed: int = DEFAULT_SEED, u_max_pairs: float = U_MAX_PAIRS) -> None:
        """Estimate the model's parameters (unsupervised; see the module docstring)."""
        training = self._linker.training
        schema = self.schema
        deterministic: list[str | BlockingRuleCreator]
        if self.blocking:
            # Own blocking (similar identifiers or names) says nothing about matches: the
            # prior stays at one pair in the size of the input (conservative).
            deterministic = []
        elif schema.has_names and schema.has_date_of_birth:
            deterministic = [block_on("first_name", "surname", "dob")]
        else:
            creators = prediction_blocking_rules(schema)
            deterministic = []
            deterministic += [r for r in creators if not isinstance(r, dict)][:2]
        if deterministic:
            training.estimate_probability_two_random_records_match(deterministic, PRIOR_RECALL)
        settings = self._linker._settings_obj
        prior = settings._probability_two_random_records_match
        if not deterministic or not 0 < prior < 1:
            # The deterministic rules found no pair (e.g. no date of birth anywhere).
            sizes = [len(f) for f in self._frames]
            settings._probability_two_random_records_match = 1 / max(2, *sizes)
        training.estimate_u_using_random_sampling(max_pairs=u_max_pairs, seed=seed)
        for rule in self._em_rules():
            before = self.model()
            try:
                training.estimate_parameters_using_expectation_maximisation(
                    rule, fix_u_probabilities=True
                )
            except Exception as error:  # a block without pairs or matches: go on
                name = rule if isinstance(rule, str) else rule.get_blocking_rule("duckdb")
                _log.warning("EM on %s failed, skipped: %s", name, error)
                self._linker = self._new_linker(before)
        self._trained = True

    def _em_rules(self) -> Sequence[BlockingRuleCreator | str]:
        if self.blocking:
            return self.training_blocking
        schema = self.schema
        others = [c for c, _ in schema.others]
        rules: list[BlockingRuleCreator] = []
        if schema.has_date_of_birth:
            # Not on a name: the name comparisons refer to each other (the swapped levels),
            # so blocking on either name would leave both untrained in this session.
            big = sum(len(f) for f in self._frames) > EM_DOB_ALONE_MAX_RECORDS
            if big and others:
                rules.append(block_on("dob", others[0]))
            else:
                rules.append(block_on("dob"))
        if schema.has_names:
            rules.append(block_on("first_name", "surname"))
        elif schema.has_surname:
            rules.append(block_on("surname"))
        if len(rules) < 2:
            rules += [block_on(a, b) for a, b in itertools.pairwise(others)][:2]
            if len(others) == 1:
                rules.append(block_on(others[0]))
        return rules

    def model(self) -> dict[str, Any]:
        """The trained model (Splink settings with parameters), JSON-serialisable."""
        return dict(self._linker.misc.save_model_to_json())

    # -- batch ---------------------------------------------------------------------------

    def _require_trained(self) -> None:
        if not self._trained:
            raise RuntimeError("train the model first (or pass a trained model)")

    def _pairs(self, df: pd.DataFrame) -> pd.DataFrame:
        """id_l, id_r, match_probability; when linking id_l is from the left input."""
        left, right = df["unique_id_l"].astype(str), df["unique_id_r"].astype(str)
        if self.link and f"{SOURCE_DATASET}_l" in df:
            flip = (df[f"{SOURCE_DATASET}_l"] != LEFT).to_numpy()
            left, right = left.where(~flip, right), right.where(~flip, left)
        out = pd.DataFrame(
            {
                "id_l": left.to_numpy(),
                "id_r": right.to_numpy(),
                "match_probability": df["match_probability"].astype(float).to_numpy(),
            }
        )
        return out.sort_values(
            ["match_probability", "id_l", "id_r"], ascending=[False, True, True]
        ).reset_index(drop=True)

    def predict(self, threshold: float | None = None) -> pd.DataFrame:
        """Scored pairs at or above ``threshold`` (default: the review threshold)."""
        self._require_trained()
        limit = self.review_threshold if threshold is None else threshold
        predictions = self._linker.inference.predict(threshold_match_probability=limit)
        df = predictions.as_pandas_dataframe()
        df = df[df["match_probability"] >= limit]
        return self._pairs(df)

    def resolve(self) -> Resolution:
        """Batch: the matches, the review queue and the clusters of all records."""
        self._require_trained()
        predictions = self._linker.inference.predict(
            threshold_match_probability=self.review_threshold
        )
        pairs = self._pairs(predictions.as_pandas_dataframe())
        sure = pairs["match_probability"] >= self.match_threshold
        clusters = self._linker.clustering.cluster_pairwise_predictions_at_threshold(
            predictions, threshold_match_probability=self.match_threshold
        ).as_pandas_dataframe()
        clusters = pd.DataFrame(
            {
                "id": clusters[UNIQUE_ID].astype(str).to_numpy(),
                "cluster_id": clusters["cluster_id"].astype(str).to_numpy(),
            }
        )
        return Resolution(
            matches=pairs[sure].reset_index(drop=True),
            review=pairs[~sure].reset_index(drop=True),
            clusters=clusters.sort_values("id").reset_index(drop=True),
        )

    # -- incremental ---------------------------------------------------------------------

    def prepare_index(self) -> None:
        """Compute what matching single records needs (term-frequency tables) once."""
        self._require_trained()
        for col in self._tf_columns():
            self._linker.table_management.compute_tf_table(col)
        self._index_ready = True

    def _tf_columns(self) -> list[str]:
        cols: list[str] = []
        for comparison in self._linker._settings_obj.comparisons:
            for level in comparison.comparison_levels:
                col = level._tf_adjustment_input_column
                if col is not None and col.unquote().name not in cols:
                    cols.append(col.unquote().name)
        return cols

    def match(self, record: dict[str, Any], *, threshold: float | None = None) -> list[Candidate]:
        """Incremental: the records of the index that a new record may be, best first, with
        probability at or above ``threshold`` (default the review threshold). Uses the
        prediction blocking rules, so only plausible candidates are scored."""
        return self.match_many(pd.DataFrame([record]), threshold=threshold)

    def match_many(
        self, records: pd.DataFrame, *, threshold: float | None = None
    ) -> list[Candidate]:
        """:meth:`match` for several new records at once (raw columns, as the index)."""
        if not self._index_ready:
            self.prepare_index()
        frame, _ = prepare_frame(records, self.id_col, self.fields)
        limit = self.review_threshold if threshold is None else threshold
        settings = self._linker._settings_obj
        rules: list[Rule | str] = [
            r.blocking_rule_sql for r in settings._blocking_rules_to_generate_predictions
        ]
        # The comparison levels (gamma columns, kept with the matching columns) are wanted
        # here, for the reasons shown.
        settings._retain_matching_columns = True
        try:
            found = self._linker.inference.find_matches_to_new_records(
                frame, blocking_rules=rules, match_weight_threshold=-50
            ).as_pandas_dataframe()
        finally:
            settings._retain_matching_columns = False
        found = found[found["match_probability"] >= limit]
        gammas = {
            c.output_column_name: {
                level.comparison_vector_value: level.label_for_charts
                for level in c.comparison_levels
            }
            for c in settings.comparisons
        }
        out = []
        # Splink puts the records of the index on the left, the new records on the right.
        for row in found.to_dict("records"):
            cid = str(row["unique_id_l"])
            levels = {
                name: labels.get(int(row[f"gamma_{name}"]), "")
                for name, labels in gammas.items()
                if f"gamma_{name}" in row
            }
            out.append(Candidate(cid, float(row["match_probability"]), levels))
        out.sort(key=lambda c: (-c.match_probability, c.id))
        return out
