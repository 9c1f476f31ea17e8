"""Receipt codes for the anonymous reporter ("bonnummer").

A reporter gets a 16-digit code with which they can later read the desk's questions and add
information. The code is the only credential, so it is stored only as an Argon2 hash.

Layout (digits, left to right)::

    SSSSS RRRRRRRRRR C
    |     |          +-- 1 check digit (Damm algorithm) over the first 15 digits
    |     +------------- 10 secret digits (~33.2 bits), stored only as an Argon2id hash
    +------------------- 5 selector digits: not secret, stored in clear and indexed

It is shown grouped 4-4-4-4 ("1234 5678 9012 3456"); the grouping has nothing to do with the
layout.

Lookup without scanning all hashes: the selector is unique among live receipts (the caller
retries :func:`issue_receipt` while the selector is taken, e.g. under a unique index), so a
lookup fetches at most one row by selector and verifies one Argon2 hash. An unknown selector
verifies against a dummy hash, so a lookup costs the same time either way (the caller should
still answer both failures with one message).

Entropy: 15 random digits = 49.8 bits in total, but the selector is stored in clear, so an
attacker holding a database copy must search the 10 secret digits: 10^10 ≈ 2^33.2 guesses
per receipt, each one Argon2id evaluation (with the default parameters, 64 MiB and 3 passes,
roughly 50-100 ms on one core). That is years of CPU per receipt, but not out of reach for
a determined attacker with much hardware; therefore the hash input may be *peppered* with a
server-side secret from configuration (HMAC-SHA256, see :class:`ReceiptHasher`), which
makes a leaked database alone useless. Online guessing must be rate-limited by the caller
(e.g. with :mod:`regie.tips.pow` and per-selector lockout): a random guess hits a live
selector with probability live/10^5 and then the secret with probability 10^-10.

The Damm check digit detects every single-digit error and every transposition of adjacent
digits, so typing errors are caught before a (costly, rate-limited) lookup.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

CODE_LENGTH: Final = 16
SELECTOR_LENGTH: Final = 5
SECRET_LENGTH: Final = 10

# Damm's totally anti-symmetric quasigroup of order 10.
_DAMM: Final = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
    (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
    (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
    (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
    (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
    (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
    (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)
_SEPARATORS: Final = re.compile(r"[\s\-./_]+")


class InvalidReceiptCode(ValueError):
    """The input is not a well-formed receipt code; ``str(error)`` is a Dutch message."""


def damm_check_digit(digits: str) -> str:
    """The Damm check digit of a string of ASCII digits."""
    interim = 0
    for ch in digits:
        interim = _DAMM[interim][int(ch)]
    return str(interim)


def damm_valid(digits: str) -> bool:
    """Whether ``digits`` (check digit last) passes the Damm check."""
    return damm_check_digit(digits) == "0"


def format_receipt_code(code: str) -> str:
    """Group a normalised code 4-4-4-4: "1234567890123456" -> "1234 5678 9012 3456"."""
    return " ".join(code[i : i + 4] for i in range(0, len(code), 4))


@dataclass(frozen=True, slots=True)
class ReceiptCode:
    """A normalised receipt code (16 ASCII digits)."""

    digits: str

    @property
    def selector(self) -> str:
        """The non-secret lookup part (stored in clear)."""
        return self.digits[:SELECTOR_LENGTH]

    @property
    def secret(self) -> str:
        """The secret part (hashed); the check digit is not part of it."""
        return self.digits[SELECTOR_LENGTH : SELECTOR_LENGTH + SECRET_LENGTH]

    @property
    def display(self) -> str:
        """The code as shown to the reporter, grouped 4-4-4-4."""
        return format_receipt_code(self.digits)

    def __str__(self) -> str:
        return self.display

    def __repr__(self) -> str:  # never leak the secret into logs
        return f"ReceiptCode(selector={self.selector!r}, secret=<hidden>)"


def generate_receipt_code(selector: str | None = None) -> ReceiptCode:
    """A new random code (from :mod:`secrets`); ``selector`` fixes the first five digits."""
    if selector is None:
        selector = "".join(secrets.choice("0123456789") for _ in range(SELECTOR_LENGTH))
    if len(selector) != SELECTOR_LENGTH or not (selector.isascii() and selector.isdigit()):
        raise ValueError("selector must be five ASCII digits")
    body = selector + "".join(secrets.choice("0123456789") for _ in range(SECRET_LENGTH))
    return ReceiptCode(body + damm_check_digit(body))


def normalise_receipt_code(text: str) -> ReceiptCode:
    """Parse user input: spaces, dashes, dots and slashes are ignored; full-width and other
    Unicode digits are refused. Raises :class:`InvalidReceiptCode` with a Dutch message."""
    digits = _SEPARATORS.sub("", text.strip())
    if not digits:
        raise InvalidReceiptCode("Vul uw bonnummer in.")
    if not (digits.isascii() and digits.isdigit()):
        raise InvalidReceiptCode("Een bonnummer bestaat alleen uit cijfers.")
    if len(digits) != CODE_LENGTH:
        raise InvalidReceiptCode(
            f"Een bonnummer heeft {CODE_LENGTH} cijfers; u vulde er {len(digits)} in."
        )
    if not damm_valid(digits):
        raise InvalidReceiptCode(
            "Dit bonnummer klopt niet: waarschijnlijk is een cijfer verkeerd overgenomen. "
            "Controleer het nummer."
        )
    return ReceiptCode(digits)


@dataclass(frozen=True, slots=True)
class StoredReceipt:
    """What the database keeps: the selector (unique index) and the Argon2 hash."""

    selector: str
    hash: str


class ReceiptHasher:
    """Argon2id hashing of the secret part, bound to the selector.

    Defaults follow RFC 9106's second recommended option ("low memory"): Argon2id, 3 passes,
    64 MiB, parallelism 4, 16-byte salt, 32-byte tag. Tests pass small parameters.

    ``pepper``: optional server-side secret (from configuration, not the database). When
    set, the Argon2 input is HMAC-SHA256(pepper, selector + ":" + secret) instead of the
    plain string. Changing the pepper invalidates all stored receipts.
    """

    def __init__(
        self,
        *,
        time_cost: int = 3,
        memory_cost_kib: int = 65536,
        parallelism: int = 4,
        pepper: bytes | None = None,
    ) -> None:
        self._hasher = PasswordHasher(
            time_cost=time_cost,
            memory_cost=memory_cost_kib,
            parallelism=parallelism,
            hash_len=32,
            salt_len=16,
        )
        self._pepper = pepper
        # Verifying against this keeps an unknown selector as slow as a known one.
        self._dummy_hash = self._hasher.hash(secrets.token_hex(16))

    def _input(self, code: ReceiptCode) -> bytes:
        message = f"{code.selector}:{code.secret}".encode("ascii")
        if self._pepper is None:
            return message
        return hmac.new(self._pepper, message, hashlib.sha256).digest()

    def hash(self, code: ReceiptCode) -> StoredReceipt:
        """The record to store for ``code``."""
        return StoredReceipt(code.selector, self._hasher.hash(self._input(code)))

    def verify(self, stored_hash: str | None, code: ReceiptCode) -> bool:
        """Whether ``code`` matches ``stored_hash`` (the hash stored under ``code.selector``,
        or ``None`` when no receipt has that selector: then a dummy hash is verified so the
        time taken does not reveal whether the selector exists)."""
        target = self._dummy_hash if stored_hash is None else stored_hash
        ok: bool
        try:
            ok = self._hasher.verify(target, self._input(code))
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            ok = False
        return ok and stored_hash is not None

    def needs_rehash(self, stored_hash: str) -> bool:
        """Whether the stored hash uses other parameters than this hasher (rehash on the
        next successful verification)."""
        return self._hasher.check_needs_rehash(stored_hash)


def issue_receipt(
    hasher: ReceiptHasher,
    selector_taken: Callable[[str], bool],
    *,
    max_attempts: int = 50,
) -> tuple[ReceiptCode, StoredReceipt]:
    """A new code whose selector is not taken, and the record to store.

    ``selector_taken`` is the caller's check (e.g. an ``exists()`` query); the unique index
    on the selector remains the real guarantee, so on an integrity error call again. Raises
    :class:`RuntimeError` after ``max_attempts`` taken selectors (the selector space is full:
    purge expired receipts or lengthen the selector).
    """
    for _ in range(max_attempts):
        code = generate_receipt_code()
        if not selector_taken(code.selector):
            return code, hasher.hash(code)
    raise RuntimeError("no free receipt selector found")
