"""Stateless proof-of-work challenges: abuse resistance without identifying the reporter.

The server keeps no state per challenge. A challenge is a signed token::

    v1.<issued_at unix seconds>.<difficulty bits>.<16 random bytes, base64url>.<signature>

where the signature is HMAC-SHA256 (key from configuration) over everything before it,
base64url without padding. The client looks for a ``nonce`` (a decimal string) such that
``sha256((challenge + ":" + nonce).encode())`` starts with ``difficulty`` zero bits, and
submits the challenge and the nonce with the tip. :meth:`ProofOfWork.verify` checks the
signature (constant time), freshness (not older than ``ttl`` nor from the future beyond a
small clock skew), that the difficulty is at least the server's current minimum, the work
itself, and single use: the caller supplies a store of used challenges, which must only
remember them until they expire (``ttl``), so it stays small.

Expected work is 2^difficulty hashes: 18 bits ≈ 262,000 SHA-256 evaluations, well under a
second in a browser with WebCrypto batching, but a cost per submission for a flood.
:func:`solve` is a small reference solver for tests; the product's solver is JavaScript.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Final, Protocol

VERSION: Final = "v1"


class ProofOfWorkError(ValueError):
    """A rejected proof; ``reason`` is a short code, ``str(error)`` a Dutch message."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class UsedChallenges(Protocol):
    """The caller's store of used challenges (e.g. a cache or a table with expiry)."""

    def add_if_new(self, challenge_id: str, expires_at: float) -> bool:
        """Record ``challenge_id``; ``False`` when it was already recorded. Must be atomic
        (e.g. ``cache.add`` or an insert under a unique index)."""
        ...


class MemoryUsedChallenges:
    """An in-memory :class:`UsedChallenges` (tests, single process)."""

    def __init__(self) -> None:
        self._seen: dict[str, float] = {}

    def add_if_new(self, challenge_id: str, expires_at: float) -> bool:
        now = time.time()
        self._seen = (
            {k: v for k, v in self._seen.items() if v >= now}
            if len(self._seen) > 10000
            else self._seen
        )
        if challenge_id in self._seen:
            return False
        self._seen[challenge_id] = expires_at
        return True

    def __len__(self) -> int:
        return len(self._seen)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def leading_zero_bits(digest: bytes) -> int:
    """The number of leading zero bits of ``digest``."""
    bits = 0
    for byte in digest:
        if byte == 0:
            bits += 8
            continue
        return bits + 8 - byte.bit_length()
    return bits


def work_hash(challenge: str, nonce: str) -> bytes:
    return hashlib.sha256(f"{challenge}:{nonce}".encode("ascii")).digest()


@dataclass(frozen=True, slots=True)
class Challenge:
    token: str
    issued_at: int
    difficulty: int
    expires_at: int


class ProofOfWork:
    """Issue and verify challenges. ``key`` is a secret from configuration (≥ 32 bytes)."""

    def __init__(
        self,
        key: bytes,
        *,
        difficulty: int = 18,
        ttl_seconds: int = 600,
        clock_skew_seconds: int = 30,
    ) -> None:
        if len(key) < 16:
            raise ValueError("the proof-of-work key is too short")
        if not 1 <= difficulty <= 32:
            raise ValueError("difficulty must be 1..32 bits")
        self._key = key
        self.difficulty = difficulty
        self.ttl = ttl_seconds
        self.skew = clock_skew_seconds

    def _sign(self, body: str) -> str:
        return _b64(hmac.new(self._key, body.encode("ascii"), hashlib.sha256).digest())

    def issue(self, now: float | None = None, difficulty: int | None = None) -> Challenge:
        """A new challenge (``difficulty`` may be raised for a flood, never below minimum)."""
        issued = int(time.time() if now is None else now)
        bits = max(self.difficulty, difficulty or 0)
        body = f"{VERSION}.{issued}.{bits}.{_b64(secrets.token_bytes(16))}"
        return Challenge(f"{body}.{self._sign(body)}", issued, bits, issued + self.ttl)

    def verify(
        self, token: str, nonce: str, used: UsedChallenges, now: float | None = None
    ) -> None:
        """Accept a solved challenge once; raises :class:`ProofOfWorkError` otherwise."""
        current = time.time() if now is None else now
        parts = token.split(".")
        if len(parts) != 5 or parts[0] != VERSION or not token.isascii():
            raise ProofOfWorkError("malformed", "De controle is ongeldig; probeer het opnieuw.")
        body, signature = token.rsplit(".", 1)
        if not hmac.compare_digest(signature, self._sign(body)):
            raise ProofOfWorkError("signature", "De controle is ongeldig; probeer het opnieuw.")
        issued, bits = int(parts[1]), int(parts[2])
        if issued > current + self.skew:
            raise ProofOfWorkError("future", "De controle is ongeldig; probeer het opnieuw.")
        if current - issued > self.ttl:
            raise ProofOfWorkError("expired", "De controle is verlopen; probeer het opnieuw.")
        if bits < self.difficulty:
            raise ProofOfWorkError("difficulty", "De controle is te licht; probeer het opnieuw.")
        if not (0 < len(nonce) <= 20 and nonce.isascii() and nonce.isdigit()):
            raise ProofOfWorkError("nonce", "De controle is ongeldig; probeer het opnieuw.")
        if leading_zero_bits(work_hash(token, nonce)) < bits:
            raise ProofOfWorkError("work", "De controle is niet voltooid; probeer het opnieuw.")
        if not used.add_if_new(parts[3], issued + self.ttl + self.skew):
            raise ProofOfWorkError("reused", "Deze controle is al gebruikt; probeer het opnieuw.")


def solve(token: str, max_iterations: int = 1 << 26) -> str:
    """Reference solver: the smallest decimal nonce meeting the token's difficulty."""
    bits = int(token.split(".")[2])
    for n in range(max_iterations):
        nonce = str(n)
        if leading_zero_bits(work_hash(token, nonce)) >= bits:
            return nonce
    raise RuntimeError("no nonce found")
