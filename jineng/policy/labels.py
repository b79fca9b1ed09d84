"""Chinese labels for the codes the policy engine speaks in, for the policy pages and the API.

The engine (jineng/policy/engine) writes reasons and branches with the codes of the policy files:
item ids (`dg.talent_card.by_title`), `title:dongguan_technical_expert`, region prefixes, occupation
codes, vocabulary codes (`provincial_class1`), trigger fields (`attrs.prize_fen`). A person reads
labels instead: the vocabularies of the YAML files and of the dossier, the reference tables'
region and occupation names. This module is that lookup; the engine is not changed by it.

Reference names are read once per process and code (reference data does not change while the
process runs), so an explanation asks the database nothing after the first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import cache

from jineng.dossier.models import FactKind
from jineng.dossier.vocabulary import (
    CERTIFICATE_LEVELS,
    CODE_LABELS,
    COMPETITION_RESULTS,
    COMPETITION_ROLES,
    DESIGNATION_LEVELS,
    LEVEL_LABELS,
)
from jineng.policy.engine import model as m
from jineng.policy.engine.model import Document, Policies
from jineng.reference.models import Occupation, Region

# Subject attributes the conditions read (docs/policy-schema.md), in words.
ATTRIBUTE_ZH: Mapping[str, str] = {
    "kind": "对象类别",
    "region": "所在地区",
    "work_region": "工作地",
    "hukou_region": "户籍地",
    "residence_region": "常住地",
    "sex": "性别",
    "age": "年龄",
    "insured": "参加社会保险",
    "retired": "已退休",
    "education": "学历",
    "ownership": "所有制",
    "enterprise_size": "企业规模",
    "years_in_city": "在本市工作年限（年）",
    "public_institution_staff": "事业单位在编人员",
    "birth_date": "出生日期",
}
# Fields of a trigger fact and of the rules (`once`, tie-breaks, amount keys), in words.
FIELD_ZH: Mapping[str, str] = {
    "code": "项目",
    "level": "等级",
    "date": "日期",
    "region": "地区",
    "issuer": "发证（认定）机构",
    "amount_fen": "金额",
    "kind": "类别",
    "subject_id": "对象",
    "fact_id": "记录",
    "fen": "金额",
    "attrs.role": "角色",
    "attrs.prize_fen": "竞赛奖金",
    "attrs.trainees": "培训人数",
    "attrs.students": "在读学生人数",
    "attrs.months": "月数",
    "attrs.filed_months": "备案月数",
    "attrs.shortage": "属于紧缺急需职业（工种）",
    "attrs.passed": "成绩合格",
    "attrs.accepted": "通过验收",
    "attrs.course_class": "课程类别",
    "attrs.certified_count": "新增持证人数",
    "attrs.certified_technician_count": "技师及以上新增持证人数",
    "attrs.certified_high_skill_count": "高技能人才新增持证人数",
    "attrs.via_competition": "通过竞赛获得",
    "attrs.team_award_total_fen": "团队奖金总额",
    "attrs.represented_region": "代表地区",
    "attrs.selected": "入选",
    "attrs.evaluated": "通过评估",
    "attrs.qualifying": "符合条件",
    "attrs.foreign": "外籍",
    "attrs.major_project": "参与重大项目",
    "attrs.integrated_teacher": "一体化教师",
    "attrs.claimed_elsewhere": "已在别处申领",
    "attrs.contract_signed": "已签订合同",
    "attrs.contract_years": "合同年限",
    "attrs.real_name": "实名登记",
    "attrs.face_checkin": "人脸识别签到",
    "attrs.video_monitored": "视频监控",
    "attrs.voucher": "使用培训券",
    "attrs.international": "国际认证",
    "attrs.local_high_skill": "本地高技能人才",
}
OP_ZH: Mapping[str, str] = {
    "eq": "为",
    "ne": "不为",
    "in": "属于",
    "not_in": "不属于",
    "lt": "小于",
    "le": "不超过",
    "gt": "大于",
    "ge": "不少于",
    "under": "在",
}
VALUE_ZH: Mapping[str, str] = {
    "person": "个人",
    "enterprise": "企业",
    "organisation": "单位",
    "public": "公有制（公办）",
    "private": "民营（民办）",
    "large": "大型",
    "medium": "中型",
    "small": "小型",
    "micro": "微型",
    "M": "男",
    "F": "女",
    "senior": "高中（中专）",
    "junior": "初中",
    "college": "大专",
    "bachelor": "本科",
    "master": "硕士研究生",
    "doctor": "博士研究生",
}
# A parenthetical aside of a vocabulary label that documents the data (`(attrs.students = 在读人数)`)
_DATA_ASIDE = re.compile(r"\s*[（(][^（）()]*[A-Za-z_=][^（）()]*[)）]")
_ITEM_ID = re.compile(r"\b[a-z]{2,}\.[a-z_][a-z0-9_]*(?:\.[a-z0-9_]+)*\b")
_KIND_CODE = re.compile(r"\b([a-z_]+):([a-z0-9_]+)\b")
_ATTR = re.compile(r"\battrs\.([a-z_]+)\b")
_OCCUPATION = re.compile(r"\b\d-\d{2}-\d{2}-\d{2}\b")
_REGION = re.compile(r"(?<![\d,.])\d{6}(?![\d,.])")
_FACT_REF = re.compile(r"\s*[（(](?:事实|组)\s[^)）]*[)）]")
_CODE_WORD = re.compile(
    r"(?<![A-Za-z0-9_.])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![A-Za-z0-9_.])|\b[a-z]{3,}\b"
)


def clean_label(label: str) -> str:
    """A vocabulary label without the asides that document the data format."""
    return _DATA_ASIDE.sub("", label).strip() or label


@cache
def _policies() -> Policies:
    from jineng.policy.selectors import policies

    return policies()


@cache
def _vocabulary() -> dict[str, dict[str, str]]:
    """kind → code → label: the dossier's closed lists, then every policy file's vocabulary."""
    out: dict[str, dict[str, str]] = {k: dict(v) for k, v in CODE_LABELS.items()}
    for doc in _policies().documents:
        for kind, codes in doc.vocabulary.items():
            for code, label in codes.items():
                out.setdefault(kind, {}).setdefault(code, clean_label(label))
    return out


@cache
def _any_code() -> dict[str, str]:
    """Any code of any vocabulary, level list or role list → its label (first one wins)."""
    out: dict[str, str] = {}
    for codes in _vocabulary().values():
        for code, label in codes.items():
            out.setdefault(code, label)
    for table in (COMPETITION_RESULTS, COMPETITION_ROLES, DESIGNATION_LEVELS):
        for code, label in table.items():
            out.setdefault(code, label)
    out.update({k: v for k, v in VALUE_ZH.items() if len(k) > 1})
    return out


def fact_kind_label(kind: str) -> str:
    return str(dict(FactKind.choices).get(kind, "相关记录"))


def code_label(kind: str, code: str) -> str:
    """The label of a fact code: occupation names for certificates and training, else the
    vocabularies; unknown codes read as "其他项目" rather than as the code."""
    if _OCCUPATION.fullmatch(code):
        return occupation_name(code)
    return _vocabulary().get(kind, {}).get(code) or _any_code().get(code) or "其他项目"


def level_label(kind: str, level: str) -> str:
    table = LEVEL_LABELS.get(kind)
    if table and level in table:
        return table[level]
    return _any_code().get(level) or CERTIFICATE_LEVELS.get(level) or f"{level}级"


def role_label(role: str) -> str:
    return COMPETITION_ROLES.get(role, "其他角色")


def item_title(item_id: str) -> str:
    try:
        return _policies().item(item_id).title
    except KeyError:
        return "其他政策条目"


def field_label(name: str) -> str:
    if name in FIELD_ZH:
        return FIELD_ZH[name]
    if name.startswith("attrs."):
        return "记录中的相关信息"
    return ATTRIBUTE_ZH.get(name, "相关信息")


# --- reference names (read once per process and code) ----------------------------------------

_REGION_NAMES: dict[str, str] = {}
_OCCUPATION_NAMES: dict[str, str] = {}


def region_names(codes: Iterable[str]) -> dict[str, str]:
    """Six-digit code or prefix ("4419", "64") → name; one query for the codes not yet read."""
    wanted = {c: c.ljust(6, "0") for c in codes if c and c.isdigit() and len(c) <= 6}
    missing = {full for full in wanted.values() if full not in _REGION_NAMES}
    if missing:
        found = dict(Region.objects.filter(code__in=missing).values_list("code", "name"))
        for full in missing:
            _REGION_NAMES[full] = found.get(full, "")
    return {c: _REGION_NAMES[full] for c, full in wanted.items() if _REGION_NAMES[full]}


def region_name(code: str) -> str:
    """全国 for the empty prefix; 未知地区 for a code the reference table does not hold."""
    if not code:
        return "全国"
    return region_names([code]).get(code, "未知地区")


def occupation_name(code: str) -> str:
    if code not in _OCCUPATION_NAMES:
        found = Occupation.objects.filter(code=code).values_list("name", flat=True).first()
        _OCCUPATION_NAMES[code] = found or ""
    return _OCCUPATION_NAMES[code] or "其他职业"


def prefetch_occupations(codes: Iterable[str]) -> None:
    missing = {c for c in codes if _OCCUPATION.fullmatch(c) and c not in _OCCUPATION_NAMES}
    if missing:
        found = dict(Occupation.objects.filter(code__in=missing).values_list("code", "name"))
        for code in missing:
            _OCCUPATION_NAMES[code] = found.get(code, "")


# --- documents ----------------------------------------------------------------------------------


def document_source(document: Document) -> str:
    """How a person names the source: 《title》 and its number (not the seed file's name)."""
    number = f"（{document.number}）" if document.number else ""
    return f"《{document.title}》{number}"


def jurisdiction_label(document: Document) -> str:
    if not document.jurisdiction:
        return "全国"
    if "${" in document.jurisdiction:
        return "由采用本方案的城市确定"
    return region_name(document.jurisdiction)


# --- free text from the engine -----------------------------------------------------------------


def _value_text(value: object) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, tuple):
        return "、".join(_value_text(v) for v in value)
    text = str(value)
    if text.isdigit() and len(text) in (2, 4, 6):
        return region_name(text)
    return VALUE_ZH.get(text) or _any_code().get(text) or text


