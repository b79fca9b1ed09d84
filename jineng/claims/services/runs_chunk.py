"""A 免申即享 run's subjects, a chunk at a time, set-based: the same claims, frozen explanations,
audit entries and messages as processing them one by one (`runs._process`, tested equal), in a
fixed number of statements per chunk rather than ~16 per claim.

Per chunk: the subjects' facts (for the claim keys) and their existing original claims are read
once; each subject is explained by the policy app's own explain path (in memory); the new claims
are inserted in one statement where the database's unique key decides (ON CONFLICT DO NOTHING:
a key another run claimed meanwhile is skipped), and read back to know which this run created;
their audit entries are appended in one batch (`audit_record_batch`), the inbox messages in one
INSERT and the SMS after commit. A line whose amount the engine now states differently is
adjusted one by one (`claim_adjust`: rare, and it locks the original).

The caller runs a chunk in one transaction with the run's cursor moved past it, so a run killed
mid-way resumes at the first chunk not committed and creates each claim once."""

from __future__ import annotations

from collections.abc import Sequence

from jineng.audit.services import audit_record_batch
from jineng.audit.vocabulary import AuditAction, AuditObject
from jineng.claims.models import Claim, ClaimKind, ClaimRun
from jineng.claims.services.claims import (
    AUTOMATIC_STATUSES,
    claim_adjust,
    claim_audit_after,
    claim_row,
    claims_from_explanation,
    owed_fen,
    root_fact_id,
    subjects_fact_rows,
)
from jineng.claims.services.messages import Notice, messages_send
from jineng.core.bulkload import insert_ignoring_conflicts
from jineng.identity.models import Person
from jineng.organisations.models import Organisation
from jineng.policy.engine.money import format_yuan
from jineng.policy.selectors.subjects import explain_facts, read_subject_facts

Key = tuple[str, str, str, int]  # subject key, item, root fact, instalment
Subject = Person | Organisation


def subject_key(subject: Subject) -> str:
    return f"P{subject.pk}" if isinstance(subject, Person) else f"O{subject.pk}"


def claim_key(claim: Claim) -> Key:
    return (claim.subject_key, claim.item_id, claim.fact_id, claim.instalment)


def run_notice(subject: Subject, created: Sequence[Claim]) -> Notice:
    """The inbox message (and SMS) telling the beneficiary what the run claimed for them."""
    lines = "；".join(f"{c.item_title} {format_yuan(c.amount_fen)}" for c in created)
    return Notice(
        to=subject,
        title="您有新的待遇申领（免申即享）",
        body=f"根据政策规定，已为您生成待遇申领：{lines}。无需申请，请在“我的待遇”中核对收款账户。",
        claim=created[0],
    )


def originals_of(keys: Sequence[str]) -> dict[Key, Claim]:
    """The original claims of these subjects by key, their adjustments with them (for
    `owed_fen`); the frozen texts are left unread (an adjustment reads its original again)."""
    found = (
        Claim.objects.filter(kind=ClaimKind.ORIGINAL, subject_key__in=keys)
        .defer("explanation", "schedule", "citation", "payee_account")
        .prefetch_related("adjustments")
    )
    return {claim_key(c): c for c in found}


def _insert(run: ClaimRun, pending: dict[Key, Claim]) -> dict[Key, Claim]:
    """Insert the new claims in one statement, the unique key deciding; those this run created
    (read back: a key another run claimed first carries that run)."""
    if not pending:
        return {}
    for claim in pending.values():
        claim.index_payee_account()
    insert_ignoring_conflicts(list(pending.values()))
    subjects = sorted({key[0] for key in pending})
    mine = Claim.objects.filter(kind=ClaimKind.ORIGINAL, run=run, subject_key__in=subjects)
    return {key: c for c in mine if (key := claim_key(c)) in pending}


def process_chunk(run: ClaimRun, subjects: Sequence[Subject]) -> list[Claim]:
    """The claims created (and adjustments made) for `subjects`, notified; the caller holds the
    transaction (see the module docstring)."""
    fact_rows = subjects_fact_rows(subjects)
    originals = originals_of([subject_key(s) for s in subjects])
    pending: dict[Key, Claim] = {}
    # per subject, in the order the explanation gives them: a key to insert or an adjustment
    steps: list[tuple[Subject, list[Key | Claim]]] = []
    for subject in subjects:
        explanation = explain_facts(
            read_subject_facts(subject, run.on), on=run.on, statuses=AUTOMATIC_STATUSES
        )
        rows = fact_rows.setdefault(subject_key(subject), {})
        mine: list[Key | Claim] = []
        for new in claims_from_explanation(subject, explanation):
            key = (
                new.subject_key,
                new.item.id,
                root_fact_id(new.entitlement.fact_id, rows),
                new.instalment,
            )
            existing = originals.get(key)
            if existing is None:
                if key not in pending:  # a repeated key: claimed once, as one by one
                    pending[key] = claim_row(new=new, run=run, fact_rows=rows)
                    mine.append(key)
            elif owed_fen(existing) != new.amount_fen:
                adjusted = claim_adjust(
                    actor=None,
                    original=existing,
                    amount_fen=new.amount_fen,
                    reason=f"{run.on} 免申即享重新测算金额变化",
                    on=run.on,
                )
                if adjusted is not None:
                    mine.append(adjusted)
        if mine:
            steps.append((subject, mine))
    inserted = _insert(run, pending)
    if inserted:
        audit_record_batch(
            actor=None,
            action=AuditAction.CLAIM_CREATE,
            object_type=AuditObject.CLAIM,
            rows=[(c.pk, None, claim_audit_after(c)) for c in inserted.values()],
        )
    created: list[Claim] = []
    notices: list[Notice] = []
    for subject, mine in steps:
        theirs = [s if isinstance(s, Claim) else inserted.get(s) for s in mine]
        made = [c for c in theirs if c is not None]
        if made:
            created += made
            notices.append(run_notice(subject, made))
    messages_send(notices)
    return created
