"""JSON Schema of the facts format (docs/policy-schema.md, "Facts"): what the dossier hands the
engine for one subject (`FACTS_SCHEMA`) or a population (`POPULATION_SCHEMA`). The policy-file
format is in schema.py."""

from __future__ import annotations

from typing import Any

JSON = dict[str, Any]

DATE: JSON = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"}

ATTRS: JSON = {
    "type": "object",
    "additionalProperties": {"type": ["string", "integer", "boolean", "null"]},
}

FACT: JSON = {
    "type": "object",
    "required": ["id", "kind", "date"],
    "properties": {
        "id": {
            "type": "string",
            "pattern": "^[^>]+$",
            "description": "no '>' (derived facts use it)",
        },
        "kind": {
            "enum": [
                "certificate",
                "competition_result",
                "title",
                "appointment",
                "studio",
                "training_base",
                "training",
                "apprenticeship",
                "evaluation_filing",
                "employment",
                "insurance",
                "event",
            ]
        },
        "code": {"type": ["string", "null"]},
        "level": {"type": ["string", "null"]},
        "date": DATE,
        "amount_fen": {"type": ["integer", "null"], "minimum": 0},
        "issuer": {"type": ["string", "null"]},
        "region": {"type": ["string", "null"]},
        "attrs": ATTRS,
        "supersedes": {
            "oneOf": [
                {"type": "null"},
                {"type": "string"},
                {"type": "array", "items": {"type": "string"}},
            ]
        },
    },
    "additionalProperties": False,
}

SUBJECT: JSON = {
    "type": "object",
    "required": ["id", "kind", "region"],
    "properties": {
        "id": {"type": "string", "minLength": 1},
        "kind": {
            "enum": [
                "person",
                "enterprise",
                "institution",
                "college",
                "evaluation_org",
                "bureau",
                "association",
            ]
        },
        "region": {"type": "string", "pattern": r"^\d{2,12}$"},
        "birth_date": {"oneOf": [DATE, {"type": "null"}]},
        "sex": {"enum": ["M", "F", None]},
        "attrs": ATTRS,
    },
    "additionalProperties": False,
}

FACTS_SCHEMA: JSON = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://jineng.example/schema/facts.json",
    "title": "jineng facts: one subject (person or organisation) and its dossier facts",
    "description": (
        "Money in fen (integers). Dates ISO. A fact whose id is listed in another fact's "
        "`supersedes` is dropped before judging. Facts dated after the evaluation date are not seen."
    ),
    "type": "object",
    "required": ["subject", "facts"],
    "properties": {"subject": SUBJECT, "facts": {"type": "array", "items": FACT}},
    "additionalProperties": False,
}

POPULATION_SCHEMA: JSON = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://jineng.example/schema/population.json",
    "title": "jineng population: a list of facts documents",
    "type": "array",
    "items": {"$ref": "https://jineng.example/schema/facts.json"},
}