def predicate_text(pred: m.Predicate) -> str:
    """A condition in words: its label from the file, else a Chinese rendering of its parts."""
    if pred.label:
        return humanise(pred.label)
    if isinstance(pred, m.AttrPred):
        name = ATTRIBUTE_ZH.get(pred.name, "相关条件")
        if isinstance(pred.value, bool) and pred.op == "eq":
            return name if pred.value else f"非{name}"
        if pred.op == "under":
            return f"{name}在{_value_text(pred.value)}"
        return f"{name}{OP_ZH.get(pred.op, '为')}{_value_text(pred.value)}"
    if isinstance(pred, m.TriggerPred):
        name = field_label(pred.field)
        if isinstance(pred.value, bool) and pred.op == "eq":
            return f"该记录{'' if pred.value else '未'}注明{name}"
        return f"该记录的{name}{OP_ZH.get(pred.op, '为')}{_value_text(pred.value)}"
    if isinstance(pred, m.FactPred):
        parts = [fact_kind_label(pred.kind)]
        if pred.codes:
            parts.append("或".join(code_label(pred.kind, c) for c in pred.codes))
        if pred.levels:
            parts.append("或".join(level_label(pred.kind, lv) for lv in pred.levels))
        text = "档案中有" + "·".join(parts) + "的记录"
        if pred.within:
            direction = "之后" if pred.within.direction == "after" else "之前"
            text += f"（在该记录{direction}{pred.within.duration.describe()}内）"
        return text
    if isinstance(pred, m.ElapsedPred):
        out = []
        if pred.at_least:
            out.append(f"自该记录之日起满{pred.at_least.describe()}")
        if pred.at_most:
            out.append(f"自该记录之日起{pred.at_most.describe()}内")
        return "、".join(out)
    if isinstance(pred, m.AnyPred):
        return "（" + "，或".join(predicate_text(p) for p in pred.preds) + "）"
    if isinstance(pred, m.AllPred):
        return "（" + "，且".join(predicate_text(p) for p in pred.preds) + "）"
    if isinstance(pred, m.NotPred):
        return "不属于：" + predicate_text(pred.pred)
    return "其他条件"


