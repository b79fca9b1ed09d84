"""Explanations and budgets as JSON-ready dicts (CLI `--format json`, the API)."""

from __future__ import annotations

from typing import Any

from jineng.policy.engine.budget import Budget, WhatIf
from jineng.policy.engine.model import Item
from jineng.policy.engine.money import format_yuan
from jineng.policy.engine.outcome import STATUS_ZH, Entitlement, Explanation, ItemOutcome


def citation_json(item: Item) -> dict[str, str]:
    c = item.citation
    return {"file": c.file, "section": c.section, "article": c.article, "quote": c.quote}


def entitlement_json(e: Entitlement) -> dict[str, Any]:
    return {
        "fact_id": e.fact_id,
        "trigger_date": e.trigger_date.isoformat(),
        "status": str(e.status),
        "status_zh": STATUS_ZH[e.status],
        "fen": e.fen,
        "yuan": format_yuan(e.fen),
        "amount_fen": e.amount_fen,
        "min_fen": e.min_fen,
        "max_fen": e.max_fen,
        "discretionary": e.discretionary,
        "may_be_more": e.may_be_more,
        "branch": e.branch,
        "reason": e.reason,
        "version_from": e.version_from.isoformat() if e.version_from else None,
        "schedule": [{"date": p.date.isoformat(), "fen": p.fen} for p in e.schedule],
    }


def item_outcome_json(o: ItemOutcome) -> dict[str, Any]:
    return {
        "item": o.item.id,
        "title": o.item.title,
        "document": o.item.document_id,
        "kind": str(o.item.kind),
        "beneficiary": o.item.beneficiary,
        "status": str(o.status),
        "status_zh": STATUS_ZH[o.status],
        "fen": o.fen,
        "yuan": format_yuan(o.fen),
        "reason": o.reason,
        "reading": o.item.reading,
        "citation": citation_json(o.item),
        "entitlements": [entitlement_json(e) for e in o.entitlements],
    }


def explanation_json(x: Explanation) -> dict[str, Any]:
    return {
        "subject": x.subject_id,
        "subject_kind": x.subject_kind,
        "region": x.region,
        "on": x.on.isoformat(),
        "total_fen": x.total_fen,
        "total_yuan": format_yuan(x.total_fen),
        "documents": [
            {
                "id": d.document.id,
                "title": d.document.title,
                "status": d.document.status,
                "applicable": d.applicable,
                "reason": d.reason,
            }
            for d in x.documents
        ],
        "items": [item_outcome_json(o) for o in x.items],
        "derived_facts": [
            {
                "id": f.id,
                "kind": f.kind,
                "code": f.code,
                "level": f.level,
                "date": f.date.isoformat(),
                "by": f.derived_from,
            }
            for f in x.derived_facts
        ],
        "notes": list(x.notes),
    }


def budget_json(budget: Budget) -> dict[str, Any]:
    return {
        "on": budget.on.isoformat(),
        "total_fen": budget.total_fen,
        "by_item_year": budget.by_item_year().to_dicts(),
        "by_item_year_region": budget.table.to_dicts(),
    }


def what_if_json(w: WhatIf) -> dict[str, Any]:
    return {
        "overrides": list(w.overrides),
        "baseline": budget_json(w.baseline),
        "scenario": budget_json(w.scenario) if w.overrides else None,
        "delta_fen": w.delta_fen,
        "delta_by_item_year": w.delta_by_item_year().to_dicts() if w.overrides else [],
    }
