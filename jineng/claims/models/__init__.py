"""Claims: an entitlement the policy engine found, frozen as a claim (amount, schedule, clause
and the engine's explanation as of its creation), reviewed by four eyes and paid once.

- `Claim`: one (beneficiary, policy item, trigger fact, instalment). An *original* claim's key
  is unique in the database (`claim_unique_key`): a key is claimed once. A later policy change or
  a corrected fact never edits a claim; it adds an *adjustment* linked to the original (a
  difference claim, positive, or a recovery 追回, negative), numbered per original.
- `ClaimObjection`: an objection raised during 公示 and its answer.
- `ClaimRun`: a 免申即享 run over a region on a date (a job on `jineng.core.jobs`).
- `Message` / `SmsRecord`: the in-app inbox, and what the recording SMS provider "sent".
- `PayoutBatch` / `PayoutLine`: finance's batches; a claim is in at most one live line
  (`payout_line_one_live_per_claim`), so nothing is paid twice.
- `ClaimFlag`: an integrity check's finding with its evidence, cleared or upheld by an officer.
- `ClaimApplication` / `ClaimAttachment`: an application (discretionary and organisation items)
  that became a claim, and its attachments, encrypted at rest.
- `RegisterList` / `RegisterEntry`: imported registers (retired, deceased, students, public
  staff) for the ghost-trainee checks; ID numbers kept only as their blind index."""

from __future__ import annotations

from jineng.claims.models.applications import (
    AttachmentKind,
    ClaimApplication,
    ClaimAttachment,
)
from jineng.claims.models.claims import (
    CLAIM_STATES,
    CLAIM_TRANSITIONS,
    CLOSED_STATUSES,
    Claim,
    ClaimKind,
    ClaimObjection,
    ClaimSource,
    ClaimStatus,
)
from jineng.claims.models.flags import (
    FLAG_STATES,
    ClaimFlag,
    FlagKind,
    FlagStatus,
)
from jineng.claims.models.payouts import (
    BATCH_STATES,
    LIVE_LINE_STATUSES,
    BatchStatus,
    LineStatus,
    PayoutBatch,
    PayoutLine,
    PayoutResultFile,
)
from jineng.claims.models.registers import RegisterEntry, RegisterKind, RegisterList
from jineng.claims.models.runs import (
    CLAIM_RUN_STATES,
    ClaimRun,
    Message,
    RunStatus,
    SmsRecord,
)
from jineng.claims.models.schedule import INSTALMENT_RUN_STATES, InstalmentRun

__all__ = [
    "ClaimStatus",
    "ClaimKind",
    "ClaimSource",
    "CLOSED_STATUSES",
    "Claim",
    "CLAIM_TRANSITIONS",
    "CLAIM_STATES",
    "ClaimObjection",
    "RunStatus",
    "ClaimRun",
    "CLAIM_RUN_STATES",
    "Message",
    "SmsRecord",
    "BatchStatus",
    "PayoutBatch",
    "BATCH_STATES",
    "LineStatus",
    "LIVE_LINE_STATUSES",
    "PayoutLine",
    "PayoutResultFile",
    "InstalmentRun",
    "INSTALMENT_RUN_STATES",
    "FlagKind",
    "FlagStatus",
    "ClaimFlag",
    "FLAG_STATES",
    "RegisterKind",
    "RegisterList",
    "RegisterEntry",
    "ClaimApplication",
    "ClaimAttachment",
    "AttachmentKind",
]
