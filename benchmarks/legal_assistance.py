"""LIRC work queue: triage and duplicate check of 10,000 synthetic messages, timed, with the
duplicate check's pairwise precision, recall and F1 against the known truth.

    .venv/bin/python benchmarks/legal_assistance.py [--messages 10000] [--seed 1]
        [--per-day 300] [--matcher rule|person] [--threshold 0.77]

No Django, no database. Generates a seeded message stream with
:func:`~regie.legal_assistance.traffic.generate_traffic` (``--per-day`` messages a weekday,
so 10,000 messages span about five weeks; the generator also serialises every message to
JSON or XML and parses it back, timed separately), triages every parsed message
(:func:`~regie.legal_assistance.triage.triage`, with the register hits of the truth) and
groups them into cases (:func:`~regie.legal_assistance.duplicates.group_messages`). The
target is triage + duplicate check well under a minute.

``--matcher person`` runs the registration app's rule-based person matcher behind
:class:`~regie.legal_assistance.duplicates.PersonMatcherAdapter` instead of the subject
matcher, for comparison (it knows no partial dates or transliteration folds).
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from collections import Counter
from collections.abc import Sequence

from regie.legal_assistance.duplicates import (
    DUPLICATE,
    PersonMatcherAdapter,
    RuleBasedSubjectMatcher,
    SubjectMatcher,
    group_messages,
    pairwise_scores,
)
from regie.legal_assistance.traffic import TrafficConfig, generate_traffic
from regie.legal_assistance.triage import CATEGORY_LABELS, PRIORITY_LABELS, triage
from regie.registration.matching import RuleBasedPersonMatcher

TARGET_SECONDS = 60.0


def main(argv: Sequence[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--per-day", type=int, default=300)
    parser.add_argument("--matcher", choices=("rule", "person"), default="rule")
    parser.add_argument("--threshold", type=float, default=DUPLICATE)
    args = parser.parse_args(argv)

    days = max(1, round(args.messages / (args.per_day * (5 + 2 * 0.6) / 7)))
    config = TrafficConfig(
        start=dt.date(2019, 10, 1),
        days=days,
        per_day=args.per_day,
        total=args.messages,
        seed=args.seed,
    )
    t0 = time.perf_counter()
    traffic = generate_traffic(config)
    generate_s = time.perf_counter() - t0
    messages = traffic.messages
    hits = traffic.register_hits()
    print(
        f"traffic   : {len(traffic.items):,} messages over {days} days from "
        f"{config.start} (seed {args.seed}), {len(messages):,} valid, "
        f"{len(traffic.malformed_items):,} malformed (quarantine); generated, serialised "
        f"and parsed in {generate_s:.1f} s"
    )

    t0 = time.perf_counter()
    results = [triage(m, register_hits=h) for m, h in zip(messages, hits, strict=True)]
    triage_s = time.perf_counter() - t0

    matcher: SubjectMatcher = (
        RuleBasedSubjectMatcher()
        if args.matcher == "rule"
        else PersonMatcherAdapter(RuleBasedPersonMatcher())
    )
    t0 = time.perf_counter()
    grouping = group_messages(messages, matcher=matcher, threshold=args.threshold)
    duplicates_s = time.perf_counter() - t0
    scores = pairwise_scores(grouping.groups, traffic.true_groups())
    total_s = triage_s + duplicates_s

    print(f"triage    : {len(results):,} messages in {triage_s:6.2f} s")
    by_priority = Counter(r.priority for r in results)
    for priority in sorted(by_priority):
        print(f"            priority {int(priority)} ({PRIORITY_LABELS[priority]}): "
              f"{by_priority[priority]:,}")  # fmt: skip
    by_category = Counter(r.category for r in results)
    print(
        "            "
        + ", ".join(f"{CATEGORY_LABELS[c]} {n:,}" for c, n in by_category.most_common())
    )
    print(
        f"            linked to NL {sum(r.nl_link for r in results):,}, second confirmation "
        f"needed {sum(r.needs_second_confirmation for r in results):,}"
    )
    print(
        f"duplicates: {len(messages):,} messages in {duplicates_s:6.2f} s "
        f"({args.matcher} matcher, threshold {args.threshold}): "
        f"{grouping.comparisons:,} subject pairs compared, {len(grouping.groups):,} cases "
        f"({len(grouping.duplicate_groups):,} with more than one message), "
        f"{len(grouping.suggestions):,} suggestions for review, "
        f"{grouping.skipped_blocks} oversized blocks skipped"
    )
    print(
        f"            pairwise precision {scores.precision:.4f}, recall {scores.recall:.4f}, "
        f"F1 {scores.f1:.4f} ({scores.true_positives:,} true pairs found, "
        f"{scores.false_positives:,} false, {scores.false_negatives:,} missed)"
    )
    verdict = "within" if total_s < TARGET_SECONDS else "OVER"
    print(
        f"total     : triage + duplicate check {total_s:.2f} s for {len(messages):,} messages "
        f"({verdict} the {TARGET_SECONDS:.0f} s target)"
    )
    return {
        "triage_s": triage_s,
        "duplicates_s": duplicates_s,
        "precision": scores.precision,
        "recall": scores.recall,
        "f1": scores.f1,
    }


if __name__ == "__main__":
    main()
