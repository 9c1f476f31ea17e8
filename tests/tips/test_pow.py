from __future__ import annotations

import pytest

from regie.tips.pow import (
    MemoryUsedChallenges,
    ProofOfWork,
    ProofOfWorkError,
    leading_zero_bits,
    solve,
    work_hash,
)

KEY = b"proof-of-work test key, 32 bytes!"
NOW = 1_750_000_000.0


@pytest.fixture
def pow_() -> ProofOfWork:
    return ProofOfWork(KEY, difficulty=10, ttl_seconds=300)


def test_leading_zero_bits() -> None:
    assert leading_zero_bits(b"\x00\x00\x01") == 23
    assert leading_zero_bits(b"\x0f") == 4
    assert leading_zero_bits(b"\x80") == 0
    assert leading_zero_bits(b"\x00\x00") == 16


def test_solve_and_verify_once(pow_: ProofOfWork) -> None:
    challenge = pow_.issue(now=NOW)
    assert challenge.difficulty == 10 and challenge.expires_at == int(NOW) + 300
    nonce = solve(challenge.token)
    assert leading_zero_bits(work_hash(challenge.token, nonce)) >= 10
    used = MemoryUsedChallenges()
    pow_.verify(challenge.token, nonce, used, now=NOW + 5)
    assert len(used) == 1
    with pytest.raises(ProofOfWorkError) as excinfo:
        pow_.verify(challenge.token, nonce, used, now=NOW + 6)
    assert excinfo.value.reason == "reused"
    assert "al gebruikt" in str(excinfo.value)


def _reason(pow_: ProofOfWork, token: str, nonce: str, now: float = NOW + 1) -> str:
    with pytest.raises(ProofOfWorkError) as excinfo:
        pow_.verify(token, nonce, MemoryUsedChallenges(), now=now)
    return excinfo.value.reason


def test_refusals(pow_: ProofOfWork) -> None:
    token = pow_.issue(now=NOW).token
    nonce = solve(token)
    assert _reason(pow_, token, nonce, now=NOW + 301) == "expired"
    assert _reason(pow_, token, nonce, now=NOW - 100) == "future"
    assert _reason(pow_, "v1.1.2.3", nonce) == "malformed"
    assert _reason(pow_, token, "12a") == "nonce"
    bad = next(str(n) for n in range(10_000) if leading_zero_bits(work_hash(token, str(n))) < 10)
    assert _reason(pow_, token, bad) == "work"
    # Lowering the difficulty in the token breaks the signature.
    parts = token.split(".")
    parts[2] = "1"
    assert _reason(pow_, ".".join(parts), nonce) == "signature"
    # A token signed with another key.
    other = ProofOfWork(b"another key of sufficient length!", difficulty=10).issue(now=NOW)
    assert _reason(pow_, other.token, solve(other.token)) == "signature"


def test_minimum_difficulty_is_enforced() -> None:
    easy = ProofOfWork(KEY, difficulty=4).issue(now=NOW).token
    strict = ProofOfWork(KEY, difficulty=12)
    assert _reason(strict, easy, solve(easy)) == "difficulty"


def test_raised_difficulty() -> None:
    issuer = ProofOfWork(KEY, difficulty=4)
    challenge = issuer.issue(now=NOW, difficulty=12)
    assert challenge.difficulty == 12
    assert issuer.issue(now=NOW, difficulty=1).difficulty == 4
    issuer.verify(challenge.token, solve(challenge.token), MemoryUsedChallenges(), now=NOW)


def test_bad_configuration() -> None:
    with pytest.raises(ValueError):
        ProofOfWork(b"short")
    with pytest.raises(ValueError):
        ProofOfWork(KEY, difficulty=40)
