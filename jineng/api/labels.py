"""Chinese labels for the codes the API returns: every code a person reads comes with its label
(`education: "senior"` → `education_label: "高中/中专/技校"`, `region: "441900"` →
`region_name: "广东省东莞市"`). The schemas compute them from the code, so an endpoint that fills
the code gets the label for free.

Vocabularies: the model choices (identity, organisations, dossier, reference) and the dossier's
fact vocabulary (`jineng.dossier.vocabulary`). Region and occupation names are reference data
(public, changed only by a reload): looked up once and kept for a few minutes per process.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.db.models import TextChoices

from jineng.dossier.models import FactKind
from jineng.dossier.vocabulary import code_label, level_label
from jineng.identity.models import Education, IdType, Role, Sex
from jineng.organisations.models import OrgKind, Ownership, UsccStatus
from jineng.reference.models import RegionLevel, SkillLevel

_TTL_SECONDS = 600.0
_cache: dict[tuple[str, str], tuple[float, str]] = {}

SUBJECT_KINDS: dict[str, str] = {"person": "个人", **{k: str(v) for k, v in OrgKind.choices}}
OCCUPATION_KINDS = frozenset({"certificate", "training", "apprenticeship"})


def choice_label(choices: type[TextChoices], code: str | None) -> str:
    """The label of `code` in `choices`; "" for an empty or unknown code."""
    if not code:
        return ""
    return str(dict(choices.choices).get(code, ""))


def _cached(kind: str, code: str, read: Callable[[str], str]) -> str:
    now = time.monotonic()
    hit = _cache.get((kind, code))
    if hit is not None and hit[0] > now:
        return hit[1]
    value = read(code)
    if value:  # an unknown code is read again next time (the reference data may be loading)
        if len(_cache) > 50_000:
            _cache.clear()
        _cache[(kind, code)] = (now + _TTL_SECONDS, value)
    return value


def _read_region(code: str) -> str:
    from jineng.reference.selectors import region_full_name

    return region_full_name(code) if code.isdigit() else ""


def _read_occupation(code: str) -> str:
    from jineng.reference.models import Occupation

    name = Occupation.objects.filter(code=code).values_list("name", flat=True).first()
    return name or ""


def region_name(code: str | None) -> str:
    """广东省东莞市 for 441900; "" for none or an unknown code."""
    return _cached("region", code, _read_region) if code else ""


def occupation_name(code: str | None) -> str:
    """车工 for 6-18-01-01; "" for none or an unknown code."""
    return _cached("occupation", code, _read_occupation) if code else ""


def sex_label(code: str | None) -> str:
    return choice_label(Sex, code)


def id_type_label(code: str | None) -> str:
    return choice_label(IdType, code)


def education_label(code: str | None) -> str:
    return choice_label(Education, code)


def role_label(code: str | None) -> str:
    return choice_label(Role, code)


def org_kind_label(code: str | None) -> str:
    return choice_label(OrgKind, code)


def ownership_label(code: str | None) -> str:
    return choice_label(Ownership, code)


def uscc_status_label(code: str | None) -> str:
    return choice_label(UsccStatus, code)


def region_level_label(code: str | None) -> str:
    return choice_label(RegionLevel, code)


def skill_level_label(code: str | None) -> str:
    return choice_label(SkillLevel, code)


def subject_kind_label(code: str | None) -> str:
    return SUBJECT_KINDS.get(code or "", "")


def fact_kind_label(code: str | None) -> str:
    return choice_label(FactKind, code)


def fact_code_label(kind: str, code: str | None) -> str:
    """The name of what a fact's code stands for: the occupation of a certificate, training or
    apprenticeship, the competition, title, appointment… of the others ("" for an open code the
    vocabulary does not list, e.g. an employer id)."""
    if not code:
        return ""
    if kind in OCCUPATION_KINDS:
        return occupation_name(code)
    return code_label(kind, code)


def fact_level_label(kind: str, level: str | None) -> str:
    return level_label(kind, level) if level else ""
