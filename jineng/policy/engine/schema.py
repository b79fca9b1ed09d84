"""JSON Schemas: the policy-file format (docs/policy-schema.md) and the facts format.

`jineng policy schema` prints FACTS_SCHEMA; `--policy-file` prints POLICY_FILE_SCHEMA. YAML dates
are turned into ISO strings before validation (loader.py), so dates are strings here.
"""

from __future__ import annotations

from typing import Any

JSON = dict[str, Any]

DATE: JSON = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
YUAN: JSON = {
    "description": "yuan: an integer, or a decimal string with at most two decimals",
    "oneOf": [
        {"type": "integer", "minimum": 0},
        {"type": "string", "pattern": r"^\d{1,13}(\.\d{1,2})?$"},
    ],
}
NUMBER: JSON = {
    "description": "a non-negative number (percent, ratio): integer, decimal string or literal",
    "anyOf": [
        {"type": "number", "minimum": 0},
        {"type": "string", "pattern": r"^\d{1,9}(\.\d{1,6})?$"},
    ],
}
COUNT: JSON = {"type": "integer", "minimum": 1}
STR_OR_LIST: JSON = {
    "oneOf": [
        {"type": "string"},
        {"type": "array", "items": {"type": "string"}, "minItems": 1},
    ]
}
SCALAR: JSON = {"type": ["string", "integer", "boolean"]}
SCALAR_OR_LIST: JSON = {"oneOf": [SCALAR, {"type": "array", "items": SCALAR}]}
FACT_FIELD: JSON = {"type": "string", "pattern": r"^(amount_fen|attrs\.[A-Za-z0-9_]+)$"}
LABEL: JSON = {"type": ["string", "null"]}
COUNT_OR_FIELD: JSON = {
    "description": "a whole number, or a field of the trigger fact holding it (attrs.months)",
    "oneOf": [COUNT, FACT_FIELD],
}
TRIGGER_FIELD = r"^(kind|code|level|region|issuer|occupation|attrs\.[A-Za-z0-9_]+)$"
OPS = ["eq", "ne", "in", "not_in", "lt", "le", "gt", "ge", "under"]
DURATION: JSON = {
    "type": "object",
    "properties": {
        "years": {"type": "integer"},
        "months": {"type": "integer"},
        "days": {"type": "integer"},
    },
    "additionalProperties": False,
    "minProperties": 1,
}


def _extensible(props: JSON, required: list[str] | None = None) -> JSON:
    """An object with exactly these keys, plus any `x-…` key for writers' own annotations."""
    out: JSON = {
        "type": "object",
        "properties": props,
        "patternProperties": {"^x-": {}},
        "additionalProperties": False,
    }
    if required:
        out["required"] = required
    return out


MONEY_OR_RANGE: JSON = {
    "oneOf": [
        YUAN,
        _extensible({"min": YUAN, "max": YUAN}, ["min", "max"]),
    ]
}


def _form(name: str, props: JSON, required: list[str]) -> JSON:
    return {
        "if": {"properties": {"form": {"const": name}}, "required": ["form"]},
        "then": _extensible({"form": {"const": name}, **props}, ["form", *required]),
    }


AMOUNT_FORMS = [
    "fixed",
    "by_category",
    "range",
    "minimum",
    "maximum",
    "monthly",
    "percent_of",
    "match",
    "per_threshold",
    "uplift",
    "per_unit",
    "unstated",
]

AMOUNT: JSON = {
    "type": "object",
    "required": ["form"],
    "properties": {"form": {"enum": AMOUNT_FORMS}},
    "allOf": [
        _form("fixed", {"value": MONEY_OR_RANGE}, ["value"]),
        _form(
            "by_category",
            {
                "key": {"type": "string", "pattern": r"^(level|code|attrs\.[A-Za-z0-9_]+)$"},
                "table": {
                    "type": "object",
                    "additionalProperties": MONEY_OR_RANGE,
                    "minProperties": 1,
                },
                "default": {"oneOf": [MONEY_OR_RANGE, {"type": "null"}]},
            },
            ["key", "table"],
        ),
        _form("range", {"min": YUAN, "max": YUAN}, ["min", "max"]),
        _form("minimum", {"value": YUAN}, ["value"]),
        _form("maximum", {"value": YUAN}, ["value"]),
        _form(
            "monthly",
            {"value": MONEY_OR_RANGE, "months": COUNT_OR_FIELD, "at_most": FACT_FIELD},
            ["value", "months"],
        ),
        _form(
            "percent_of",
            {
                "percent": NUMBER,
                "of": {
                    "oneOf": [
                        FACT_FIELD,
                        _extensible(
                            {
                                "items": {
                                    "type": "array",
                                    "items": {"type": "string"},
                                    "minItems": 1,
                                },
                                "exclude": {"type": "array", "items": {"type": "string"}},
                            },
                            ["items"],
                        ),
                    ]
                },
                "scope": {"enum": ["same_event", "same_fact"]},
            },
            ["percent", "of"],
        ),
        _form(
            "match",
            {
                "ratio": NUMBER,
                "of": FACT_FIELD,
                "otherwise": {"oneOf": [{"type": "null"}, {"$ref": "#/$defs/amount"}]},
            },
            ["ratio", "of"],
        ),
        _form(
            "per_threshold",
            {
                "per": COUNT,
                "value": MONEY_OR_RANGE,
                "count": FACT_FIELD,
                "cap": {"oneOf": [YUAN, {"type": "null"}]},
            },
            ["per", "value", "count"],
        ),
        _form(
            "uplift",
            {"percent": NUMBER, "base": _extensible({"item": {"type": "string"}}, ["item"])},
            ["percent", "base"],
        ),
        _form(
            "per_unit",
            {
                "value": MONEY_OR_RANGE,
                "count": FACT_FIELD,
                "cap": {"oneOf": [YUAN, {"type": "null"}]},
                "at_most": FACT_FIELD,
            },
            ["value", "count"],
        ),
        _form("unstated", {"basis": {"type": "string", "minLength": 1}}, ["basis"]),
    ],
}

