"""Request and response types of the JSON API. Sensitive values appear only masked, except in
`RevealOut`, the answer to the audited reveal.

Every code a person reads comes with its Chinese label (`sex: "M"` and `sex_label: "男"`): the
labels are computed fields (`jineng.api.labels`), so an endpoint fills the code and the schema adds
the label. Titles and descriptions are Chinese; so are the error messages (`ErrorOut`)."""

import datetime as dt
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import ConfigDict, Discriminator, Tag, computed_field

from jineng.api import labels
from jineng.dossier.models import FactKind

# --- errors -----------------------------------------------------------------------------------


class ErrorItemOut(Schema):
    model_config = ConfigDict(title="错误明细")

    field: str = Field(
        title="字段", description="出错的字段（如 `facts.0.kind`）；空字符串表示整个请求"
    )
    message: str = Field(title="说明", description="中文说明，指明第几项、哪个字段、为什么")


class ErrorOut(Schema):
    """Every error of the API has this shape: `detail` always; `field` and `errors` when the
    error concerns particular fields (validation, a refused value)."""

    model_config = ConfigDict(title="错误")

    detail: str = Field(title="错误说明", description="中文说明，可直接展示给用户")
    field: str | None = Field(default=None, title="字段", description="第一个出错的字段")
    errors: list[ErrorItemOut] | None = Field(
        default=None, title="错误明细", description="逐字段的错误（请求校验失败时列出全部）"
    )


# --- auth and accounts ------------------------------------------------------------------------


class TokenIn(Schema):
    model_config = ConfigDict(title="签发令牌请求")

    username: str = Field(max_length=150, title="用户名")
    password: str = Field(max_length=128, title="密码")
    otp: str | None = Field(
        default=None,
        max_length=16,
        title="动态验证码",
        description="TOTP 动态验证码（人社部门和系统管理员必填）",
    )


class TokenOut(Schema):
    model_config = ConfigDict(title="接口令牌")

    token: str = Field(title="令牌", description="放在请求头 Authorization: Bearer <令牌>")
    token_type: Literal["Bearer"] = Field(default="Bearer", title="令牌类型")
    expires_at: dt.datetime = Field(title="过期时间")


class RoleOut(Schema):
    model_config = ConfigDict(title="角色")

    role: str = Field(title="角色代码")
    label: str = Field(title="角色名称")
    organisation_id: int | None = Field(title="机构编号")
    region: str | None = Field(title="行政区划代码")

    @computed_field(title="区域名称")  # type: ignore[prop-decorator]
    @property
    def region_name(self) -> str:
        return labels.region_name(self.region)


class MeOut(Schema):
    model_config = ConfigDict(title="当前账号")

    id: int = Field(title="账号编号")
    username: str = Field(title="用户名")
    display_name: str = Field(title="显示名称")
    person_id: int | None = Field(title="人员编号", description="本人账号对应的人员")
    roles: list[RoleOut] = Field(title="角色")


# --- people -----------------------------------------------------------------------------------


class PersonOut(Schema):
    model_config = ConfigDict(title="人员（脱敏）")

    id: int = Field(title="人员编号")
    name: str = Field(title="姓名")
    id_type: str = Field(title="证件类型代码")
    id_number_masked: str = Field(title="证件号码（脱敏）")
    sex: str = Field(title="性别代码", description="M 男，F 女；空字符串表示未知")
    # Year only: a full birth date beside the masked number would give away its middle digits.
    birth_year: int | None = Field(title="出生年份")
    residence_region: str | None = Field(title="常住地代码")

    @computed_field(title="证件类型")  # type: ignore[prop-decorator]
    @property
    def id_type_label(self) -> str:
        return labels.id_type_label(self.id_type)

    @computed_field(title="性别")  # type: ignore[prop-decorator]
    @property
    def sex_label(self) -> str:
        return labels.sex_label(self.sex)

    @computed_field(title="常住地")  # type: ignore[prop-decorator]
    @property
    def residence_region_name(self) -> str:
        return labels.region_name(self.residence_region)


