"""Helpers shared by the identity services: the refusal message and input cleaning for regions
and organisations given as objects, codes or ids."""

from __future__ import annotations

from typing import TYPE_CHECKING

from jineng.identity.errors import ValidationFailed
from jineng.identity.models import organisation_model
from jineng.reference.models import Region

if TYPE_CHECKING:
    from jineng.organisations.models import Organisation

DENIED = "无权执行此操作"


def region_from(field: str, value: Region | str | None) -> Region | None:
    """A Region given as itself or its code; None for no value; ValidationFailed(field) for an
    unknown code."""
    if value is None or value == "":
        return None
    if isinstance(value, Region):
        return value
    code = str(value).strip()
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise ValidationFailed(field, f"未知的行政区划代码：{code}", code)
    return region


def organisation_from(value: Organisation | int | None) -> Organisation | None:
    if value is None or not isinstance(value, int):
        return value
    organisation = organisation_model().objects.filter(pk=value).first()
    if organisation is None:
        raise ValidationFailed("organisation", f"机构不存在：{value}", value)
    return organisation
