"""drf-spectacular hook: every operation documents its RFC 7807 error responses."""

from __future__ import annotations

from typing import Any

PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 7807 problem details.",
    "properties": {
        "type": {"type": "string", "example": "about:blank"},
        "title": {"type": "string", "example": "Ongeldige invoer"},
        "status": {"type": "integer", "example": 400},
        "detail": {"type": "string"},
        "instance": {"type": "string", "example": "/api/v1/locate/"},
        "errors": {
            "type": "object",
            "additionalProperties": True,
            "description": "field name -> list of messages (validation errors only)",
        },
    },
    "required": ["type", "title", "status"],
}
ERRORS = {
    "400": "Ongeldige invoer (zie errors)",
    "401": "Niet aangemeld",
    "403": "Geen toegang (need-to-know)",
    "404": "Niet gevonden",
    "500": "Interne fout",
}


def add_problem_responses(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    ref = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for path in result.get("paths", {}).values():
        for operation in path.values():
            responses = operation.setdefault("responses", {})
            for code, description in ERRORS.items():
                responses.setdefault(code, {"description": description, "content": ref})
    return result
