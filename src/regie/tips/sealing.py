"""Encryption of forwarded tips: per-recipient sealed boxes and the desk's copy at rest.

* Each recipient (an agency desk or a connected municipality) has a Curve25519 key pair.
  A forwarded package is encrypted with :class:`nacl.public.SealedBox` for the recipient's
  public key: only the holder of the private key can open it, and the sender (the server)
  cannot, once the plaintext is gone. A sealed box is anonymous and authenticated only
  against tampering (Poly1305), not to a sender, so "wrong key" and "tampered" cannot be told
  apart: both raise :class:`DecryptionFailed`.
* The recipient's private key may be kept on the server, but only *protected*: encrypted
  with a :class:`nacl.secret.SecretBox` key derived from the recipient's passphrase with
  Argon2id (:mod:`nacl.pwhash.argon2id`). The server stores the blob; the recipient unlocks
  it in their session with the passphrase (:func:`unlock_private_key`). The Argon2id cost
  parameters are kept in the blob so that they can be raised later.
* Fingerprints (:func:`fingerprint`) let a recipient compare out of band that the public key
  the desk uses is theirs: SHA-256 of the raw key, first 20 bytes, hex in groups of four.
* The desk keeps its own copy encrypted at rest with a symmetric key from configuration
  (:class:`DeskVault`, XSalsa20-Poly1305 SecretBox, random nonce per message). Several keys
  can be configured by id so the key can be rotated: new copies use the current key, old
  copies name their key id in a header.

Package format (before encryption), versioned::

    b"RTP1" | uint32 BE header length | header (UTF-8 JSON) | attachment bytes, concatenated

with header ``{"text": <JSON value>, "attachments": [{"name", "content_type", "size"}]}``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import struct
from dataclasses import dataclass, field
from typing import Any, Final

import nacl.exceptions
import nacl.pwhash.argon2id
import nacl.utils
from nacl.public import PrivateKey, PublicKey, SealedBox
from nacl.secret import SecretBox

PACKAGE_MAGIC: Final = b"RTP1"
PROTECTED_KEY_MAGIC: Final = b"RPK1"
DESK_MAGIC: Final = b"RDV1"
_PROTECTED_HEADER: Final = struct.Struct(">4s16sQQ")  # magic, salt, opslimit, memlimit


class SealingError(Exception):
    """Base class; ``str(error)`` is a Dutch message fit for the user."""


class DecryptionFailed(SealingError):
    """Wrong key, or the data was altered (the two cannot be told apart)."""


class WrongPassphrase(SealingError):
    """The passphrase does not unlock the protected private key (or the blob was altered)."""


class MalformedPackage(SealingError):
    """Decrypted, but not a package in a known format."""


# --------------------------------------------------------------------------------------------
# Keys
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KeyPair:
    public_key: bytes = field(repr=False)
    private_key: bytes = field(repr=False)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_key)


def generate_keypair() -> KeyPair:
    """A new Curve25519 key pair (32-byte raw keys)."""
    private = PrivateKey.generate()
    return KeyPair(bytes(private.public_key), bytes(private))


def fingerprint(public_key: bytes) -> str:
    """ "ab12 cd34 ..." (10 groups): the first 160 bits of SHA-256 of the raw public key."""
    if len(public_key) != PublicKey.SIZE:
        raise ValueError("a public key has 32 bytes")
    digest = hashlib.sha256(public_key).hexdigest()[:40]
    return " ".join(digest[i : i + 4] for i in range(0, 40, 4))


def encode_key(key: bytes) -> str:
    """Base64 (URL-safe) text form of a raw key, for configuration and the database."""
    return base64.urlsafe_b64encode(key).decode("ascii")


def decode_key(text: str) -> bytes:
    """Inverse of :func:`encode_key`; raises :class:`ValueError` unless 32 bytes."""
    key = base64.urlsafe_b64decode(text.strip().encode("ascii"))
    if len(key) != 32:
        raise ValueError("a key has 32 bytes")
    return key


def _derive_key(passphrase: str, salt: bytes, opslimit: int, memlimit: int) -> bytes:
    return nacl.pwhash.argon2id.kdf(
        SecretBox.KEY_SIZE, passphrase.encode("utf-8"), salt, opslimit=opslimit, memlimit=memlimit
    )


def protect_private_key(
    private_key: bytes,
    passphrase: str,
    *,
    opslimit: int = nacl.pwhash.argon2id.OPSLIMIT_MODERATE,
    memlimit: int = nacl.pwhash.argon2id.MEMLIMIT_MODERATE,
) -> bytes:
    """Encrypt a raw private key under a passphrase (Argon2id + SecretBox).

    Defaults are libsodium's MODERATE limits (3 passes, 256 MiB, ~0.5-1 s): unlocking is
    rare, and a stolen blob must resist offline guessing. The limits are stored in the blob.
    """
    if len(private_key) != PrivateKey.SIZE:
        raise ValueError("a private key has 32 bytes")
    if not passphrase:
        raise ValueError("an empty passphrase protects nothing")
    salt = nacl.utils.random(nacl.pwhash.argon2id.SALTBYTES)
    header = _PROTECTED_HEADER.pack(PROTECTED_KEY_MAGIC, salt, opslimit, memlimit)
    box = SecretBox(_derive_key(passphrase, salt, opslimit, memlimit))
    # The header is authenticated too: it is part of the encrypted message's check.
    return header + bytes(box.encrypt(header + private_key))


def unlock_private_key(blob: bytes, passphrase: str) -> bytes:
    """The raw private key from :func:`protect_private_key`'s blob; raises
    :class:`WrongPassphrase`."""
    size = _PROTECTED_HEADER.size
    if len(blob) <= size or blob[:4] != PROTECTED_KEY_MAGIC:
        raise WrongPassphrase("Dit is geen beveiligde sleutel in een bekend formaat.")
    _magic, salt, opslimit, memlimit = _PROTECTED_HEADER.unpack(blob[:size])
    box = SecretBox(_derive_key(passphrase, salt, opslimit, memlimit))
    try:
        plain = box.decrypt(blob[size:])
    except nacl.exceptions.CryptoError:
        raise WrongPassphrase("Het wachtwoord is onjuist (of de sleutel is beschadigd).") from None
    if plain[:size] != blob[:size]:
        raise WrongPassphrase("De sleutel is beschadigd.")
    return plain[size:]


def public_key_of(private_key: bytes) -> bytes:
    """The raw public key belonging to a raw private key."""
    return bytes(PrivateKey(private_key).public_key)


# --------------------------------------------------------------------------------------------
# Packages
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Attachment:
    name: str
    content_type: str
    data: bytes = field(repr=False)


@dataclass(frozen=True, slots=True)
class Package:
    """What is forwarded: ``text`` is any JSON value (typically the rewritten tip with its
    fields), ``attachments`` already stripped of metadata."""

    text: Any
    attachments: tuple[Attachment, ...] = ()


def encode_package(package: Package) -> bytes:
    """The plaintext byte form of a package (see the module docstring)."""
    header = json.dumps(
        {
            "text": package.text,
            "attachments": [
                {"name": a.name, "content_type": a.content_type, "size": len(a.data)}
                for a in package.attachments
            ],
        },
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode("utf-8")
    return b"".join(
        [
            PACKAGE_MAGIC,
            struct.pack(">I", len(header)),
            header,
            *(a.data for a in package.attachments),
        ]
    )


def decode_package(data: bytes) -> Package:
    """Inverse of :func:`encode_package`; raises :class:`MalformedPackage`."""
    if len(data) < 8 or data[:4] != PACKAGE_MAGIC:
        raise MalformedPackage("Het pakket heeft een onbekend formaat.")
    (length,) = struct.unpack(">I", data[4:8])
    try:
        header = json.loads(data[8 : 8 + length].decode("utf-8"))
        specs = header["attachments"]
        offset = 8 + length
        attachments = []
        for spec in specs:
            size = int(spec["size"])
            chunk = data[offset : offset + size]
            if len(chunk) != size:
                raise ValueError("truncated")
            attachments.append(Attachment(str(spec["name"]), str(spec["content_type"]), chunk))
            offset += size
        if offset != len(data):
            raise ValueError("trailing data")
    except (ValueError, KeyError, TypeError) as error:
        raise MalformedPackage("Het pakket is onvolledig of beschadigd.") from error
    return Package(header["text"], tuple(attachments))


def seal_package(package: Package, recipient_public_key: bytes) -> bytes:
    """Encrypt ``package`` for one recipient (sealed box)."""
    return bytes(SealedBox(PublicKey(recipient_public_key)).encrypt(encode_package(package)))


def open_package(sealed: bytes, private_key: bytes) -> Package:
    """Decrypt a sealed package with the recipient's raw private key.

    Raises :class:`DecryptionFailed` for the wrong key or altered data."""
    try:
        plain = SealedBox(PrivateKey(private_key)).decrypt(sealed)
    except nacl.exceptions.CryptoError:
        raise DecryptionFailed(
            "Dit pakket kan niet worden geopend: het is niet voor uw sleutel versleuteld of "
            "het is onderweg gewijzigd."
        ) from None
    return decode_package(plain)


# --------------------------------------------------------------------------------------------
# The desk's copy at rest
# --------------------------------------------------------------------------------------------


def generate_desk_key() -> str:
    """A new random desk key in its configuration (text) form."""
    return encode_key(nacl.utils.random(SecretBox.KEY_SIZE))


class DeskVault:
    """Symmetric encryption of the desk's own copies.

    ``keys`` maps a short key id (ASCII, at most 255 bytes) to a raw 32-byte key or its
    :func:`encode_key` text; ``current`` names the key for new copies. Ciphertext:
    ``b"RDV1" | len(id) | id | SecretBox(nonce + ciphertext)``; the header is bound to the
    ciphertext (it is repeated inside the encrypted part and compared on decryption).
    """

    def __init__(self, keys: dict[str, bytes | str], current: str) -> None:
        if current not in keys:
            raise ValueError("the current key id is not among the keys")
        self._boxes = {
            kid: SecretBox(decode_key(k) if isinstance(k, str) else k) for kid, k in keys.items()
        }
        self._current = current

    def _header(self, key_id: str) -> bytes:
        kid = key_id.encode("ascii")
        return DESK_MAGIC + bytes([len(kid)]) + kid

    def encrypt(self, package: Package) -> bytes:
        header = self._header(self._current)
        return header + bytes(self._boxes[self._current].encrypt(header + encode_package(package)))

    def key_id_of(self, data: bytes) -> str:
        """The key id a stored copy was encrypted with (for rotation jobs)."""
        if len(data) < 5 or data[:4] != DESK_MAGIC:
            raise DecryptionFailed("Onbekend formaat van de opgeslagen melding.")
        return data[5 : 5 + data[4]].decode("ascii")

    def decrypt(self, data: bytes) -> Package:
        key_id = self.key_id_of(data)
        box = self._boxes.get(key_id)
        if box is None:
            raise DecryptionFailed(f"De sleutel {key_id!r} van deze melding is niet ingesteld.")
        header = self._header(key_id)
        try:
            plain = box.decrypt(data[len(header) :])
        except nacl.exceptions.CryptoError:
            raise DecryptionFailed("De opgeslagen melding is beschadigd of gewijzigd.") from None
        if plain[: len(header)] != header:
            raise DecryptionFailed("De opgeslagen melding is beschadigd of gewijzigd.")
        return decode_package(plain[len(header) :])

    def rotate(self, data: bytes) -> bytes:
        """Re-encrypt a stored copy with the current key."""
        return self.encrypt(self.decrypt(data))
