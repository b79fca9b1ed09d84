"""The catalogue of the policy files: documents, items, amounts and schedules in Chinese."""

from __future__ import annotations

import datetime as dt
import textwrap
from dataclasses import dataclass
from functools import cache

from django.http import Http404

from jineng.policy import labels
from jineng.policy.engine.loader import DATA_DIR
from jineng.policy.engine.model import Document, Item
from jineng.policy.selectors.amounts import describe_amount, describe_rules, describe_schedule
from jineng.policy.selectors.documents import (
    BENEFICIARY_ZH,
    DOCUMENT_STATUS_ZH,
    ITEM_KIND_ZH,
    policies,
)
from jineng.policy.selectors.explanation import (
    _reading,
    _trigger_words,
    document_status_on,
)

# --- catalogue --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CatalogueItem:
    item: Item
    kind_label: str


@dataclass(frozen=True)
class CatalogueDocument:
    document: Document
    status: str  # on the chosen date: in_force | expired | draft | not_yet
    status_label: str
    source: str  # 《title》（number）
    jurisdiction_label: str
    items: tuple[CatalogueItem, ...]  # in file order


def catalogue(on: dt.date) -> list[CatalogueDocument]:
    """The documents with their status on `on` (their period and declared status, not a flag)."""
    loaded = policies()
    labels.region_names(d.jurisdiction for d in loaded.documents)
    out = []
    for doc in loaded.documents:
        status = document_status_on(doc, on)
        out.append(
            CatalogueDocument(
                document=doc,
                status=status,
                status_label=DOCUMENT_STATUS_ZH[status],
                source=labels.document_source(doc),
                jurisdiction_label=labels.jurisdiction_label(doc),
                items=tuple(
                    CatalogueItem(i, ITEM_KIND_ZH.get(str(i.kind), "其他"))
                    for i in loaded.items_of(doc.id)
                ),
            )
        )
    return out


@dataclass(frozen=True)
class VersionLine:
    valid_from: dt.date | None
    text: str


@dataclass(frozen=True)
class ItemDetail:
    item: Item
    document: Document
    document_status: str
    source: str  # 《title》（number）
    kind_label: str
    beneficiary_label: str
    trigger: str  # in words
    reading: str | None  # in the page's language
    versions: tuple[VersionLine, ...]
    rules: tuple[str, ...]
    schedule_text: str


def policy_item(item_id: str) -> Item:
    try:
        return policies().item(item_id)
    except KeyError:
        raise Http404("政策条目不存在") from None


def item_detail(item_id: str, on: dt.date) -> ItemDetail:
    item = policy_item(item_id)
    document = policies().document(item.document_id)
    return ItemDetail(
        item=item,
        document=document,
        document_status=DOCUMENT_STATUS_ZH[document_status_on(document, on)],
        source=labels.document_source(document),
        kind_label=ITEM_KIND_ZH.get(str(item.kind), "其他"),
        beneficiary_label=BENEFICIARY_ZH.get(item.beneficiary, "其他"),
        trigger=_trigger_words(item),
        reading=_reading(item),
        versions=tuple(VersionLine(v.valid_from, describe_amount(v.amount)) for v in item.versions),
        rules=tuple(describe_rules(item.rules)),
        schedule_text=describe_schedule(item.schedule),
    )


def item_source_yaml(item_id: str) -> str:
    """The item's block of its YAML file (for the analysts, as a plain-text download)."""
    item = policy_item(item_id)
    return _item_source(policies().document(item.document_id).file, item_id)


@cache
def _item_source(file: str, item_id: str) -> str:
    """The item's block of its YAML file, verbatim (the analyst reads it beside the text)."""
    lines = (DATA_DIR / file).read_text(encoding="utf-8").splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip() == f"- id: {item_id}"), None)
    if start is None:
        return ""
    indent = len(lines[start]) - len(lines[start].lstrip())
    end = start + 1
    while end < len(lines):
        line = lines[end]
        stripped = line.lstrip()
        if stripped and (len(line) - len(stripped)) <= indent:  # the next item or a comment
            break
        end += 1
    return textwrap.dedent("\n".join(lines[start:end])).rstrip()
