from __future__ import annotations

import nacl.pwhash.argon2id
import pytest

from regie.tips.sealing import (
    Attachment,
    DecryptionFailed,
    DeskVault,
    MalformedPackage,
    Package,
    WrongPassphrase,
    decode_key,
    decode_package,
    encode_key,
    encode_package,
    fingerprint,
    generate_desk_key,
    generate_keypair,
    open_package,
    protect_private_key,
    public_key_of,
    seal_package,
    unlock_private_key,
)

FAST = {
    "opslimit": nacl.pwhash.argon2id.OPSLIMIT_MIN,
    "memlimit": nacl.pwhash.argon2id.MEMLIMIT_MIN,
}
PACKAGE = Package(
    {"onderwerp": "drugshandel", "tekst": "Vanuit een woning in Utrecht wordt gehandeld. é€"},
    (
        Attachment("foto.jpg", "image/jpeg", b"\xff\xd8\xff" + bytes(range(256)) * 10),
        Attachment("leeg.pdf", "application/pdf", b""),
    ),
)


def test_package_round_trip() -> None:
    assert decode_package(encode_package(PACKAGE)) == PACKAGE


#: Empty; a wrong magic header ("RTP1" expected) before a valid-looking body; truncated.
WRONG_MAGIC = b"ZZP9\x00\x00\x00\x02{}"


@pytest.mark.parametrize("data", [b"", WRONG_MAGIC, encode_package(PACKAGE)[:-3]])
def test_malformed_package(data: bytes) -> None:
    with pytest.raises(MalformedPackage):
        decode_package(data)


def test_seal_and_open() -> None:
    keys = generate_keypair()
    sealed = seal_package(PACKAGE, keys.public_key)
    assert b"Utrecht" not in sealed
    assert open_package(sealed, keys.private_key) == PACKAGE


def test_wrong_key_is_refused() -> None:
    sealed = seal_package(PACKAGE, generate_keypair().public_key)
    with pytest.raises(DecryptionFailed, match="niet voor uw sleutel"):
        open_package(sealed, generate_keypair().private_key)


def test_tampering_is_refused() -> None:
    keys = generate_keypair()
    sealed = bytearray(seal_package(PACKAGE, keys.public_key))
    sealed[60] ^= 1
    with pytest.raises(DecryptionFailed):
        open_package(bytes(sealed), keys.private_key)


def test_fingerprint() -> None:
    keys = generate_keypair()
    fp = fingerprint(keys.public_key)
    assert len(fp.split(" ")) == 10 and all(len(g) == 4 for g in fp.split(" "))
    assert fp == keys.fingerprint != generate_keypair().fingerprint
    with pytest.raises(ValueError):
        fingerprint(b"short")


def test_key_text_form() -> None:
    keys = generate_keypair()
    assert decode_key(encode_key(keys.public_key)) == keys.public_key
    assert public_key_of(keys.private_key) == keys.public_key
    with pytest.raises(ValueError):
        decode_key(encode_key(b"x" * 16))


def test_protected_private_key() -> None:
    keys = generate_keypair()
    blob = protect_private_key(keys.private_key, "correct horse battery staple", **FAST)
    assert keys.private_key not in blob
    unlocked = unlock_private_key(blob, "correct horse battery staple")
    assert unlocked == keys.private_key
    assert open_package(seal_package(PACKAGE, keys.public_key), unlocked) == PACKAGE


def test_protected_private_key_refusals() -> None:
    keys = generate_keypair()
    blob = protect_private_key(keys.private_key, "geheim wachtwoord", **FAST)
    with pytest.raises(WrongPassphrase, match="onjuist"):
        unlock_private_key(blob, "ander wachtwoord")
    tampered = bytearray(blob)
    tampered[-1] ^= 1
    with pytest.raises(WrongPassphrase):
        unlock_private_key(bytes(tampered), "geheim wachtwoord")
    with pytest.raises(WrongPassphrase, match="bekend formaat"):
        unlock_private_key(b"nonsense", "geheim wachtwoord")
    with pytest.raises(ValueError):
        protect_private_key(keys.private_key, "", **FAST)


def test_desk_vault_round_trip_and_rotation() -> None:
    old_key, new_key = generate_desk_key(), generate_desk_key()
    vault = DeskVault({"2025": old_key}, current="2025")
    stored = vault.encrypt(PACKAGE)
    assert b"Utrecht" not in stored and vault.key_id_of(stored) == "2025"
    assert vault.decrypt(stored) == PACKAGE

    rotated_vault = DeskVault({"2025": old_key, "2026": decode_key(new_key)}, current="2026")
    assert rotated_vault.decrypt(stored) == PACKAGE
    rotated = rotated_vault.rotate(stored)
    assert rotated_vault.key_id_of(rotated) == "2026"
    assert DeskVault({"2026": new_key}, current="2026").decrypt(rotated) == PACKAGE
    with pytest.raises(DecryptionFailed, match="niet ingesteld"):
        DeskVault({"2026": new_key}, current="2026").decrypt(stored)


def test_desk_vault_refuses_wrong_key_and_tampering() -> None:
    vault = DeskVault({"a": generate_desk_key()}, current="a")
    stored = vault.encrypt(PACKAGE)
    with pytest.raises(DecryptionFailed):
        DeskVault({"a": generate_desk_key()}, current="a").decrypt(stored)
    tampered = bytearray(stored)
    tampered[-5] ^= 0x80
    with pytest.raises(DecryptionFailed):
        vault.decrypt(bytes(tampered))
    with pytest.raises(ValueError):
        DeskVault({"a": generate_desk_key()}, current="b")
