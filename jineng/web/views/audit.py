"""The audit trail as bureau officers and auditors read it: every entry concerning their region
(everything for a global scope), filtered by date, operator, action and object type, with what
each entry concerns named in Chinese (masked names and ID numbers only), the last chain
verification and anchor, and the filtered list as .xlsx."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jineng.audit.access import audit_entries_visible_to
from jineng.audit.models import AuditAnchor, AuditEntry, AuditVerificationRun
from jineng.audit.services import audit_record
from jineng.audit.vocabulary import (
    AuditAction,
    AuditObject,
    action_choices,
    actions_with_label,
    object_choices,
    objects_with_label,
)
from jineng.core.xlsx import CellValue, Sheet, workbook_bytes
from jineng.dossier.models import Fact, FactKind
from jineng.dossier.vocabulary import code_label, level_label
from jineng.identity.access import Scope, people_visible_to, request_scope
from jineng.identity.masking import mask_id_number, mask_text
from jineng.identity.models import Employment, Person, User
from jineng.identity.roles import CONSOLE_ROLES
from jineng.organisations.models import Organisation
from jineng.reference.models import Occupation, Region
from jineng.web.guards import page
from jineng.web.importing import attachment
from jineng.web.pagination import paginate, querystring_without_page

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_LIMIT = 20_000
_CHUNK = 1000
_FIELD_LABELS = {"id_number": _("证件号码"), "phone": _("手机号码"), "bank_account": _("银行账号")}
_OCCUPATION_KINDS = (FactKind.CERTIFICATE, FactKind.TRAINING, FactKind.APPRENTICESHIP)
_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AuditFilterForm(forms.Form):
    date_from = forms.DateField(label=_("起始日期"), required=False, widget=_DATE)
    date_to = forms.DateField(label=_("截止日期"), required=False, widget=_DATE)
    operator = forms.CharField(label=_("操作人"), required=False, max_length=150)
    action = forms.ChoiceField(label=_("操作"), required=False)
    object_type = forms.ChoiceField(label=_("对象类型"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        everything = [("", str(_("全部")))]
        self.fields["action"].choices = everything + action_choices()  # type: ignore[attr-defined]
        self.fields["object_type"].choices = everything + object_choices()  # type: ignore[attr-defined]
        self.fields["operator"].widget.attrs["placeholder"] = str(_("账号或姓名；“系统”查平台操作"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("截止日期不能早于起始日期"))
        return data

    def described(self) -> dict[str, str]:
        """The filters in use, in words (for the export's cover sheet)."""
        if not self.is_valid():
            return {}
        d = self.cleaned_data
        labels = {
            "action": dict(self.fields["action"].choices),  # type: ignore[attr-defined]
            "object_type": dict(self.fields["object_type"].choices),  # type: ignore[attr-defined]
        }
        out: dict[str, str] = {}
        for name in ("date_from", "date_to", "operator", "action", "object_type"):
            value = d.get(name)
            if value:
                shown = labels[name].get(value, value) if name in labels else value
                out[str(self.fields[name].label)] = str(shown)
        return out


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def filtered_entries(user: User, scope: Scope, form: AuditFilterForm) -> QuerySet[AuditEntry]:
    entries = audit_entries_visible_to(user, scope=scope)
    if not form.is_valid():
        return entries
    d = form.cleaned_data
    if d.get("date_from"):
        entries = entries.filter(at__gte=_day_start(d["date_from"]))
    if d.get("date_to"):
        entries = entries.filter(at__lt=_day_start(d["date_to"] + dt.timedelta(days=1)))
    operator = (d.get("operator") or "").strip()
    if operator in {"系统", "system"}:
        entries = entries.filter(actor__isnull=True)
    elif operator:
        entries = entries.filter(
            Q(actor_label__icontains=operator) | Q(actor__display_name__icontains=operator)
        )
    if d.get("action"):
        entries = entries.filter(action__in=actions_with_label(d["action"]))
    if d.get("object_type"):
        entries = entries.filter(object_type__in=objects_with_label(d["object_type"]))
    return entries


# --- what each entry concerns, named -----------------------------------------------------------


def mask_name(name: str) -> str:
    """张三 → 张*, 邓志明 → 邓*明, 欧阳小明 → 欧**明."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def _person_label(person: Person | None) -> str:
    if person is None:
        return ""
    return f"{mask_name(person.name)}（{mask_id_number(person.id_number)}）"


def _ids(entries: Iterable[AuditEntry], *types: str) -> set[int]:
    return {int(e.object_id) for e in entries if e.object_type in types and e.object_id.isdigit()}


class _Targets:
    """Everything a page of entries names, read in one query per kind of target."""

    def __init__(self, entries: list[AuditEntry], *, user: User, scope: Scope) -> None:
        fact_ids = _ids(entries, AuditObject.FACT)
        self.facts = {f.pk: f for f in Fact.objects.filter(pk__in=fact_ids)} if fact_ids else {}
        job_ids = _ids(entries, AuditObject.EMPLOYMENT)
        self.jobs = (
            {e.pk: e for e in Employment.objects.filter(pk__in=job_ids).select_related("employer")}
            if job_ids
            else {}
        )
        person_ids = _ids(entries, AuditObject.PERSON)
        person_ids |= {f.person_id for f in self.facts.values() if f.person_id}
        person_ids |= {j.person_id for j in self.jobs.values()}
        # Only people the reader may see are named (an entry never shows who lies outside).
        self.people = (
            {p.pk: p for p in people_visible_to(user, scope=scope).filter(pk__in=person_ids)}
            if person_ids
            else {}
        )
        org_ids = _ids(entries, AuditObject.ORGANISATION)
        org_ids |= {f.organisation_id for f in self.facts.values() if f.organisation_id}
        self.orgs = (
            dict(Organisation.objects.filter(pk__in=org_ids).values_list("pk", "name"))
            if org_ids
            else {}
        )
        user_ids = _ids(entries, AuditObject.USER, AuditObject.ACCOUNT)
        self.users = (
            {u.pk: u for u in User.objects.filter(pk__in=user_ids).only("username", "display_name")}
            if user_ids
            else {}
        )
        codes = {f.code for f in self.facts.values() if f.kind in _OCCUPATION_KINDS and f.code}
        self.occupations = (
            dict(Occupation.objects.filter(code__in=codes).values_list("code", "name"))
            if codes
            else {}
        )
        region_codes = {e.region for e in entries if e.region}
        region_codes |= {
            e.object_id.split("/")[0] for e in entries if e.object_type == AuditObject.SHORTAGE_LIST
        }
        self.regions = (
            dict(Region.objects.filter(code__in=region_codes).values_list("code", "name"))
            if region_codes
            else {}
        )

    def _fact(self, fact: Fact | None) -> str:
        if fact is None:
            return ""
        if fact.kind in _OCCUPATION_KINDS:
            what = self.occupations.get(fact.code, "")
        else:
            what = code_label(fact.kind, fact.code)
        parts = [str(fact.get_kind_display()), what, level_label(fact.kind, fact.level)]
        label = "·".join(p for p in parts if p)
        subject = (
            _person_label(self.people.get(fact.person_id))
            if fact.person_id
            else self.orgs.get(fact.organisation_id or 0, "")
        )
        return f"{label}（{subject}）" if subject else label

    def label(self, e: AuditEntry) -> str:
        oid = int(e.object_id) if e.object_id.isdigit() else 0
        otype = e.object_type
        if otype == AuditObject.PERSON:
            return _person_label(self.people.get(oid))
        if otype == AuditObject.FACT:
            return self._fact(self.facts.get(oid))
        if otype == AuditObject.EMPLOYMENT and oid in self.jobs:
            job = self.jobs[oid]
            employer = job.employer.name if job.employer else job.employer_name
            person = _person_label(self.people.get(job.person_id))
            return " · ".join(p for p in (person, employer) if p)
        if otype == AuditObject.ORGANISATION:
            return self.orgs.get(oid, "")
        if otype in (AuditObject.USER, AuditObject.ACCOUNT) and oid in self.users:
            account = self.users[oid]
            return account.display_name or account.username
        if otype == AuditObject.SHORTAGE_LIST and "/" in e.object_id:
            code, year = e.object_id.split("/", 1)
            return f"{self.regions.get(code, '')} {year} 年".strip()
        if otype == AuditObject.PERSON_SEARCH and isinstance(e.after, dict):
            return str(e.after.get("id_number", ""))
        return ""


def _detail(e: AuditEntry) -> str:
    after = e.after if isinstance(e.after, dict) else {}
    if e.action == AuditAction.REVEAL and after.get("field") in _FIELD_LABELS:
        return str(_("查看了%(field)s") % {"field": _FIELD_LABELS[after["field"]]})
    if e.action == AuditAction.IMPORT and isinstance(after.get("written"), int):
        return str(_("写入 %(n)s 行") % {"n": after["written"]})
    return ""


def describe(entries: list[AuditEntry], *, user: User, scope: Scope) -> list[AuditEntry]:
    """Attach to each entry what a reader sees: target_label, operator, region_name, detail and
    a masked reason (a reason typed by hand may hold a number)."""
    targets = _Targets(entries, user=user, scope=scope)
    for e in entries:
        e.target_label = targets.label(e)  # type: ignore[attr-defined]
        actor = e.actor if e.actor_id is not None else None
        e.operator = (  # type: ignore[attr-defined]
            (actor.display_name or e.actor_label) if actor is not None else e.actor_display
        )
        e.region_name = targets.regions.get(e.region, "")  # type: ignore[attr-defined]
        e.detail = _detail(e)  # type: ignore[attr-defined]
        e.shown_reason = mask_text(e.reason)  # type: ignore[attr-defined]
    return entries


# --- pages -------------------------------------------------------------------------------------


def _base(request: HttpRequest) -> tuple[User, Scope, AuditFilterForm]:
    assert isinstance(request.user, User)
    user = request.user
    scope = request_scope(request)
    form = AuditFilterForm(request.GET or None)
    return user, scope, form


@page(roles=CONSOLE_ROLES)
def audit_log(request: HttpRequest) -> HttpResponse:
    user, scope, form = _base(request)
    entries = filtered_entries(user, scope, form)
    page_obj = paginate(request, entries)
    rows = describe(list(page_obj.object_list), user=user, scope=scope)
    context = {
        "form": form,
        "page_obj": page_obj,
        "entries": rows,
        "page_numbers": list(
            page_obj.paginator.get_elided_page_range(page_obj.number, on_each_side=1, on_ends=1)
        ),
        "ellipsis": page_obj.paginator.ELLIPSIS,
        "qs": querystring_without_page(request),
        "verification": AuditVerificationRun.objects.first(),
        "anchor": AuditAnchor.objects.first(),
        "export_limit": EXPORT_LIMIT,
    }
    return render(request, "web/audit.html", context)


def _export_rows(entries: list[AuditEntry], *, user: User, scope: Scope) -> list[list[CellValue]]:
    rows: list[list[CellValue]] = []
    for start in range(0, len(entries), _CHUNK):
        for e in describe(entries[start : start + _CHUNK], user=user, scope=scope):
            rows.append(
                [
                    timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"),
                    e.action_label,
                    e.object_label,
                    e.target_label,  # type: ignore[attr-defined]
                    e.operator,  # type: ignore[attr-defined]
                    e.region_name,  # type: ignore[attr-defined]
                    e.detail,  # type: ignore[attr-defined]
                    e.shown_reason,  # type: ignore[attr-defined]
                ]
            )
    return rows


@page(roles=CONSOLE_ROLES)
def audit_export(request: HttpRequest) -> HttpResponse:
    """The filtered list as .xlsx (masked names and numbers only; at most EXPORT_LIMIT rows),
    itself an audited action."""
    user, scope, form = _base(request)
    entries = list(filtered_entries(user, scope, form)[:EXPORT_LIMIT])
    rows = _export_rows(entries, user=user, scope=scope)
    filters = form.described()
    header = ["时间", "操作", "对象类型", "对象（已脱敏）", "操作人", "区域", "内容", "原因"]
    about: list[list[CellValue]] = [
        ["导出时间", timezone.localtime().strftime("%Y-%m-%d %H:%M")],
        ["条数", len(rows)],
        ["筛选条件", "；".join(f"{k}：{v}" for k, v in filters.items()) or "无"],
    ]
    if len(rows) == EXPORT_LIMIT:
        about.append(["说明", f"只导出最近的 {EXPORT_LIMIT} 条，请缩小筛选范围"])
    data = workbook_bytes(
        [Sheet("审计日志", header, rows), Sheet("导出说明", ["项目", "内容"], about)]
    )
    audit_record(
        actor=user,
        action=AuditAction.EXPORT,
        object_type=AuditObject.AUDIT_LOG,
        object_id="",
        after={"rows": len(rows), "filters": filters},
        reason="导出审计日志",
    )
    today = timezone.localdate()
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = attachment(
        f"审计日志-{today:%Y%m%d}.xlsx", f"audit-{today:%Y%m%d}.xlsx"
    )
    return response
