"""A claim's step by name — 初审, 复审 (with the approver's amount for a discretionary item),
退回补正, 不予支持, the close of 公示, 追回 of a paid claim, the beneficiary's 重新提交 and 撤回 — so the claim's page and
the API take the same path. Each name is one service of `review.py`, which decides (four eyes,
roles, open flags, the state machine) and audits."""

from __future__ import annotations

from collections.abc import Callable

from jineng.claims.models import Claim
from jineng.claims.services import review
from jineng.core.errors import DomainError
from jineng.identity.models import User

CLAIM_STEPS = (
    "review", "approve", "return", "refuse", "close", "recover", "resubmit", "withdraw"
)  # fmt: skip


def claim_step(
    *, actor: User, claim: Claim, action: str, reason: str = "", decided_fen: int | None = None
) -> Claim:
    """Take step `action` on `claim`; `decided_fen` is read only when the approver decides a
    discretionary amount. Returns the claim as it now is."""
    actions: dict[str, Callable[[], object]] = {
        "review": lambda: review.claim_review(actor=actor, claim=claim, reason=reason),
        "approve": lambda: review.claim_approve(
            actor=actor,
            claim=claim,
            decided_fen=decided_fen if claim.discretionary else None,
            reason=reason,
        ),
        "return": lambda: review.claim_return(actor=actor, claim=claim, reason=reason),
        "refuse": lambda: review.claim_refuse(actor=actor, claim=claim, reason=reason),
        "close": lambda: review.claim_publicity_close(actor=actor, claim=claim),
        "recover": lambda: review.claim_recover(actor=actor, claim=claim, reason=reason),
        "resubmit": lambda: review.claim_resubmit(actor=actor, claim=claim, reason=reason),
        "withdraw": lambda: review.claim_withdraw(actor=actor, claim=claim, reason=reason),
    }
    step = actions.get(action)
    if step is None:
        raise DomainError("action", "请选择要办理的操作")
    step()
    claim.refresh_from_db()
    return claim