_COMPARE = {
    "op": {"enum": OPS},
    "value": SCALAR_OR_LIST,
    "label": LABEL,
}

PREDICATE: JSON = {
    "type": "object",
    "properties": {
        "attr": _extensible(
            {"name": {"type": "string"}, **_COMPARE, "on": DATE}, ["name", "op", "value"]
        ),
        "fact": _extensible(
            {
                "kind": {"type": "string"},
                "code": STR_OR_LIST,
                "level": STR_OR_LIST,
                "role": STR_OR_LIST,
                "attrs": {"type": "object", "additionalProperties": SCALAR_OR_LIST},
                "within": _extensible(
                    {
                        "years": {"type": "integer", "minimum": 0},
                        "months": {"type": "integer", "minimum": 0},
                        "days": {"type": "integer", "minimum": 0},
                        "before": {"const": "trigger"},
                        "after": {"const": "trigger"},
                    }
                ),
                "label": LABEL,
            },
            ["kind"],
        ),
        "trigger": _extensible(
            {
                "field": {
                    "type": "string",
                    "pattern": r"^(code|level|date|region|issuer|amount_fen|occupation|attrs\.[A-Za-z0-9_]+)$",
                },
                **_COMPARE,
            },
            ["field", "op", "value"],
        ),
        "elapsed": _extensible(
            {
                "since": {"const": "trigger"},
                "at_least": DURATION,
                "at_most": DURATION,
                "label": LABEL,
            }
        ),
        "any": {"type": "array", "items": {"$ref": "#/$defs/predicate"}, "minItems": 1},
        "all": {"type": "array", "items": {"$ref": "#/$defs/predicate"}, "minItems": 1},
        "not": {"$ref": "#/$defs/predicate"},
        "ref": {"type": "string"},
        "label": LABEL,
    },
    "patternProperties": {"^x-": {}},
    "additionalProperties": False,
    "oneOf": [
        {"required": [k]}
        for k in ("attr", "fact", "trigger", "elapsed", "any", "all", "not", "ref")
    ],
}

SCHEDULE: JSON = {
    "type": "object",
    "required": ["form"],
    "properties": {"form": {"enum": ["one_off", "instalments", "monthly", "after", "yearly"]}},
    "allOf": [
        _form("one_off", {}, []),
        _form(
            "instalments",
            {
                "parts": {
                    "type": "array",
                    "minItems": 1,
                    "items": _extensible(
                        {"percent": NUMBER, "after_months": {"type": "integer", "minimum": 0}},
                        ["percent", "after_months"],
                    ),
                }
            },
            ["parts"],
        ),
        _form("monthly", {"months": COUNT_OR_FIELD}, ["months"]),
        _form("after", {"months": {"type": "integer", "minimum": 0}, "label": LABEL}, ["months"]),
        _form("yearly", {"years": COUNT}, ["years"]),
    ],
}

QUOTA: JSON = _extensible(
    {
        "ref": {"type": "string"},
        "per_year": COUNT,
        "total": COUNT,
        "scope": {"enum": ["jurisdiction", "region"]},
        "unit": {"enum": ["payment", "subject"]},
        "tie_break": {
            "type": "array",
            "items": {
                "type": "string",
                "pattern": r"^(level|date|subject_id|fact_id|fen|attrs\.[A-Za-z0-9_]+) (asc|desc)$",
            },
        },
    }
)

RULES: JSON = {
    "oneOf": [
        {"type": "null"},
        _extensible(
            {
                "group": _extensible(
                    {"id": {"type": "string"}, "rule": {"const": "highest"}}, ["id"]
                ),
                "once": {
                    "oneOf": [
                        {"type": "null"},
                        {"type": "boolean"},
                        {
                            "type": "array",
                            "items": {"type": "string", "pattern": TRIGGER_FIELD},
                        },
                    ]
                },
                "no_lower_after_higher": {"type": "boolean"},
                "per_year": {"oneOf": [COUNT, {"type": "null"}]},
                "quota": {"oneOf": [QUOTA, {"type": "null"}]},
            }
        ),
    ]
}