class EmploymentOut(Schema):
    model_config = ConfigDict(title="就业经历")

    employer_id: int | None = Field(title="用人单位编号")
    employer_name: str = Field(title="用人单位")
    occupation: str | None = Field(title="职业编码")
    region: str | None = Field(title="工作地代码")
    start: dt.date = Field(title="开始日期")
    end: dt.date | None = Field(title="结束日期")

    @computed_field(title="职业")  # type: ignore[prop-decorator]
    @property
    def occupation_name(self) -> str:
        return labels.occupation_name(self.occupation)

    @computed_field(title="工作地")  # type: ignore[prop-decorator]
    @property
    def region_name(self) -> str:
        return labels.region_name(self.region)


class FactOut(Schema):
    model_config = ConfigDict(title="档案事实")

    id: int = Field(title="事实编号")
    kind: str = Field(title="事实类型代码")
    code: str = Field(title="代码", description="证书、培训为职业编码；竞赛、称号等为其代码")
    level: str = Field(title="等级代码")
    date: dt.date = Field(title="日期")
    amount_fen: int | None = Field(title="金额（分）")
    issuer_name: str = Field(title="发证或认定单位")
    region: str = Field(title="地区代码")
    status: Literal["current", "corrected"] = Field(
        title="状态代码", description="current 有效，corrected 已被更正"
    )
    supersedes: int | None = Field(title="所更正的事实编号")

    @computed_field(title="事实类型")  # type: ignore[prop-decorator]
    @property
    def kind_label(self) -> str:
        return labels.fact_kind_label(self.kind)

    @computed_field(title="名称", description="职业、竞赛、称号等的名称")  # type: ignore[prop-decorator]
    @property
    def code_label(self) -> str:
        return labels.fact_code_label(self.kind, self.code)

    @computed_field(title="等级")  # type: ignore[prop-decorator]
    @property
    def level_label(self) -> str:
        return labels.fact_level_label(self.kind, self.level)

    @computed_field(title="地区")  # type: ignore[prop-decorator]
    @property
    def region_name(self) -> str:
        return labels.region_name(self.region)

    @computed_field(title="状态")  # type: ignore[prop-decorator]
    @property
    def status_label(self) -> str:
        return "已被更正" if self.status == "corrected" else "有效"


class PersonDetailOut(PersonOut):
    model_config = ConfigDict(title="人员详情（脱敏）")

    phone_masked: str = Field(title="手机号码（脱敏）")
    bank_account_masked: str = Field(title="银行账号（脱敏）")
    hukou_region: str | None = Field(title="户籍地代码")
    education: str = Field(title="学历代码")
    insured: bool = Field(title="是否参保")
    insured_since: dt.date | None = Field(title="参保起始日期")
    employments: list[EmploymentOut] = Field(title="就业经历")
    facts: list[FactOut] = Field(title="档案事实")

    @computed_field(title="户籍地")  # type: ignore[prop-decorator]
    @property
    def hukou_region_name(self) -> str:
        return labels.region_name(self.hukou_region)

    @computed_field(title="学历")  # type: ignore[prop-decorator]
    @property
    def education_label(self) -> str:
        return labels.education_label(self.education)


class RevealIn(Schema):
    model_config = ConfigDict(title="查看明文请求")

    field: Literal["id_number", "phone", "bank_account"] = Field(
        title="查看项目", description="id_number 证件号码，phone 手机号码，bank_account 银行账号"
    )
    reason: str = Field(min_length=2, max_length=200, title="查看原因")


class RevealOut(Schema):
    model_config = ConfigDict(title="明文（已留痕）")

    person_id: int = Field(title="人员编号")
    field: str = Field(title="查看项目代码")
    value: str = Field(title="明文")


# --- organisations and regions ----------------------------------------------------------------


class OrganisationOut(Schema):
    model_config = ConfigDict(title="机构")

    id: int = Field(title="机构编号")
    kind: str = Field(title="机构类型代码")
    name: str = Field(title="名称")
    uscc: str = Field(title="统一社会信用代码")
    uscc_status: str = Field(title="信用代码状态代码")
    region: str = Field(title="所在地代码")

    @computed_field(title="机构类型")  # type: ignore[prop-decorator]
    @property
    def kind_label(self) -> str:
        return labels.org_kind_label(self.kind)

    @computed_field(title="信用代码状态")  # type: ignore[prop-decorator]
    @property
    def uscc_status_label(self) -> str:
        return labels.uscc_status_label(self.uscc_status)

    @computed_field(title="所在地")  # type: ignore[prop-decorator]
    @property
    def region_name(self) -> str:
        return labels.region_name(self.region)


