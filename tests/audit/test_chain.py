"""The hash chain itself (pure, no database)."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from regie.audit.chain import GENESIS, entry_hash, verify_chain


def make_chain(n: int) -> list[tuple[dict[str, Any], str, str]]:
    out = []
    prev = GENESIS
    for seq in range(1, n + 1):
        fields = {
            "seq": seq,
            "at": f"2026-01-01T00:00:{seq:02d}+00:00",
            "actor_id": 1,
            "actor_username": "a",
            "actor_role": "team_chief",
            "actor_base_team_code": "",
            "actor_unit_code": "",
            "action": "view",
            "object_type": "x",
            "object_id": str(seq),
            "purpose": "wpg8",
            "outcome": "success",
            "detail": {"n": seq},
        }
        h = entry_hash(prev, fields)
        out.append((fields, prev, h))
        prev = h
    return out


def test_intact_chain_verifies() -> None:
    chain = make_chain(5)
    result = verify_chain(chain, head=(5, chain[-1][2]))
    assert result.ok and result.checked == 5


@given(
    st.integers(min_value=0, max_value=9),
    st.sampled_from(["object_id", "actor_username", "action", "detail"]),
)
def test_any_edit_is_detected(index: int, field: str) -> None:
    chain = make_chain(10)
    fields, prev, h = chain[index]
    edited = dict(fields)
    edited[field] = {"edited": True} if field == "detail" else "tampered"
    chain[index] = (edited, prev, h)
    result = verify_chain(chain, head=(10, chain[-1][2]))
    assert not result.ok
    assert result.breaks[0].seq == index + 1


def test_deleted_middle_row_is_detected() -> None:
    chain = make_chain(5)
    del chain[2]
    result = verify_chain(chain, head=(5, chain[-1][2]))
    assert any("gap" in b.reason for b in result.breaks)


def test_deleted_newest_row_is_detected_by_the_head() -> None:
    chain = make_chain(5)
    head = (5, chain[-1][2])
    result = verify_chain(chain[:-1], head=head)
    assert not result.ok


def test_rehashed_edit_breaks_the_next_link() -> None:
    chain = make_chain(5)
    fields, prev, _ = chain[1]
    edited = {**fields, "object_id": "other"}
    chain[1] = (edited, prev, entry_hash(prev, edited))
    result = verify_chain(chain, head=(5, chain[-1][2]))
    assert [b.seq for b in result.breaks] == [3]
