"""The text classifier is cached per process: forget it around every test, so a model
trained in one test (and rolled back) is never served to the next."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from regie.legal_assistance import classifier


@pytest.fixture(autouse=True)
def _fresh_classifier_cache() -> Iterator[None]:
    classifier.clear_cache()
    yield
    classifier.clear_cache()
