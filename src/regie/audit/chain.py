"""Hash chain over audit entries (pure; no Django).

``entry_hash(prev_hash, fields)`` is SHA-256 over the previous hash and a canonical JSON of
the entry's fields (sorted keys, no whitespace, UTC ISO timestamps). ``verify_chain`` walks
entries in sequence order and reports the first break.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64

#: The fields that are hashed, in the order they are documented.
HASHED_FIELDS = (
    "seq",
    "at",
    "actor_id",
    "actor_username",
    "actor_role",
    "actor_base_team_code",
    "actor_unit_code",
    "action",
    "object_type",
    "object_id",
    "purpose",
    "outcome",
    "detail",
)


def canonical(fields: Mapping[str, Any]) -> str:
    return json.dumps(
        {k: fields[k] for k in HASHED_FIELDS},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )


def entry_hash(prev_hash: str, fields: Mapping[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical(fields)).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    reason: str


@dataclass(frozen=True)
class VerifyResult:
    checked: int
    breaks: tuple[ChainBreak, ...]

    @property
    def ok(self) -> bool:
        return not self.breaks


def verify_chain(
    entries: Iterable[tuple[Mapping[str, Any], str, str]], *, head: tuple[int, str] | None = None
) -> VerifyResult:
    """Check ``(fields, prev_hash, hash)`` triples given in ascending ``seq`` order.

    ``head`` is the stored chain head ``(seq, hash)``: it catches deletion of the newest rows.
    """
    breaks: list[ChainBreak] = []
    expected_prev = GENESIS
    expected_seq = 1
    checked = 0
    last_seq, last_hash = 0, GENESIS
    for fields, prev_hash, stored_hash in entries:
        checked += 1
        seq = int(fields["seq"])
        if seq != expected_seq:
            breaks.append(ChainBreak(seq, f"expected entry {expected_seq}, found {seq} (gap)"))
        if prev_hash != expected_prev:
            breaks.append(ChainBreak(seq, "link to the previous entry does not match"))
        if entry_hash(prev_hash, fields) != stored_hash:
            breaks.append(ChainBreak(seq, "content does not match its hash (edited)"))
        expected_prev = stored_hash
        expected_seq = seq + 1
        last_seq, last_hash = seq, stored_hash
    if head is not None and (head[0] != last_seq or head[1] != last_hash):
        breaks.append(
            ChainBreak(
                last_seq, f"chain head says entry {head[0]} is the last; newest rows missing"
            )
        )
    return VerifyResult(checked, tuple(breaks))
