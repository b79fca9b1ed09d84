"""Load and validate every policy file under jineng/policy/data/.

Each file is checked against POLICY_FILE_SCHEMA, then built into the typed model; cross-file checks
follow (unique ids, references, layers). Every error names the file, the item id and the field.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match

from jineng.policy.engine import parse, yamlio
from jineng.policy.engine.errors import PolicyError
from jineng.policy.engine.model import (
    Amount,
    Document,
    Item,
    ItemKind,
    Match,
    PercentOf,
    Policies,
    Predicate,
    QuotaRule,
    Uplift,
    Version,
)
from jineng.policy.engine.schema import POLICY_FILE_SCHEMA

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
_VALIDATOR = Draft202012Validator(POLICY_FILE_SCHEMA)


def _jsonable(value: Any) -> Any:
    """YAML dates → ISO strings (the schema and the model read dates as strings)."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {_key(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


def _key(key: Any) -> str:
    """Mapping keys are strings: YAML `true:` → "true", `3:` → "3" (as fact values are compared)."""
    if isinstance(key, bool):
        return "true" if key else "false"
    return str(key)


def read_file(path: Path) -> dict[str, Any]:
    try:
        data = yamlio.load(path.read_text(encoding="utf-8"), name=path.name)
    except yamlio.DuplicateKeyError as exc:
        raise PolicyError(exc.message, file=path.name) from None
    except yaml.YAMLError as exc:
        raise PolicyError(f"not valid YAML: {exc}", file=path.name) from None
    if not isinstance(data, Mapping):
        raise PolicyError("a policy file is a mapping with document: and items:", file=path.name)
    return dict(_jsonable(data))


def _describe(error: ValidationError) -> str:
    return error.message if len(error.message) < 300 else error.message[:300] + "…"


def validate(data: Mapping[str, Any], file: str) -> None:
    """Raise one PolicyError listing every schema violation (file, item id, field)."""
    problems = []
    for error in sorted(
        _VALIDATOR.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path]
    ):
        leaf = best_match([error]) or error
        path = list(leaf.absolute_path)
        item = None
        if len(path) >= 2 and path[0] == "items" and isinstance(path[1], int):
            raw_items = data.get("items") or []
            raw = raw_items[path[1]] if path[1] < len(raw_items) else {}
            item = raw.get("id", f"#{path[1]}") if isinstance(raw, Mapping) else f"#{path[1]}"
            path = path[2:]
        field = ".".join(str(p) for p in path) or "(top)"
        problems.append(str(PolicyError(_describe(leaf), file=file, item=item, field=field)))
    if problems:
        raise PolicyError("schema violations:\n  " + "\n  ".join(problems), file=file)


def _amount_refs(amount: Amount | None) -> tuple[set[str], set[str]]:
    """(uplift bases, percent_of items) referenced by an amount form."""
    if isinstance(amount, Uplift):
        return {amount.base_item}, set()
    if isinstance(amount, PercentOf):
        return set(), {*amount.items, *amount.exclude}
    if isinstance(amount, Match):
        return _amount_refs(amount.otherwise)
    return set(), set()


