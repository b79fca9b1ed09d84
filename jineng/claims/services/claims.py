"""Entitlements become claims: one per (beneficiary, item, trigger fact, instalment), frozen with
the amount, the schedule, the clause and the engine's explanation as of its creation.

A key is claimed once (the database's `claim_unique_key`). When the engine later says something
else about the same key — a policy changed, the trigger fact was corrected — the claim is not
edited: `claim_adjust` adds a difference claim (more is owed) or a recovery 追回 (less), linked to
the original and numbered per original (`claim_unique_adjustment`)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import Max, Sum

from jineng.audit.services import audit_record
from jineng.audit.vocabulary import AuditAction, AuditObject
from jineng.claims.access import is_beneficiary
from jineng.claims.models import (
    CLOSED_STATUSES,
    Claim,
    ClaimKind,
    ClaimRun,
    ClaimSource,
    ClaimStatus,
)
from jineng.core.errors import Conflict, DomainError
from jineng.dossier.models import Fact
from jineng.identity.access import scope_of
from jineng.identity.models import BUREAU_ROLES, Person, User
from jineng.organisations.models import Organisation
from jineng.policy.engine.outcome import Status
from jineng.policy.selectors.explanation import (
    EntitlementView,
    ExplainedItem,
    SubjectExplanation,
)

# The engine's statuses that become a claim without an application (免申即享): a fixed amount
# that is due. Discretionary ranges wait for an application (issue 10), waiting ones for their
# date.
AUTOMATIC_STATUSES = frozenset({Status.PAID})


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))


# A fact as the claim key needs it: pk → (supersedes_id, kind, code, level).
FactRows = dict[int, tuple[int | None, str, str, str]]


def subject_fact_rows(subject: Person | Organisation) -> FactRows:
    """Every fact of the subject (corrected ones included), read once for its claims' keys."""
    field = "person" if isinstance(subject, Person) else "organisation"
    rows = Fact.objects.filter(**{field: subject}).values_list(
        "pk", "supersedes_id", "kind", "code", "level"
    )
    return {pk: (sup, kind, code, level) for pk, sup, kind, code, level in rows}


def subjects_fact_rows(subjects: Sequence[Person | Organisation]) -> dict[str, FactRows]:
    """`subject_fact_rows` of many subjects at once (one query per kind), by subject key."""
    found: dict[str, FactRows] = {}
    for field, prefix, model in (("person", "P", Person), ("organisation", "O", Organisation)):
        pks = [s.pk for s in subjects if isinstance(s, model)]
        if not pks:
            continue
        rows = Fact.objects.filter(**{f"{field}_id__in": pks}).values_list(
            f"{field}_id", "pk", "supersedes_id", "kind", "code", "level"
        )
        for owner, pk, sup, kind, code, level in rows:
            found.setdefault(f"{prefix}{owner}", {})[pk] = (sup, kind, code, level)
    return found


def _fact_row(pk: int, rows: FactRows | None) -> tuple[int | None, str, str, str] | None:
    if rows is not None and pk in rows:
        return rows[pk]
    row = Fact.objects.filter(pk=pk).values_list("supersedes_id", "kind", "code", "level").first()
    if row is not None and rows is not None:
        rows[pk] = row
    return row


def root_fact_id(fact_id: str, rows: FactRows | None = None) -> str:
    """The first fact of a correction chain (a corrected fact keeps its claim's key). `rows`:
    the subject's facts already read (`subject_fact_rows`); facts not in it are read here."""
    if not fact_id.isdigit():
        return fact_id
    pk: int | None = int(fact_id)
    seen: set[int] = set()
    root = fact_id
    while pk is not None and pk not in seen:
        seen.add(pk)
        root = str(pk)
        row = _fact_row(pk, rows)
        pk = row[0] if row is not None else None
    return root


def _trigger(fact_id: str, rows: FactRows | None = None) -> tuple[str, str, str]:
    if not fact_id.isdigit():
        return "", "", ""
    row = _fact_row(int(fact_id), rows)
    return row[1:] if row is not None else ("", "", "")


@dataclass(frozen=True)
class NewClaim:
    """One instalment of one entitlement, ready to be stored."""

    subject: Person | Organisation
    item: ExplainedItem
    entitlement: EntitlementView
    instalment: int
    amount_fen: int
    due_on: dt.date
    on: dt.date

    @property
    def subject_key(self) -> str:
        return f"P{self.subject.pk}" if isinstance(self.subject, Person) else f"O{self.subject.pk}"


