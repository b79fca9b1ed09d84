"""The import page's bridge to `jineng.imports`: which kinds a role may upload, their labels, the
upload form, and the download names. The uploads themselves are background jobs
(`jineng.imports.jobs`)."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any
from urllib.parse import quote

from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from jineng.identity.models import BUREAU_ROLES, Role

KIND_LABELS: dict[str, str | Promise] = {
    "people": _("人员"),
    "organisations": _("机构"),
    "facts": _("档案事实（历史证书、竞赛、称号等）"),
}
# Which kinds the form offers to whom, as `jineng.imports.access` allows them: organisation admins
# and HR load their own staff; organisations and historical facts come from the bureau. The
# imports app checks again, and restricts the rows to the actor's organisation or region.
KIND_ROLES: dict[str, frozenset[str]] = {
    "people": frozenset(BUREAU_ROLES | {Role.ORG_ADMIN, Role.ORG_HR, Role.SYSADMIN}),
    "organisations": frozenset(BUREAU_ROLES | {Role.SYSADMIN}),
    "facts": frozenset(BUREAU_ROLES | {Role.SYSADMIN}),
}


def kinds_for(roles: frozenset[str]) -> list[tuple[str, str | Promise]]:
    return [(kind, label) for kind, label in KIND_LABELS.items() if roles & KIND_ROLES[kind]]


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("导入类型"))
    file = forms.FileField(label=_("文件（.xlsx 或 .csv）"))
    update_existing = forms.BooleanField(
        label=_("更新已有人员：系统中已有的本范围人员按文件更新（写入前逐项列出变更）"),
        required=False,
    )

    def __init__(self, *args: Any, kinds: list[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kinds  # type: ignore[attr-defined]

    def clean_file(self) -> Any:
        f = self.cleaned_data["file"]
        name = (f.name or "").lower()
        if not name.endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("只接受 .xlsx 或 .csv 文件。"))
        return f

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("update_existing") and data.get("kind") != "people":
            self.add_error("update_existing", _("只有人员导入可以更新已有记录。"))
        return data


def attachment(filename: str, fallback: str) -> str:
    """A Content-Disposition for a download named in Chinese: `filename*` (RFC 5987, UTF-8) for
    every current browser, an ASCII `filename` for the rest."""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


def report_filename(upload_name: str) -> str:
    """`<upload stem>-错误报告.xlsx`: the error report is named after the file it checked."""
    stem = PurePath(upload_name.replace("\\", "/")).stem.strip() or "导入"
    return f"{stem[:100]}-错误报告.xlsx"
