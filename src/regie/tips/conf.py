"""Configuration of the tip line: keys and limits, from the environment or ``var/``.

* ``TIPS_DESK_KEYS``: the desk vault's keys, ``id:key[,id:key...]`` (keys from
  :func:`regie.tips.sealing.generate_desk_key`); the first is current. When unset, one key
  is generated once into ``$REGIE_VAR_DIR/tips_desk_key`` (mode 0600).
* ``TIPS_POW_DIFFICULTY``: proof-of-work bits (default 18; 8 under test).
* ``TIPS_ATTACHMENT_DIR``: where encrypted attachments live (default ``var/tips``).
* ``TIPS_RETENTION_DAYS``: ``forwarded,closed,unhandled`` days (default ``90,90,365``).

The proof-of-work key and the receipt pepper are derived from ``SECRET_KEY`` (HMAC with a
label), so the public process and the desk share them without more configuration.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from datetime import timedelta
from functools import cache
from pathlib import Path

from django.conf import settings

from regie.tips import sealing
from regie.tips.attachments import Limits
from regie.tips.pow import ProofOfWork
from regie.tips.receipt import ReceiptHasher
from regie.tips.retention import RetentionPolicy

MAX_ATTACHMENTS = 5
ATTACHMENT_LIMITS = Limits(max_bytes=10 * 1024 * 1024)


def _derived(label: str) -> bytes:
    return hmac.new(settings.SECRET_KEY.encode(), label.encode(), hashlib.sha256).digest()


def var_dir() -> Path:
    return Path(getattr(settings, "VAR_DIR", "var"))


@cache
def desk_vault() -> sealing.DeskVault:
    spec = os.environ.get("TIPS_DESK_KEYS", "").strip()
    if spec:
        pairs = [item.split(":", 1) for item in spec.split(",") if item.strip()]
        keys: dict[str, bytes | str] = {kid.strip(): key.strip() for kid, key in pairs}
        return sealing.DeskVault(keys, pairs[0][0].strip())
    path = var_dir() / "tips_desk_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(sealing.generate_desk_key())
    return sealing.DeskVault({"k1": path.read_text().strip()}, "k1")


@cache
def proof_of_work() -> ProofOfWork:
    default = 8 if settings.TESTING else 18
    bits = int(os.environ.get("TIPS_POW_DIFFICULTY", default))
    return ProofOfWork(_derived("regie.tips.pow"), difficulty=bits)


@cache
def receipt_hasher() -> ReceiptHasher:
    pepper = _derived("regie.tips.receipt")
    if settings.TESTING:
        return ReceiptHasher(time_cost=1, memory_cost_kib=1024, parallelism=1, pepper=pepper)
    return ReceiptHasher(pepper=pepper)


def attachment_dir() -> Path:
    path = Path(os.environ.get("TIPS_ATTACHMENT_DIR") or var_dir() / "tips")
    path.mkdir(parents=True, exist_ok=True)
    return path


def retention_policy() -> RetentionPolicy:
    raw = os.environ.get("TIPS_RETENTION_DAYS", "90,90,365")
    forwarded, closed, unhandled = (int(x) for x in raw.split(","))
    return RetentionPolicy(
        timedelta(days=forwarded), timedelta(days=closed), timedelta(days=unhandled)
    )


def key_opslimit() -> tuple[int, int]:
    """Argon2id limits for protecting recipients' private keys (small under test)."""
    import nacl.pwhash

    if settings.TESTING:
        return nacl.pwhash.argon2id.OPSLIMIT_MIN, nacl.pwhash.argon2id.MEMLIMIT_MIN
    return nacl.pwhash.argon2id.OPSLIMIT_INTERACTIVE, nacl.pwhash.argon2id.MEMLIMIT_INTERACTIVE
