from __future__ import annotations

from django import template
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

register = template.Library()


@register.filter
def yuan(fen: int | None) -> str:
    """Integer fen as yuan with two decimals and thousands separators: 150000 → 1,500.00."""
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(int(fen)), 100)
    return f"{sign}{whole:,}.{cents:02d}"


# What each audited action is called on the pages (the services name them; see their audit_record).
AUDIT_ACTIONS: dict[str, str | Promise] = {
    "create": _("新建"),
    "update": _("修改"),
    "reveal": _("查看明文"),
    "import": _("批量导入"),
    "seed": _("生成演示数据"),
    "grant": _("授予角色"),
    "revoke": _("撤销角色"),
    "otp_enrol": _("绑定动态验证码"),
    "fact_append": _("追加档案事实"),
    "fact_correct": _("更正档案事实"),
    "api_token_issue": _("签发接口令牌"),
    "api_token_revoke": _("吊销接口令牌"),
    "simulation_start": _("发起政策测算"),
}


@register.filter
def audit_action(action: str) -> str:
    return str(AUDIT_ACTIONS.get(action, action))
