from __future__ import annotations

import itertools
import time

import pytest

from regie.tips.receipt import (
    CODE_LENGTH,
    InvalidReceiptCode,
    ReceiptCode,
    ReceiptHasher,
    damm_check_digit,
    damm_valid,
    format_receipt_code,
    generate_receipt_code,
    issue_receipt,
    normalise_receipt_code,
)


@pytest.fixture(scope="module")
def hasher() -> ReceiptHasher:
    # Test-sized Argon2 parameters (the defaults take ~0.1 s per hash).
    return ReceiptHasher(time_cost=1, memory_cost_kib=64, parallelism=1)


def test_generated_code_shape() -> None:
    code = generate_receipt_code()
    assert len(code.digits) == CODE_LENGTH and code.digits.isdigit()
    assert damm_valid(code.digits)
    assert code.display == format_receipt_code(code.digits)
    assert [len(g) for g in code.display.split(" ")] == [4, 4, 4, 4]
    assert code.selector + code.secret + code.digits[-1] == code.digits
    assert code.secret not in repr(code)


def test_codes_are_random() -> None:
    assert len({generate_receipt_code().digits for _ in range(200)}) == 200


def test_damm_catches_every_single_digit_error_and_adjacent_transposition() -> None:
    code = generate_receipt_code().digits
    for i, d in itertools.product(range(CODE_LENGTH), "0123456789"):
        if d != code[i]:
            assert not damm_valid(code[:i] + d + code[i + 1 :])
    for i in range(CODE_LENGTH - 1):
        if code[i] != code[i + 1]:
            swapped = code[:i] + code[i + 1] + code[i] + code[i + 2 :]
            assert not damm_valid(swapped)


def test_damm_known_value() -> None:
    # The standard example: 572 has check digit 4.
    assert damm_check_digit("572") == "4"
    assert damm_valid("5724")


@pytest.mark.parametrize("sep", [" ", "-", "", "  ", "."])
def test_normalise_accepts_grouping(sep: str) -> None:
    code = generate_receipt_code()
    typed = sep.join(code.digits[i : i + 4] for i in range(0, 16, 4))
    assert normalise_receipt_code(f" {typed} ") == code


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "Vul uw bonnummer in"),
        ("1234 5678 9012 345", "16 cijfers"),
        ("1234 5678 9012 34O5", "alleen uit cijfers"),
        ("１２３４５６７８９０１２３４５６", "alleen uit cijfers"),
    ],
)
def test_normalise_rejects_with_dutch_message(text: str, fragment: str) -> None:
    with pytest.raises(InvalidReceiptCode, match=fragment):
        normalise_receipt_code(text)


def test_normalise_rejects_typo() -> None:
    digits = generate_receipt_code().digits
    typo = digits[:3] + str((int(digits[3]) + 1) % 10) + digits[4:]
    with pytest.raises(InvalidReceiptCode, match="klopt niet"):
        normalise_receipt_code(typo)


def test_hash_and_verify(hasher: ReceiptHasher) -> None:
    code = generate_receipt_code()
    stored = hasher.hash(code)
    assert stored.selector == code.selector
    assert code.secret not in stored.hash and stored.hash.startswith("$argon2id$")
    assert hasher.verify(stored.hash, code)
    other = generate_receipt_code(selector=code.selector)
    assert not hasher.verify(stored.hash, other)
    assert not hasher.verify(None, code)
    assert not hasher.verify("not a hash", code)


def test_hash_is_bound_to_selector(hasher: ReceiptHasher) -> None:
    code = generate_receipt_code(selector="11111")
    moved_body = "22222" + code.secret
    moved = ReceiptCode(moved_body + damm_check_digit(moved_body))
    assert not hasher.verify(hasher.hash(code).hash, moved)


def test_pepper_changes_the_hash_input() -> None:
    peppered = ReceiptHasher(time_cost=1, memory_cost_kib=64, parallelism=1, pepper=b"k" * 32)
    plain = ReceiptHasher(time_cost=1, memory_cost_kib=64, parallelism=1)
    code = generate_receipt_code()
    stored = peppered.hash(code)
    assert peppered.verify(stored.hash, code)
    assert not plain.verify(stored.hash, code)


def test_unknown_selector_costs_a_verification(hasher: ReceiptHasher) -> None:
    slow = ReceiptHasher(time_cost=2, memory_cost_kib=4096, parallelism=1)
    code = generate_receipt_code()
    stored = slow.hash(code).hash

    def best_of_three(stored_hash: str | None) -> float:
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            slow.verify(stored_hash, code)
            times.append(time.perf_counter() - t0)
        return min(times)

    known, unknown = best_of_three(stored), best_of_three(None)
    assert unknown > known / 4  # same order of magnitude: the dummy hash was verified


def test_needs_rehash(hasher: ReceiptHasher) -> None:
    stored = hasher.hash(generate_receipt_code()).hash
    assert not hasher.needs_rehash(stored)
    assert ReceiptHasher(time_cost=2, memory_cost_kib=64, parallelism=1).needs_rehash(stored)


def test_issue_receipt_skips_taken_selectors(hasher: ReceiptHasher) -> None:
    calls: list[str] = []

    def taken(selector: str) -> bool:
        calls.append(selector)
        return len(calls) < 3

    code, stored = issue_receipt(hasher, taken)
    assert len(calls) == 3 and stored.selector == code.selector == calls[-1]
    with pytest.raises(RuntimeError):
        issue_receipt(hasher, lambda _s: True, max_attempts=5)


def test_generate_with_bad_selector() -> None:
    with pytest.raises(ValueError):
        generate_receipt_code(selector="12a45")
