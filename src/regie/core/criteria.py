"""The result of checking a model against its stated criteria (pure, no Django): shared by
the solvability model and the registration-quality detector."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple


class CriteriaCheck(NamedTuple):
    name: str
    value: float | None
    threshold: float | None
    passed: bool
    #: What the check found, in Dutch, for the model card and the screens.
    message: str


@dataclass(frozen=True)
class CriteriaResult:
    passed: bool
    checks: list[CriteriaCheck]
