"""Request and response types of the JSON API. Sensitive values appear only masked, except in
`RevealOut`, the answer to the audited reveal."""

import datetime as dt
from typing import Any, Literal

from ninja import Field, Schema


class ErrorOut(Schema):
    detail: str
    field: str | None = None


class TokenIn(Schema):
    username: str = Field(max_length=150)
    password: str = Field(max_length=128)
    otp: str | None = Field(
        default=None, max_length=16, description="TOTP 动态验证码（人社部门和系统管理员必填）"
    )


class TokenOut(Schema):
    token: str
    token_type: Literal["Bearer"] = "Bearer"
    expires_at: dt.datetime


class RoleOut(Schema):
    role: str
    label: str
    organisation_id: int | None
    region: str | None


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    person_id: int | None
    roles: list[RoleOut]


class PersonOut(Schema):
    id: int
    name: str
    id_type: str
    id_number_masked: str
    sex: str
    # Year only: a full birth date beside the masked number would give away its middle digits.
    birth_year: int | None
    residence_region: str | None


class EmploymentOut(Schema):
    employer_id: int | None
    employer_name: str
    occupation: str | None
    region: str | None
    start: dt.date
    end: dt.date | None


class FactOut(Schema):
    id: int
    kind: str
    code: str
    level: str
    date: dt.date
    amount_fen: int | None
    issuer_name: str
    region: str
    status: Literal["current", "corrected"]
    supersedes: int | None


class PersonDetailOut(PersonOut):
    phone_masked: str
    bank_account_masked: str
    hukou_region: str | None
    education: str
    insured: bool
    insured_since: dt.date | None
    employments: list[EmploymentOut]
    facts: list[FactOut]


class RevealIn(Schema):
    field: Literal["id_number", "phone", "bank_account"]
    reason: str = Field(min_length=2, max_length=200)


class RevealOut(Schema):
    person_id: int
    field: str
    value: str


class OrganisationOut(Schema):
    id: int
    kind: str
    name: str
    uscc: str
    uscc_status: str
    region: str


class OrganisationDetailOut(OrganisationOut):
    ownership: str
    uscc_review_reason: str
    designated_training: bool
    designated_from: dt.date | None
    designated_to: dt.date | None
    self_evaluation_filed: bool
    self_evaluation_filed_on: dt.date | None


class RegionChildOut(Schema):
    code: str
    name: str
    level: str
    people: int
    organisations: int


class FactJSONOut(Schema):
    id: str
    kind: str
    code: str | None
    level: str | None
    date: str
    amount_fen: int | None
    issuer: str | None
    region: str | None
    attrs: dict[str, Any]
    supersedes: str | None


class SubjectJSONOut(Schema):
    id: str
    kind: str
    region: str
    birth_date: str | None = None  # always null here: see person_facts
    birth_year: int | None = None
    sex: str | None = None
    attrs: dict[str, Any]


class FactsDocumentOut(Schema):
    """The facts JSON format of docs/policy-schema.md, as the policy engine reads it."""

    subject: SubjectJSONOut
    facts: list[FactJSONOut]


class PersonSearchIn(Schema):
    """Search by a full document number, sent in the body so it never lands in a URL or a log
    line (`POST /people/search`); optional name and region narrow the answer."""

    id_number: str = Field(min_length=1, max_length=32, description="完整证件号码（精确匹配）")
    id_type: Literal[
        "resident", "passport", "hk_macau", "taiwan", "hmt_residence", "foreign_permanent"
    ] = Field(default="resident", description="证件类型")
    name: str | None = Field(default=None, max_length=64, description="姓名包含")
    region: str | None = Field(
        default=None, max_length=12, description="常住地行政区划代码或其前缀"
    )