def _item_id_word(match: re.Match[str]) -> str:
    text = match.group(0)
    if text.startswith("attrs."):
        return field_label(text)
    try:
        return f"“{_policies().item(text).title}”"
    except KeyError:
        # a parameter path after an item id (`nb.skill_upgrade.table.advanced`): the longest item
        for item in sorted(_policies().items, key=lambda i: len(i.id), reverse=True):
            if text.startswith(item.id + "."):
                return f"“{item.title}”"
        return "相关条目"


def _kind_code_word(match: re.Match[str]) -> str:
    kind, code = match.group(1), match.group(2)
    if kind in _vocabulary() or kind in dict(FactKind.choices):
        return f"“{code_label(kind, code)}”"
    return match.group(0)


def _region_word(match: re.Match[str]) -> str:
    return region_names([match.group(0)]).get(match.group(0)) or match.group(0)


def humanise(text: str, *, words: bool = True) -> str:
    """Engine text with its codes replaced by labels. `words=False` keeps lower-case words (for
    English text, where "player" is a word and not a code)."""
    if not text:
        return text
    out = _FACT_REF.sub("", text)
    out = re.sub(r"\b(?:code|level|kind|attrs\.[a-z_]+)=", "", out)
    out = _KIND_CODE.sub(_kind_code_word, out)
    out = _ITEM_ID.sub(_item_id_word, out)
    out = _ATTR.sub(lambda mm: field_label(mm.group(0)), out)
    out = _OCCUPATION.sub(lambda mm: occupation_name(mm.group(0)), out)
    out = _REGION.sub(_region_word, out)
    out = re.sub(
        r"已就同一([a-z_.、]+)享受过一次",
        lambda mm: (
            "已就同一" + "、".join(field_label(f) for f in mm.group(1).split("、")) + "享受过一次"
        ),
        out,
    )
    # An outcome status quoted in a reason ("未发放 (condition_failed)") reads as its Chinese name.
    out = re.sub(
        r"\s*[(（]([a-z_]+)[)）]",
        lambda mm: (
            f"（{_status_words().get(mm.group(1))}）"
            if mm.group(1) in _status_words()
            else mm.group(0)
        ),
        out,
    )
    if words:
        codes = _any_code()
        out = _CODE_WORD.sub(lambda mm: codes.get(mm.group(0), mm.group(0)), out)
    return out


def _status_words() -> dict[str, str]:
    from jineng.policy.engine.outcome import STATUS_ZH

    return {str(status): label for status, label in STATUS_ZH.items()}