def claims_from_explanation(
    subject: Person | Organisation,
    explanation: SubjectExplanation,
    *,
    statuses: frozenset[str] = AUTOMATIC_STATUSES,
) -> Iterator[NewClaim]:
    """Every instalment of every entitlement in `statuses` the explanation gives the subject."""
    kind = "person" if isinstance(subject, Person) else "organisation"
    for item in explanation.items:
        if (item.beneficiary == "person") != (kind == "person"):
            continue
        for ent in item.entitlements:
            if ent.status not in statuses:
                continue
            schedule = ent.schedule or ()
            if not schedule:
                yield NewClaim(
                    subject, item, ent, 1, ent.amount_fen, ent.trigger_date, explanation.on
                )
                continue
            for n, payment in enumerate(schedule, start=1):
                yield NewClaim(
                    subject, item, ent, n, payment.amount_fen, payment.date, explanation.on
                )


def _region_of(subject: Person | Organisation) -> str:
    if isinstance(subject, Person):
        return subject.residence_region_id or subject.hukou_region_id or ""
    return subject.region_id or ""


def _frozen(new: NewClaim) -> dict[str, Any]:
    item = asdict(new.item)
    item["entitlements"] = [asdict(new.entitlement)]  # the line this claim is about
    return {
        "on": new.on.isoformat(),
        "item": _jsonable(item),
    }


def _check_creator(actor: User | None, subject: Person | Organisation) -> None:
    if actor is None:
        return
    scope = scope_of(actor)
    if scope.is_global:
        return
    if scope.has_role(*BUREAU_ROLES) and scope.covers_region(_region_of(subject), as_bureau=True):
        return
    raise PermissionDenied("无权为该对象生成待遇申领")


def claim_row(
    *,
    new: NewClaim,
    source: str = ClaimSource.AUTOMATIC,
    run: ClaimRun | None = None,
    fact_rows: FactRows | None = None,
) -> Claim:
    """The original claim `new` stands for, not yet saved (`claim_create` saves one; a 免申即享
    run inserts a chunk of them in one statement). `fact_rows`: the subject's facts already read
    (`subject_fact_rows`), to spare a query per claim."""
    ent, item = new.entitlement, new.item
    fact_id = root_fact_id(ent.fact_id, fact_rows)
    kind, code, level = _trigger(ent.fact_id, fact_rows)
    person = new.subject if isinstance(new.subject, Person) else None
    return Claim(
        person=person,
        organisation=new.subject if isinstance(new.subject, Organisation) else None,
        subject_key=new.subject_key,
        item_id=item.id,
        item_title=item.title,
        fact_id=fact_id,
        instalment=new.instalment,
        source=source,
        region=_region_of(new.subject),
        trigger_kind=kind,
        trigger_code=code,
        trigger_level=level,
        trigger_date=ent.trigger_date,
        amount_fen=new.amount_fen,
        min_fen=ent.min_fen,
        max_fen=ent.max_fen,
        discretionary=ent.discretionary,
        due_on=new.due_on,
        schedule=_jsonable([asdict(p) for p in ent.schedule]),
        citation=_jsonable(asdict(item.citation)),
        explanation=_frozen(new),
        evaluated_on=new.on,
        run=run,
        payee_account=person.bank_account if person is not None else "",
    )


@transaction.atomic
def claim_create(
    *,
    actor: User | None,
    new: NewClaim,
    source: str = ClaimSource.AUTOMATIC,
    run: ClaimRun | None = None,
    fact_rows: FactRows | None = None,
) -> Claim | None:
    """Store one instalment as an original claim; None when its key is already claimed (by this
    run before, or by another run at the same time: the unique constraint decides)."""
    _check_creator(actor, new.subject)
    claim = claim_row(new=new, source=source, run=run, fact_rows=fact_rows)
    try:
        with transaction.atomic():
            claim.save()
    except IntegrityError:
        if Claim.objects.filter(
            kind=ClaimKind.ORIGINAL,
            subject_key=claim.subject_key,
            item_id=claim.item_id,
            fact_id=claim.fact_id,
            instalment=claim.instalment,
        ).exists():
            return None
        raise
    _audit_created(actor, claim)
    return claim


def claim_audit_after(claim: Claim) -> dict[str, Any]:
    """What the audit entry of a created claim records (`audit_record` or a run's batch)."""
    return {
        "item": claim.item_id,
        "kind": claim.kind,
        "instalment": claim.instalment,
        "amount_fen": claim.amount_fen,
        "status": claim.status,
        "original": claim.original_id,
    }


