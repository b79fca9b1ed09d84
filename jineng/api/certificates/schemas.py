"""Request and response types of the public certificate verification (/api/v1/certificates)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import ConfigDict

OutcomeOut = Literal[
    "valid",
    "suspended",
    "revoked",
    "superseded",
    "recorded",
    "altered",
    "not_found",
    "unverifiable",
]


class VerifyIn(Schema):
    """Either `token` (from the QR code), or `number` with the holder's full `name`."""

    model_config = ConfigDict(title="证书核验请求")

    number: str = Field(default="", max_length=40, title="证书编号")
    name: str = Field(default="", max_length=64, title="持证人姓名", description="完整姓名")
    token: str = Field(
        default="", max_length=2000, title="二维码签名", description="证书二维码中的签名"
    )


class AlteredOut(Schema):
    model_config = ConfigDict(title="不一致的内容")

    label: str = Field(title="内容")
    signed: str = Field(title="签发时")
    recorded: str = Field(title="现记录")


class VerifyOut(Schema):
    model_config = ConfigDict(title="证书核验结果")

    outcome: OutcomeOut = Field(
        title="结果",
        description="valid 有效；suspended 已暂停；revoked 已撤销；superseded 已替代；"
        "recorded 历史证书（依据来源记录，无签名）；altered 与签发记录不一致；"
        "not_found 未找到；unverifiable 签名无法验证",
    )
    headline: str = Field(title="结论", description="中文结论，可直接展示")
    number: str = Field(default="", title="证书编号")
    holder: str = Field(default="", title="持证人", description="未输入完整姓名时部分隐藏")
    occupation: str = Field(default="", title="职业（工种）")
    level: str = Field(default="", title="等级")
    issuer: str = Field(default="", title="发证机构")
    issued_on: dt.date | None = Field(default=None, title="发证日期")
    revoked_on: dt.date | None = Field(default=None, title="撤销日期")
    revoked_reason: str = Field(default="", title="撤销原因")
    suspended_on: dt.date | None = Field(default=None, title="暂停日期")
    suspended_reason: str = Field(default="", title="暂停原因")
    source: str = Field(default="", title="记录来源", description="历史证书的记录来源")
    photo: str = Field(
        default="", title="持证人照片", description="data:image/jpeg;base64 形式，无照片时为空"
    )
    altered: list[AlteredOut] = Field(default_factory=list, title="不一致的内容")


class ReasonIn(Schema):
    model_config = ConfigDict(title="暂停或恢复证书请求")

    reason: str = Field(
        min_length=1, max_length=200, title="原因", description="暂停原因在公开查询中显示"
    )


class RevokeIn(Schema):
    model_config = ConfigDict(title="撤销证书请求")

    reason: str = Field(
        min_length=1, max_length=200, title="撤销原因", description="将在公开查询中显示"
    )


class CertificateOut(Schema):
    model_config = ConfigDict(title="证书")

    number: str = Field(title="证书编号")
    holder: str = Field(title="持证人")
    occupation: str = Field(title="职业（工种）")
    level: str = Field(title="等级")
    issuer: str = Field(title="发证机构")
    issued_on: dt.date = Field(title="发证日期")
    status: str = Field(
        title="状态代码",
        description="valid 有效；suspended 已暂停；revoked 已撤销；superseded 已替代",
    )
    status_label: str = Field(title="状态")
    revoked_reason: str = Field(default="", title="撤销原因")
    suspended_reason: str = Field(default="", title="暂停原因")


class JwksOut(Schema):
    model_config = ConfigDict(title="证书签名公钥")

    keys: list[dict[str, Any]] = Field(
        title="公钥", description="JWK 格式（RFC 7517），Ed25519（OKP），算法 Ed25519（RFC 9864）"
    )


class CredentialOut(Schema):
    model_config = ConfigDict(title="可验证凭证")

    media_type: str = Field(title="媒体类型", description="application/vc+jwt")
    credential: str = Field(
        title="凭证",
        description="W3C 可验证凭证 2.0，JOSE 紧凑签名（Ed25519，与二维码同一密钥）",
    )


class MonthOut(Schema):
    month: dt.date = Field(title="月份", description="当月1日")
    count: int = Field(title="发证量")


class VolumeOut(Schema):
    model_config = ConfigDict(title="月度发证量")

    organisation_id: int = Field(title="机构编号")
    name: str = Field(title="机构名称")
    months: list[MonthOut] = Field(title="各月发证量")
    latest: int = Field(title="最近一月")
    median: float = Field(title="历史中位数")
    mad: float = Field(title="中位数绝对偏差")
    z: float | None = Field(
        default=None, title="稳健Z值", description="历史不足3个月或历史各月相同时为空"
    )
    flagged: bool = Field(title="异常提示")
    reason: str = Field(default="", title="提示原因")


class OutsideLicenceOut(Schema):
    organisation_id: int = Field(title="机构编号")
    name: str = Field(title="机构名称")
    count: int = Field(title="超范围证书数")
    examples: list[str] = Field(title="职业与等级示例")


class PassRateOut(Schema):
    organisation_id: int = Field(title="机构编号")
    name: str = Field(title="机构名称")
    year: int = Field(title="年度", description="考试批次开考的年度")
    candidates: int = Field(title="有成绩的考生数")
    passed: int = Field(title="各考核环节均合格的考生数")
    rate: float = Field(title="通过率", description="0–1")
    region_rate: float = Field(title="本辖区同年通过率", description="0–1")
    z: float | None = Field(
        title="稳健Z值", description="与同年各机构通过率比较；同年不足3家机构时为空"
    )
    flagged: bool = Field(title="异常提示")
    reason: str = Field(title="提示说明")


class SelfEvaluationOut(Schema):
    organisation_id: int = Field(title="企业编号")
    name: str = Field(title="企业名称")
    year: int = Field(title="年度")
    count: int = Field(title="证书数")


class IntegrityOut(Schema):
    model_config = ConfigDict(title="评价机构诚信指标")

    volumes: list[VolumeOut] = Field(title="月度发证量与本机构历史对比")
    outside_licence: list[OutsideLicenceOut] = Field(title="超出评价范围的证书")
    pass_rates: list[PassRateOut] = Field(
        title="通过率与本辖区对比", description="依据公示中和已确认的考核成绩，按机构和年度"
    )
    self_evaluation: list[SelfEvaluationOut] = Field(title="企业自主评价发证量")
    flagged: int = Field(title="异常提示数")


class ImportedOut(Schema):
    number: str = Field(title="证书编号")
    holder: str = Field(title="持证人")
    occupation: str = Field(title="职业（工种）")
    level: str = Field(title="等级")
    issued_on: dt.date = Field(title="发证日期")


class ImportOut(Schema):
    model_config = ConfigDict(title="历史证书导入结果")

    imported: int = Field(title="导入证书数")
    certificates: list[ImportedOut] = Field(title="导入的证书")
