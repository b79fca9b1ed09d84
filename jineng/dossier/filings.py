"""Filings that change an organisation and add to its dossier together: the self-evaluation
filing (自主评价备案) of an enterprise or a social evaluation organisation. It lives in the dossier
app because it appends a fact, and organisations sit below the dossier (docs/architecture.md)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from jineng.dossier.models import FactKind
from jineng.dossier.services import fact_append
from jineng.identity.errors import ValidationFailed
from jineng.identity.models import User
from jineng.organisations.models import Organisation, OrgKind
from jineng.organisations.services import SELF_EVALUATION_CODES, organisation_update


@transaction.atomic
def organisation_file_self_evaluation(
    *,
    actor: User | None,
    organisation: Organisation,
    filed_on: dt.date,
    level: str = "",
    source_ref: str = "",
) -> Organisation:
    """Record an enterprise's (or evaluation organisation's) self-evaluation filing (自主评价备案),
    and append the filing to its dossier."""
    code = SELF_EVALUATION_CODES.get(OrgKind(organisation.kind))
    if code is None:
        raise ValidationFailed("kind", "只有企业和社会培训评价组织可以办理自主评价备案")
    organisation = organisation_update(
        actor=actor,
        organisation=organisation,
        self_evaluation_filed=True,
        self_evaluation_filed_on=filed_on,
    )
    fact_append(
        actor=actor,
        subject=organisation,
        kind=FactKind.EVALUATION_FILING,
        code=code,
        level=level,
        date=filed_on,
        region=organisation.region_id,
        source="organisations",
        source_ref=source_ref or f"organisation:{organisation.pk}",
    )
    return organisation