class OrganisationDetailOut(OrganisationOut):
    model_config = ConfigDict(title="机构详情")

    ownership: str = Field(title="举办性质代码")
    uscc_review_reason: str = Field(title="信用代码待核验原因")
    designated_training: bool = Field(title="是否定点培训机构")
    designated_from: dt.date | None = Field(title="定点起始日期")
    designated_to: dt.date | None = Field(title="定点截止日期")
    self_evaluation_filed: bool = Field(title="是否已备案自主评价")
    self_evaluation_filed_on: dt.date | None = Field(title="自主评价备案日期")

    @computed_field(title="举办性质")  # type: ignore[prop-decorator]
    @property
    def ownership_label(self) -> str:
        return labels.ownership_label(self.ownership)


class RegionChildOut(Schema):
    model_config = ConfigDict(title="下级区域")

    code: str = Field(title="行政区划代码")
    name: str = Field(title="名称")
    level: str = Field(title="级别代码")
    people: int = Field(title="人员数", description="常住地在此区域的人员")
    organisations: int = Field(title="机构数")

    @computed_field(title="级别")  # type: ignore[prop-decorator]
    @property
    def level_label(self) -> str:
        return labels.region_level_label(self.level)


# --- the facts document (docs/policy-schema.md, "Fact kinds" and "Subject attributes") ----------

AttrValue = str | int | bool | None


class FactAttrsOut(Schema):
    """A fact's attributes: those docs/policy-schema.md names, typed, and any other a policy file
    uses (text, whole number or yes/no). Imported values are kept as given, so a documented number
    may arrive as text."""

    model_config = ConfigDict(title="事实属性", extra="allow")
    __pydantic_extra__: dict[str, AttrValue]

    shortage: bool | str | None = Field(default=None, title="当年紧缺职业（证书）")
    international: bool | str | None = Field(default=None, title="国际证书")
    issuer_kind: str | None = Field(default=None, title="发证机构类型代码")
    role: str | None = Field(
        default=None,
        title="参赛身份代码",
        description="player 选手，coach 教练，expert 专家，host 承办单位，team_unit 选手所在单位，trainer 集训单位",
    )
    prize_fen: int | str | None = Field(default=None, title="外部奖金（分）")
    represented_region: str | None = Field(default=None, title="代表地区代码")
    team_award_total_fen: int | str | None = Field(default=None, title="团体奖金总额（分）")
    months: int | str | None = Field(default=None, title="月数")
    hours: int | str | None = Field(default=None, title="学时")
    passed: bool | str | None = Field(default=None, title="是否合格")
    voucher: bool | str | None = Field(default=None, title="是否使用培训券")
    contract_years: int | str | None = Field(default=None, title="合同年限")
    filed_months: int | str | None = Field(default=None, title="备案期限（月）")
    certified_count: int | str | None = Field(default=None, title="取证人数")
    certified_technician_count: int | str | None = Field(default=None, title="取得技师及以上人数")
    year: int | str | None = Field(default=None, title="年度")
    employer_kind: str | None = Field(default=None, title="用人单位类型代码")
    region: str | None = Field(default=None, title="地区代码")
    to: str | None = Field(default=None, title="截止日期")

    @computed_field(title="参赛身份")  # type: ignore[prop-decorator]
    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role or "", "")


ROLE_LABELS = {
    "player": "选手",
    "coach": "教练",
    "expert": "专家",
    "host": "承办单位",
    "team_unit": "选手所在单位",
    "trainer": "集训单位",
}


class FactJSONOut(Schema):
    model_config = ConfigDict(title="事实（政策引擎格式）")

    id: str = Field(title="事实编号", description="F 加数字")
    kind: FactKind = Field(title="事实类型代码")
    code: str | None = Field(title="代码")
    level: str | None = Field(title="等级代码")
    date: str = Field(title="日期", description="ISO 日期 YYYY-MM-DD")
    amount_fen: int | None = Field(title="金额（分）")
    issuer: str | None = Field(title="发证或认定单位")
    region: str | None = Field(title="地区代码")
    attrs: FactAttrsOut = Field(title="属性")
    supersedes: str | None = Field(title="所更正的事实编号")

    @computed_field(title="事实类型")  # type: ignore[prop-decorator]
    @property
    def kind_label(self) -> str:
        return labels.fact_kind_label(self.kind)

    @computed_field(title="名称")  # type: ignore[prop-decorator]
    @property
    def code_label(self) -> str:
        return labels.fact_code_label(self.kind, self.code)

    @computed_field(title="等级")  # type: ignore[prop-decorator]
    @property
    def level_label(self) -> str:
        return labels.fact_level_label(self.kind, self.level)

    @computed_field(title="地区")  # type: ignore[prop-decorator]
    @property
    def region_name(self) -> str:
        return labels.region_name(self.region)


