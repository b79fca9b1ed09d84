from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jineng.identity.models import IdType

REVEAL_FIELDS = [
    ("id_number", _("证件号码")),
    ("phone", _("手机号码")),
    ("bank_account", _("银行账号")),
]


class NameSearchForm(forms.Form):
    q = forms.CharField(label=_("姓名"), max_length=64)

    def clean_q(self) -> str:
        q: str = self.cleaned_data["q"].strip()
        if any(ch.isdigit() for ch in q):
            raise forms.ValidationError(
                _("姓名中不含数字；按证件号码查询请使用下方的证件号码查询。")
            )
        return q


class DocumentSearchForm(forms.Form):
    """Sent by POST so a full document number never lands in a URL, a log line or the history."""

    id_type = forms.ChoiceField(
        label=_("证件类型"), choices=IdType.choices, initial=IdType.RESIDENT
    )
    id_number = forms.CharField(label=_("证件号码"), max_length=32)

    def clean_id_number(self) -> str:
        return "".join(self.cleaned_data["id_number"].split()).upper()


class RevealForm(forms.Form):
    field = forms.ChoiceField(label=_("查看项目"), choices=REVEAL_FIELDS)
    reason = forms.CharField(label=_("查看原因"), min_length=2, max_length=200)


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("导入类型"))
    file = forms.FileField(label=_("文件（.xlsx 或 .csv）"))

    def __init__(self, *args: Any, kinds: list[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kinds  # type: ignore[attr-defined]

    def clean_file(self) -> Any:
        f = self.cleaned_data["file"]
        name = (f.name or "").lower()
        if not name.endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("只接受 .xlsx 或 .csv 文件。"))
        return f