CITATION: JSON = _extensible(
    {
        "file": {"type": "string", "minLength": 1},
        "section": {"type": "string"},
        "article": {"type": ["string", "integer"]},
        "quote": {"type": "string", "minLength": 1},
    },
    ["file", "quote"],
)

BENEFICIARIES = [
    "person",
    "coach_team",
    "expert_team",
    "enterprise",
    "institution",
    "college",
    "master_studio",
    "training_base",
    "host_unit",
    "organisation",
]

ITEM: JSON = _extensible(
    {
        "id": {"type": "string", "pattern": r"^[a-z0-9]+(\.[a-z0-9_]+)+$"},
        "title": {"type": "string", "minLength": 1},
        "kind": {"enum": ["money", "title", "quota", "recognition", "condition"]},
        "citation": CITATION,
        "beneficiary": {"enum": BENEFICIARIES},
        "trigger": {
            "oneOf": [
                {"type": "null"},
                _extensible(
                    {
                        "kind": {"type": "string"},
                        "code": STR_OR_LIST,
                        "level": STR_OR_LIST,
                        "role": STR_OR_LIST,
                    },
                    ["kind"],
                ),
            ]
        },
        "conditions": {
            "oneOf": [{"type": "null"}, {"type": "array", "items": {"$ref": "#/$defs/predicate"}}]
        },
        "exclusions": {
            "oneOf": [{"type": "null"}, {"type": "array", "items": {"$ref": "#/$defs/predicate"}}]
        },
        "amount": {"oneOf": [{"type": "null"}, {"$ref": "#/$defs/amount"}]},
        "schedule": {"oneOf": [{"type": "null"}, SCHEDULE]},
        "rules": RULES,
        "valid": _extensible(
            {"from": {"oneOf": [DATE, {"type": "null"}]}, "to": {"oneOf": [DATE, {"type": "null"}]}}
        ),
        "values": {
            "oneOf": [
                {"type": "null"},
                {
                    "type": "array",
                    "items": _extensible(
                        {"from": DATE, "amount": {"$ref": "#/$defs/amount"}}, ["from", "amount"]
                    ),
                },
            ]
        },
        "reading": {"type": ["string", "null"]},
        "reading_en": {"type": ["string", "null"]},
        "grants": {
            "oneOf": [
                {"type": "null"},
                _extensible(
                    {
                        "kind": {"type": "string"},
                        "code": {"type": "string"},
                        "level": {"type": ["string", "null"]},
                    },
                    ["kind", "code"],
                ),
            ]
        },
        "quota": {"oneOf": [{"type": "null"}, QUOTA]},
        "notes": {"type": ["string", "null"]},
    },
    ["id", "title", "kind", "citation", "beneficiary"],
)

DOCUMENT: JSON = _extensible(
    {
        "id": {"type": "string", "pattern": r"^[a-z0-9][a-z0-9-]*$"},
        "prefix": {"type": "string", "pattern": r"^[a-z0-9]+$"},
        "title": {"type": "string", "minLength": 1},
        "issuer": {"type": "string"},
        "number": {"type": ["string", "null"]},
        "issued": {"oneOf": [DATE, {"type": "null"}]},
        "effective": _extensible(
            {"from": {"oneOf": [DATE, {"type": "null"}]}, "to": {"oneOf": [DATE, {"type": "null"}]}}
        ),
        "jurisdiction": {"type": "string", "pattern": r"^(\d{0,12}|\$\{[a-z_]+\})$"},
        "parameters": {
            "type": ["object", "null"],
            "additionalProperties": _extensible(
                {"default": {"type": ["string", "null"]}, "doc": {"type": "string"}}
            ),
        },
        "source": {"type": "string"},
        "status": {"enum": ["in_force", "draft", "expired"]},
        "notes": {"type": ["string", "null"]},
    },
    ["id", "prefix", "title", "issuer", "jurisdiction", "source", "status"],
)

POLICY_FILE_SCHEMA: JSON = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://jineng.example/schema/policy-file.json",
    "title": "jineng policy file (one source document)",
    "type": "object",
    "required": ["document", "items"],
    "properties": {
        "document": DOCUMENT,
        "vocabulary": {
            "type": ["object", "null"],
            "additionalProperties": {"type": "object", "additionalProperties": {"type": "string"}},
        },
        "items": {"type": "array", "items": ITEM},
    },
    "patternProperties": {"^x-": {}},
    "additionalProperties": False,
    "$defs": {"amount": AMOUNT, "predicate": PREDICATE},
}

# The facts format lives in facts_schema.py; imported here so `schema.FACTS_SCHEMA` keeps working.
from jineng.policy.engine.facts_schema import FACTS_SCHEMA as FACTS_SCHEMA  # noqa: E402
from jineng.policy.engine.facts_schema import POPULATION_SCHEMA as POPULATION_SCHEMA  # noqa: E402
