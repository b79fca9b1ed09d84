"""Writes to the dossier. Facts are appended, never changed: a correction is a new fact that
supersedes the old one. Every write is audited (one entry per fact; imports use the batch form)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction

from jineng.audit.services import audit_record, audit_record_batch
from jineng.dossier.errors import FactAlreadyCorrected, FactInvalid
from jineng.dossier.models import Fact, FactKind, SubjectType
from jineng.dossier.vocabulary import check_code_and_level
from jineng.identity.models import Person
from jineng.organisations.models import Organisation

if TYPE_CHECKING:
    from jineng.identity.models import User

AttrValue = str | int | bool | None
AUDIT_OBJECT_TYPE = "fact"

# Fields a correction may change. The subject may not: a fact recorded against the wrong person
# is corrected on that person (e.g. `attrs={"void": True}`) and appended to the right one.
CORRECTABLE_FIELDS = (
    "kind",
    "code",
    "level",
    "date",
    "amount_fen",
    "issuer",
    "issuer_name",
    "region",
    "attrs",
    "source_ref",
)
_ATTR_KEY = re.compile(r"^[A-Za-z0-9_]{1,64}$")
_REGION = re.compile(r"^(\d{2,6}|\d{9})$")  # GB/T 2260 prefix or code, or a 镇街 (9 digits)
_EARLIEST = dt.date(1900, 1, 1)


def subject_region(subject: Person | Organisation) -> str:
    if isinstance(subject, Person):
        return subject.residence_region_id or subject.hukou_region_id or ""
    return subject.region_id or ""


def _check_attrs(attrs: Mapping[str, Any]) -> dict[str, AttrValue]:
    """Facts carry flat attributes of JSON scalars (the facts schema allows no floats or nesting:
    money is integer fen, fractions are not facts)."""
    checked: dict[str, AttrValue] = {}
    for key, value in attrs.items():
        if not isinstance(key, str) or not _ATTR_KEY.match(key):
            raise FactInvalid("attrs", f"属性名“{key}”应为字母、数字和下划线")
        if value is not None and not isinstance(value, str | int | bool):
            raise FactInvalid("attrs", f"属性“{key}”的值应为文字、整数或是/否")
        checked[key] = value
    return checked


def fact_build(
    *,
    subject: Person | Organisation,
    kind: str,
    code: str = "",
    level: str = "",
    date: dt.date,
    amount_fen: int | None = None,
    issuer: Organisation | None = None,
    issuer_name: str = "",
    region: str = "",
    attrs: Mapping[str, Any] | None = None,
    source: str,
    source_ref: str = "",
    actor: User | None = None,
) -> Fact:
    """Validate and build an unsaved Fact (shared by fact_append, fact_correct and bulk loads)."""
    if subject.pk is None:
        raise FactInvalid("subject", "主体尚未保存")
    if kind not in FactKind.values:
        raise FactInvalid("kind", f"未知的事实类别“{kind}”")
    code, level = (code or "").strip(), (level or "").strip()
    for field, message in check_code_and_level(kind, code, level):
        raise FactInvalid(field, message)
    if not isinstance(date, dt.date) or isinstance(date, dt.datetime):
        raise FactInvalid("date", "日期应为日期（不含时间）")
    if date < _EARLIEST:
        raise FactInvalid("date", f"日期{date.isoformat()}早于1900年")
    if amount_fen is not None and (
        isinstance(amount_fen, bool) or not isinstance(amount_fen, int) or amount_fen < 0
    ):
        raise FactInvalid("amount_fen", "金额应为不小于0的整数（分）")
    region = (region or "").strip() or subject_region(subject)
    if region and not _REGION.match(region):
        raise FactInvalid("region", f"行政区划代码“{region}”应为2–6位数字或9位乡镇街道代码")
    if not source:
        raise FactInvalid("source", "须注明来源")
    person, organisation = (subject, None) if isinstance(subject, Person) else (None, subject)
    return Fact(
        subject_type=SubjectType.PERSON if person is not None else SubjectType.ORGANISATION,
        person=person,
        organisation=organisation,
        kind=kind,
        code=code,
        level=level,
        date=date,
        amount_fen=amount_fen,
        issuer=issuer,
        issuer_name=(issuer_name or (issuer.name if issuer is not None else ""))[:200],
        region=region,
        attrs=_check_attrs(attrs or {}),
        source=source[:40],
        source_ref=(source_ref or "")[:100],
        recorded_by=actor,
    )


def fact_snapshot(fact: Fact) -> dict[str, Any]:
    """What the audit trail keeps of a fact (no personal data beyond the subject's id)."""
    return {
        "subject": f"{fact.subject_type}:{fact.person_id or fact.organisation_id}",
        "kind": fact.kind,
        "code": fact.code,
        "level": fact.level,
        "date": fact.date.isoformat(),
        "amount_fen": fact.amount_fen,
        "issuer_id": fact.issuer_id,
        "issuer_name": fact.issuer_name,
        "region": fact.region,
        "attrs": fact.attrs,
        "source": fact.source,
        "source_ref": fact.source_ref,
        "supersedes": fact.supersedes_id,
    }


@transaction.atomic
def fact_append(
    *,
    actor: User | None,
    subject: Person | Organisation,
    kind: str,
    code: str = "",
    level: str = "",
    date: dt.date,
    amount_fen: int | None = None,
    issuer: Organisation | None = None,
    issuer_name: str = "",
    region: str = "",
    attrs: dict[str, Any] | None = None,
    source: str,
    source_ref: str = "",
) -> Fact:
    """Append one fact to the subject's dossier and audit it."""
    fact = fact_build(
        subject=subject,
        kind=kind,
        code=code,
        level=level,
        date=date,
        amount_fen=amount_fen,
        issuer=issuer,
        issuer_name=issuer_name,
        region=region,
        attrs=attrs,
        source=source,
        source_ref=source_ref,
        actor=actor,
    )
    fact.save()
    audit_record(
        actor=actor,
        action="fact_append",
        object_type=AUDIT_OBJECT_TYPE,
        object_id=fact.pk,
        after=fact_snapshot(fact),
    )
    return fact


@transaction.atomic
def facts_append_bulk(
    *, actor: User | None, facts: Sequence[Fact], reason: str = "", batch_size: int = 2000
) -> list[Fact]:
    """Insert facts built (and so validated) by `fact_build`, with one audit entry per fact on the
    chain in one lock. For imports: one transaction, so either all land or none."""
    for fact in facts:
        if fact.pk is not None or fact.supersedes_id is not None:
            raise FactInvalid("facts", "批量追加只接受新的、非更正的事实")
        fact.recorded_by = actor
    created = Fact.objects.bulk_create(facts, batch_size=batch_size)
    audit_record_batch(
        actor=actor,
        action="fact_append",
        object_type=AUDIT_OBJECT_TYPE,
        rows=((fact.pk, None, fact_snapshot(fact)) for fact in created),
        reason=reason,
    )
    return created


@transaction.atomic
def fact_correct(*, actor: User | None, fact: Fact, reason: str, **changes: Any) -> Fact:
    """Append a new fact that supersedes `fact`, copying it with `changes` applied.

    The original stays in the ledger unchanged, shown as corrected in the timeline; the facts
    document lists both and the policy engine drops the superseded one.
    """
    if not reason.strip():
        raise FactInvalid("reason", "更正须说明原因")
    unknown = sorted(set(changes) - set(CORRECTABLE_FIELDS))
    if unknown:
        raise FactInvalid(
            unknown[0], "该字段不能更正（记错了主体：请在原主体上作废，再在正确主体上追加）"
        )
    # Lock the original so two correctors queue up; the second then sees the first's correction.
    original = (
        Fact.objects.select_for_update(of=("self",))
        .select_related("person", "organisation")
        .get(pk=fact.pk)
    )
    if Fact.objects.filter(supersedes=original).exists():
        raise FactAlreadyCorrected("fact", "该事实已被更正，请更正其最新版本")
    values: dict[str, Any] = {name: getattr(original, name) for name in CORRECTABLE_FIELDS}
    values.update(changes)
    if "issuer" in changes and "issuer_name" not in changes:
        values["issuer_name"] = ""  # take the new issuer's name
    corrected = fact_build(
        subject=original.subject,
        source=original.source,
        actor=actor,
        **values,
    )
    if all(getattr(corrected, name) == getattr(original, name) for name in CORRECTABLE_FIELDS):
        raise FactInvalid("changes", "更正内容与原事实相同")
    corrected.supersedes = original
    corrected.correction_reason = reason.strip()[:200]
    try:
        with transaction.atomic():
            corrected.save()
    except IntegrityError as exc:  # fact_supersedes_once: corrected concurrently
        raise FactAlreadyCorrected("fact", "该事实已被更正，请更正其最新版本") from exc
    audit_record(
        actor=actor,
        action="fact_correct",
        object_type=AUDIT_OBJECT_TYPE,
        object_id=corrected.pk,
        before=fact_snapshot(original),
        after=fact_snapshot(corrected),
        reason=reason,
    )
    return corrected
