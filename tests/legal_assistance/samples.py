"""Sample LIRC messages for the Django-layer tests."""

from __future__ import annotations

import json
from typing import Any


def message(**overrides: Any) -> dict[str, Any]:
    """A diffusion to locate Aleksandr Ivanov (valid; overrides replace top-level fields)."""
    data: dict[str, Any] = {
        "kind": "diffusion",
        "purpose": "locate",
        "channel": "interpol",
        "references": {"interpol": "2019/12345", "issuing": "RU-77/2019-0042"},
        "issuing_country": "RU",
        "received_at": "2019-11-04T09:30:00+01:00",
        "summary": "Whereabouts requested.",
        "subjects": [
            {
                "forename": "Aleksandr",
                "name": "Ivanov",
                "date_of_birth": "1980-05-04",
                "nationalities": ["RU"],
                "sex": "M",
            }
        ],
    }
    data.update(overrides)
    return data


def payload(**overrides: Any) -> str:
    return json.dumps(message(**overrides), ensure_ascii=False)


def urgent(**overrides: Any) -> str:
    """An orange notice (imminent threat): priority 1, needs a second confirmation."""
    data = {k: v for k, v in message().items() if k != "purpose"}
    data.update(
        kind="orange_notice",
        references={"interpol": "2019/77777"},
        issuing_country="FR",
        flags=["imminent_threat"],
        subjects=[{"forename": "Karim", "name": "Benali", "date_of_birth": "1990-01-02"}],
    )
    data.update(overrides)
    return json.dumps(data, ensure_ascii=False)