def _quota_spec(raw: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """A quota item states its number under `quota:` (or, equivalently, `rules: {quota: …}`)."""
    if raw["kind"] != "quota":
        return None
    spec = raw.get("quota") or (raw.get("rules") or {}).get("quota")
    return spec if isinstance(spec, Mapping) else None


def _build_item(
    raw: Mapping[str, Any],
    doc: Document,
    order: int,
    conditions: Mapping[str, tuple[Predicate, ...]],
    quotas: Mapping[str, QuotaRule],
) -> Item:
    item_id = raw["id"]
    if not item_id.startswith(doc.prefix + "."):
        raise parse.FieldError("id", f"item ids start with the document prefix {doc.prefix!r}.")
    kind = ItemKind(raw["kind"])
    versions: list[Version] = []
    base_amount = parse.at("amount", parse.amount, raw["amount"]) if raw.get("amount") else None
    if base_amount is not None:
        versions.append(Version(None, base_amount))
    dated = []
    for i, value in enumerate(raw.get("values") or []):
        dated.append(
            Version(
                parse.parse_date(value["from"]),
                parse.at(f"values[{i}].amount", parse.amount, value["amount"]),
            )
        )
    dated.sort(key=lambda v: v.valid_from or date.min)
    if len({v.valid_from for v in dated}) != len(dated):
        raise parse.FieldError("values", "two versions start on the same date")
    versions.extend(dated)
    valid = raw.get("valid") or {}
    raw_rules = raw.get("rules")
    if kind is ItemKind.QUOTA:
        raw_rules = {k: v for k, v in (raw_rules or {}).items() if k != "quota"}
    item_rules = parse.at("rules", parse.rules, raw_rules, item_id, quotas)
    if kind is ItemKind.MONEY and raw.get("trigger") and not versions:
        raise parse.FieldError("amount", "a money item with a trigger needs an amount (or values)")
    if kind in (ItemKind.TITLE, ItemKind.RECOGNITION):
        if raw.get("trigger") and not raw.get("grants"):
            raise parse.FieldError("grants", f"a {kind} item states what it grants")
        if (
            item_rules.group
            or item_rules.quota
            or item_rules.per_year
            or item_rules.once is not None
        ):
            raise parse.FieldError(
                "rules", f"rules are not applied to {kind} items; put them on the money items"
            )
    quota_spec = _quota_spec(raw)
    if kind is ItemKind.QUOTA and not quota_spec:
        raise parse.FieldError(
            "quota", "a quota item states its quota: {per_year: N} or {total: N}"
        )
    return Item(
        id=item_id,
        title=raw["title"],
        kind=kind,
        document_id=doc.id,
        citation=parse.citation(raw["citation"]),
        beneficiary=raw["beneficiary"],
        trigger=parse.trigger(raw.get("trigger")),
        conditions=parse.predicates(raw.get("conditions"), "conditions", conditions),
        exclusions=parse.predicates(raw.get("exclusions"), "exclusions", conditions),
        versions=tuple(versions),
        schedule=parse.at("schedule", parse.schedule, raw.get("schedule"), base_amount),
        rules=item_rules,
        valid_from=parse.parse_date(valid["from"]) if "from" in valid else doc.effective_from,
        valid_to=parse.parse_date(valid["to"]) if "to" in valid else doc.effective_to,
        reading=raw.get("reading"),
        reading_en=raw.get("reading_en"),
        grants=parse.grant(raw.get("grants")),
        quota=parse.at("quota", parse.quota, quota_spec, item_id) if quota_spec else None,
        order=order,
    )


def _with_layers(items: list[Item], files: Mapping[str, str]) -> list[Item]:
    """Check references; give each uplift item the layer after its base's (cycles rejected)."""
    by_id = {i.id: i for i in items}
    bases: dict[str, set[str]] = {}
    for item in items:
        ups: set[str] = set()
        for version in item.versions:
            up, pct = _amount_refs(version.amount)
            for ref in up | pct:
                if ref not in by_id or not by_id[ref].versions:
                    raise PolicyError(
                        f"references {ref!r}, which is not a loaded money item",
                        file=files[item.id],
                        item=item.id,
                        field="amount",
                    )
            ups |= up
        bases[item.id] = ups
    layers: dict[str, int] = {}

    def layer(item_id: str, seen: tuple[str, ...]) -> int:
        if item_id in seen:
            raise PolicyError(
                f"uplift cycle: {' → '.join((*seen, item_id))}", file=files[item_id], item=item_id
            )
        if item_id not in layers:
            layers[item_id] = max(
                (1 + layer(b, (*seen, item_id)) for b in bases[item_id]), default=0
            )
        return layers[item_id]

    out = []
    for item in items:
        out.append(Item(**{**item.__dict__, "layer": layer(item.id, ())}))
    groups: dict[str, set[int]] = {}
    for item in out:
        if item.rules.group:
            groups.setdefault(item.rules.group.id, set()).add(item.layer)
    for group_id, group_layers in groups.items():
        if len(group_layers) > 1:
            raise PolicyError(f"group {group_id!r} mixes uplift items with their bases")
    return out


def load_policies(paths: Iterable[Path] | None = None) -> Policies:
    """Load every *.yaml under jineng/policy/data/ (or the given files), validated and cross-checked."""
    files = sorted(paths) if paths is not None else sorted(DATA_DIR.glob("*.yaml"))
    raws = []
    for path in files:
        data = read_file(path)
        validate(data, path.name)
        raws.append((path.name, data))
    # Condition and quota items are referenced across files: collect them first.
    conditions: dict[str, tuple[Predicate, ...]] = {}
    quotas: dict[str, QuotaRule] = {}
    for name, data in raws:
        for raw in data["items"]:
            spec = _quota_spec(raw)
            if spec is not None:
                quotas[raw["id"]] = _wrap(name, raw["id"], "quota", parse.quota, spec, raw["id"])
    for name, data in raws:
        for raw in data["items"]:
            if raw["kind"] == "condition":
                conditions[raw["id"]] = _wrap(
                    name, raw["id"], "", parse.predicates, raw.get("conditions"), "conditions", {}
                )
    documents: list[Document] = []
    items: list[Item] = []
    item_files: dict[str, str] = {}
    seen_prefix: dict[str, str] = {}
    for name, data in raws:
        doc = _wrap(
            name, None, "document", parse.document, data["document"], data.get("vocabulary"), name
        )
        if doc.prefix in seen_prefix:
            raise PolicyError(
                f"prefix {doc.prefix!r} is also used by {seen_prefix[doc.prefix]}", file=name
            )
        seen_prefix[doc.prefix] = name
        documents.append(doc)
        for raw in data["items"]:
            if raw["id"] in item_files:
                raise PolicyError(
                    f"duplicate item id (also in {item_files[raw['id']]})",
                    file=name,
                    item=raw["id"],
                )
            item_files[raw["id"]] = name
            items.append(
                _wrap(name, raw["id"], "", _build_item, raw, doc, len(items), conditions, quotas)
            )
    return Policies(documents=tuple(documents), items=tuple(_with_layers(items, item_files)))


def _wrap(file: str, item: str | None, field: str, fn: Any, *args: Any) -> Any:
    try:
        return fn(*args)
    except parse.FieldError as exc:
        path = ".".join(p for p in (field, exc.field) if p)
        raise PolicyError(exc.message, file=file, item=item, field=path) from None
    except (ValueError, KeyError) as exc:
        raise PolicyError(str(exc), file=file, item=item, field=field) from None