def _audit_created(actor: User | None, claim: Claim) -> None:
    audit_record(
        actor=actor,
        action=AuditAction.CLAIM_CREATE,
        object_type=AuditObject.CLAIM,
        object_id=claim.pk,
        after=claim_audit_after(claim),
        region=claim.region,
    )


def owed_fen(original: Claim) -> int:
    """What the original and its adjustments add up to, leaving out refused and withdrawn ones
    (a discretionary amount counts as decided)."""
    total = 0
    for claim in [original, *original.adjustments.all()]:
        if claim.status not in CLOSED_STATUSES:
            total += claim.payable_fen
    return total


@transaction.atomic
def claim_adjust(
    *,
    actor: User | None,
    original: Claim,
    amount_fen: int,
    reason: str,
    explanation: dict[str, Any] | None = None,
    on: dt.date | None = None,
) -> Claim | None:
    """The engine now says `amount_fen` for the original's key: add a difference claim (more is
    owed) or a recovery (less), linked to the original; None when nothing differs. The original
    is never edited."""
    if original.kind != ClaimKind.ORIGINAL:
        raise DomainError("original", "只能对原始申领进行补差或追回")
    if not reason.strip():
        raise DomainError("reason", "补差或追回须说明理由")
    if actor is not None:
        _check_creator(actor, original.person or original.organisation)  # type: ignore[arg-type]
    original = Claim.objects.select_for_update().get(pk=original.pk)
    delta = int(amount_fen) - owed_fen(original)
    if delta == 0:
        return None
    revision = (original.adjustments.aggregate(n=Max("revision"))["n"] or 0) + 1
    claim = Claim(
        person=original.person,
        organisation=original.organisation,
        subject_key=original.subject_key,
        item_id=original.item_id,
        item_title=original.item_title,
        fact_id=original.fact_id,
        instalment=original.instalment,
        kind=ClaimKind.DIFFERENCE if delta > 0 else ClaimKind.RECOVERY,
        original=original,
        revision=revision,
        source=ClaimSource.ADJUSTMENT,
        region=original.region,
        trigger_kind=original.trigger_kind,
        trigger_code=original.trigger_code,
        trigger_level=original.trigger_level,
        trigger_date=original.trigger_date,
        amount_fen=delta,
        min_fen=min(delta, 0),
        max_fen=max(delta, 0),
        due_on=original.due_on,
        schedule=original.schedule,
        citation=original.citation,
        explanation=explanation if explanation is not None else original.explanation,
        evaluated_on=on or original.evaluated_on,
        payee_account=original.payee_account,
        status_reason=reason,
    )
    try:
        with transaction.atomic():
            claim.save()
    except IntegrityError:
        raise Conflict("original", "该申领正在被其他操作调整，请刷新后重试") from None
    _audit_created(actor, claim)
    return claim


def adjustment_total(original: Claim) -> int:
    return int(original.adjustments.aggregate(s=Sum("amount_fen"))["s"] or 0)


@transaction.atomic
def claim_account_confirm(*, actor: User, claim: Claim, account: str, reason: str = "") -> Claim:
    """The beneficiary (or a bureau officer in the claim's region) confirms the account the claim
    is paid to. Only before the money leaves (not once in a batch or paid)."""
    scope = scope_of(actor)
    bureau = scope.is_global or (
        scope.has_role(*BUREAU_ROLES) and scope.covers_region(claim.region, as_bureau=True)
    )
    if not (bureau or is_beneficiary(actor, claim)):
        raise PermissionDenied("无权确认该申领的收款账户")
    cleaned = "".join(account.split())
    if not cleaned.isdigit() or not 12 <= len(cleaned) <= 30:
        raise DomainError("account", "收款账号应为 12 至 30 位数字")
    list(Claim.objects.select_for_update().filter(pk=claim.pk).values_list("pk"))
    claim.refresh_from_db()
    if claim.status in (ClaimStatus.PAYING, ClaimStatus.PAID, ClaimStatus.RECOVERED):
        raise Conflict("account", "该申领已进入拨付，不能再修改收款账户")
    before = claim.masked_payee_account
    claim.payee_account = cleaned
    claim.save(update_fields=["payee_account", "payee_account_index", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.CLAIM_ACCOUNT_CONFIRM,
        object_type=AuditObject.CLAIM,
        object_id=claim.pk,
        before={"payee_account": before},
        after={"payee_account": claim.masked_payee_account},
        reason=reason,
        region=claim.region,
    )
    return claim