class PersonAttrsOut(Schema):
    """What the dossier derives for a person on the date (docs/policy-schema.md, "Subject
    attributes"). The household registration is left out here: beside the masked number it would
    give away its first six digits."""

    model_config = ConfigDict(title="个人属性")

    insured: bool | None = Field(default=None, title="当日是否参保")
    insured_since: str | None = Field(default=None, title="参保起始日期")
    public_institution_staff: bool | None = Field(default=None, title="是否事业单位人员")
    retired: bool | None = Field(default=None, title="是否已到法定退休年龄")
    retirement_date: str | None = Field(default=None, title="法定退休日期")
    work_region: str | None = Field(default=None, title="工作地代码")
    years_in_city: int | None = Field(default=None, title="在本市就业年限")
    education: str | None = Field(default=None, title="学历代码")
    employer_id: str | None = Field(default=None, title="当前用人单位编号", description="O 加数字")

    @computed_field(title="工作地")  # type: ignore[prop-decorator]
    @property
    def work_region_name(self) -> str:
        return labels.region_name(self.work_region)

    @computed_field(title="学历")  # type: ignore[prop-decorator]
    @property
    def education_label(self) -> str:
        return labels.education_label(self.education)


class OrganisationAttrsOut(Schema):
    model_config = ConfigDict(title="机构属性")

    ownership: str | None = Field(default=None, title="举办性质代码")
    uscc_status: str | None = Field(default=None, title="信用代码状态代码")
    designated_training: bool | None = Field(default=None, title="是否定点培训机构")
    designated_from: str | None = Field(default=None, title="定点起始日期")
    designated_to: str | None = Field(default=None, title="定点截止日期")
    self_evaluation_filed: bool | None = Field(default=None, title="是否已备案自主评价")

    @computed_field(title="举办性质")  # type: ignore[prop-decorator]
    @property
    def ownership_label(self) -> str:
        return labels.ownership_label(self.ownership)


def _attrs_kind(value: Any) -> str:
    keys = value if isinstance(value, dict) else vars(value)
    return "organisation" if "uscc_status" in keys or "ownership" in keys else "person"


SubjectAttrsOut = Annotated[
    Annotated[PersonAttrsOut, Tag("person")] | Annotated[OrganisationAttrsOut, Tag("organisation")],
    Discriminator(_attrs_kind),
]

SubjectKind = Literal[
    "person", "enterprise", "institution", "college", "evaluation_org", "bureau", "association"
]


class SubjectJSONOut(Schema):
    model_config = ConfigDict(title="主体（政策引擎格式）")

    id: str = Field(title="主体编号", description="P 加人员编号，O 加机构编号")
    kind: SubjectKind = Field(title="主体类型代码")
    region: str = Field(title="地区代码")
    birth_date: str | None = Field(default=None, title="出生日期", description="接口中始终为空")
    birth_year: int | None = Field(default=None, title="出生年份")
    sex: Literal["M", "F"] | None = Field(default=None, title="性别代码")
    attrs: SubjectAttrsOut = Field(title="属性")

    @computed_field(title="主体类型")  # type: ignore[prop-decorator]
    @property
    def kind_label(self) -> str:
        return labels.subject_kind_label(self.kind)

    @computed_field(title="性别")  # type: ignore[prop-decorator]
    @property
    def sex_label(self) -> str:
        return labels.sex_label(self.sex)

    @computed_field(title="地区")  # type: ignore[prop-decorator]
    @property
    def region_name(self) -> str:
        return labels.region_name(self.region)


class FactsDocumentOut(Schema):
    """The facts JSON format of docs/policy-schema.md, as the policy engine reads it, with a
    Chinese label beside each code."""

    model_config = ConfigDict(title="档案事实文档")

    subject: SubjectJSONOut = Field(title="主体")
    facts: list[FactJSONOut] = Field(title="事实")


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
