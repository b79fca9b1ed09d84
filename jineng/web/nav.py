"""The navigation bar: which entries each role sees. Pages still check access themselves; the nav
only hides links a user could not use."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from jineng.identity.access import request_scope
from jineng.identity.models import ORG_ROLES, Role
from jineng.identity.roles import CONSOLE_ROLES, IMPORT_ROLES
from jineng.learning.access import PROVIDER_ROLES, REVIEW_ROLES
from jineng.learning.access_training import INSTITUTION_ROLES, VOUCHER_READ_ROLES


@dataclass(frozen=True)
class NavEntry:
    key: str
    label: str | Promise
    url_name: str
    roles: frozenset[str]


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    url: str
    active: bool


FINANCE = frozenset({Role.BUREAU_FINANCE})

# Entries whose URL does not resolve (an app not yet installed, e.g. the policy pages) are skipped.
NAV: tuple[NavEntry, ...] = (
    NavEntry("me", _("我的档案"), "web:me", frozenset({Role.WORKER})),
    # Finance's own work first (the other bureau roles read these after the claims queue).
    NavEntry("finance-batches", _("拨付批次"), "claims:batches", FINANCE),
    NavEntry("finance-budget", _("资金预算执行"), "claims:budget", FINANCE),
    NavEntry("policy-mine", _("我可享受的政策"), "policy:mine", frozenset({Role.WORKER})),
    NavEntry("claims-mine", _("我的待遇申领"), "claims:mine", frozenset({Role.WORKER})),
    NavEntry("claims-inbox", _("我的消息"), "claims:inbox", frozenset({Role.WORKER})),
    NavEntry(
        "claims-apply",
        _("待遇申请"),
        "claims:apply",
        frozenset({Role.WORKER, Role.ORG_ADMIN, Role.ORG_HR}),
    ),
    NavEntry(
        "claims-applications",
        _("我的申请"),
        "claims:applications",
        frozenset({Role.WORKER, Role.ORG_ADMIN, Role.ORG_HR}),
    ),
    NavEntry("learning", _("课程目录"), "learning:catalogue", frozenset({Role.WORKER})),
    NavEntry("learning-mine", _("我的课程"), "learning:mine", frozenset({Role.WORKER})),
    NavEntry(
        "training-record",
        _("我的培训档案"),
        "learning:my_training_record",
        frozenset({Role.WORKER}),
    ),
    NavEntry("vouchers-mine", _("我的培训券"), "learning:my_vouchers", frozenset({Role.WORKER})),
    NavEntry("learning-provider", _("本机构课程"), "learning:provider_list", PROVIDER_ROLES),
    NavEntry("voucher-verify", _("核验培训券"), "learning:voucher_verify", INSTITUTION_ROLES),
    NavEntry("voucher-batches", _("培训券发放"), "learning:voucher_batches", VOUCHER_READ_ROLES),
    NavEntry("training-ledger", _("培训台账"), "learning:ledger", VOUCHER_READ_ROLES),
    NavEntry("learning-review", _("课程审核"), "learning:review_queue", REVIEW_ROLES),
    NavEntry("classes-mine", _("我的培训班"), "learning:class_mine", frozenset({Role.WORKER})),
    NavEntry("classes-open", _("报名培训班"), "learning:class_open_list", frozenset({Role.WORKER})),
    NavEntry("classes", _("培训班"), "learning:class_list", PROVIDER_ROLES),
    NavEntry("classes-review", _("培训计划审批"), "learning:class_review_list", REVIEW_ROLES),
    NavEntry(
        "classes-flags", _("培训班预警"), "learning:class_flags", REVIEW_ROLES | {Role.AUDITOR}
    ),
    NavEntry("org-people", _("本单位人员"), "web:org_people", frozenset(ORG_ROLES)),
    NavEntry("console", _("人员查询"), "web:console", CONSOLE_ROLES),
    NavEntry("regions", _("区域统计"), "web:regions", CONSOLE_ROLES),
    NavEntry("policy-catalogue", _("政策文件"), "policy:catalogue", CONSOLE_ROLES),
    NavEntry("policy-explain", _("政策解读"), "policy:explain", CONSOLE_ROLES),
    NavEntry("policy-simulate", _("预算测算"), "policy:simulate", CONSOLE_ROLES),
    NavEntry("claims-queue", _("待遇申领办理"), "claims:queue", CONSOLE_ROLES),
    NavEntry("claims-flags", _("核查疑点"), "claims:flags", CONSOLE_ROLES),
    NavEntry("claims-overdue", _("超期待办"), "claims:overdue", CONSOLE_ROLES),
    NavEntry("claims-registers", _("比对名单"), "claims:registers", CONSOLE_ROLES),
    NavEntry("claims-batches", _("拨付批次"), "claims:batches", CONSOLE_ROLES - FINANCE),
    NavEntry("claims-budget", _("资金预算执行"), "claims:budget", CONSOLE_ROLES - FINANCE),
    NavEntry("imports", _("数据导入"), "web:imports", IMPORT_ROLES),
    NavEntry(
        "assessment-banks", _("题库"), "assessment:banks", frozenset(ORG_ROLES | CONSOLE_ROLES)
    ),
    NavEntry("assessment-mine", _("我的技能等级认定"), "assessment:mine", frozenset({Role.WORKER})),
    NavEntry("assessment-results", _("我的成绩"), "assessment:results", frozenset({Role.WORKER})),
    NavEntry(
        "assessment-sessions",
        _("考试批次"),
        "assessment:sessions",
        frozenset(ORG_ROLES | CONSOLE_ROLES),
    ),
    NavEntry(
        "assessment-marking",
        _("阅卷"),
        "assessment:marking",
        frozenset({Role.ORG_ADMIN, Role.ASSESSOR, Role.SYSADMIN}),
    ),
    NavEntry(
        "assessment-manage-banks",
        _("题库管理"),
        "assessment:manage_banks",
        frozenset(ORG_ROLES | CONSOLE_ROLES) - {Role.ORG_HR},
    ),
    NavEntry(
        "assessment-manage-review",
        _("试题审核"),
        "assessment:manage_review",
        frozenset({Role.ORG_ADMIN, Role.ASSESSOR, Role.SYSADMIN}),
    ),
    NavEntry(
        "assessment-manage-sessions",
        _("考试安排"),
        "assessment:manage_sessions",
        frozenset(CONSOLE_ROLES | {Role.ORG_ADMIN}),
    ),
    NavEntry(
        "assessment-apply", _("报名技能等级认定"), "assessment:apply", frozenset({Role.WORKER})
    ),
    NavEntry("audit", _("审计日志"), "web:audit", CONSOLE_ROLES),
    NavEntry("admin", _("管理后台"), "admin:index", frozenset({Role.SYSADMIN})),
    NavEntry("certificates", _("职业技能等级证书"), "certificates:mine", frozenset(Role.values)),
    NavEntry("certificates-integrity", _("评价机构诚信"), "certificates:integrity", CONSOLE_ROLES),
    NavEntry("tokens", _("我的登录令牌"), "web:tokens", frozenset(Role.values)),
)


def user_roles(request: HttpRequest) -> frozenset[str]:
    """The roles of the logged-in account, from the request's scope (read once per request)."""
    return request_scope(request).roles


def nav_items(request: HttpRequest, entries: Iterable[NavEntry] = NAV) -> list[NavItem]:
    roles = user_roles(request)
    items: list[NavItem] = []
    for entry in entries:
        if not roles & entry.roles:
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue
        active = request.path == url or (url != "/" and request.path.startswith(url))
        items.append(NavItem(entry.key, str(entry.label), url, active))
    return items
