"""An organisation's people, for its own staff: those employed there now or teaching there.

The list has a count, numbered pages, filters (name, occupation, skill level, employment status),
the occupation and certificate columns, and an .xlsx export of the filtered list (masked ID numbers
and phones only; every export audited). A person's page shows their masked identity, their
employment at this organisation, certificates and training — nothing of other employers, and 404
for anyone the account may not see (`access_person_by_id`), the same as for an unknown id.

Every read starts from the access helpers (`people_visible_to`, `facts_visible_to`), which scope
the rows to the account's organisations; the filters only narrow that set.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from jineng.audit.services import audit_record
from jineng.core.xlsx import CellValue, Sheet, workbook_bytes
from jineng.dossier.access import facts_visible_to
from jineng.dossier.models import Fact, FactKind
from jineng.dossier.vocabulary import CERTIFICATE_LEVELS
from jineng.identity.access import Scope, access_person_by_id, people_visible_to, request_scope
from jineng.identity.models import ORG_ROLES, Employment, Person, User
from jineng.organisations.access import organisations_visible_to
from jineng.organisations.models import Teacher
from jineng.reference.models import Occupation, SkillLevel
from jineng.web.guards import page
from jineng.web.importing import attachment
from jineng.web.pagination import paginate, querystring_without_page

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_LIMIT = 50_000  # rows per export; a larger organisation narrows the filters first
CERTIFICATES_SHOWN = 3  # in the list; the person's page shows them all

STATUS_CHOICES = [("", _("全部")), ("employed", _("在职")), ("teaching", _("任教"))]
# The certificate ladder with the reference app's translated labels (same codes and Chinese as
# dossier.vocabulary.CERTIFICATE_LEVELS, which stays plain Chinese: it validates codes and labels
# printed certificates).
LEVEL_LABELS = {code: label for code, label in SkillLevel.choices if code in CERTIFICATE_LEVELS}
LEVEL_CHOICES = [("", _("全部")), *LEVEL_LABELS.items()]


def _level(code: str, default: str = "") -> str:
    return str(LEVEL_LABELS[code]) if code in LEVEL_LABELS else default


# --- reading ----------------------------------------------------------------------------------


def _current(qs: QuerySet[Any], today: dt.date, *, start_nullable: bool) -> QuerySet[Any]:
    started = Q(start__lte=today) | Q(start__isnull=True) if start_nullable else Q(start__lte=today)
    return qs.filter(started).filter(Q(end__isnull=True) | Q(end__gte=today))


def _employments(org_ids: Iterable[int], today: dt.date) -> QuerySet[Employment]:
    return _current(
        Employment.objects.filter(employer_id__in=list(org_ids)), today, start_nullable=False
    )


def _teaching(org_ids: Iterable[int], today: dt.date) -> QuerySet[Teacher]:
    return _current(
        Teacher.objects.filter(organisation_id__in=list(org_ids)), today, start_nullable=True
    )


def _certificates(user: User, scope: Scope) -> QuerySet[Fact]:
    # not superseded by a correction (FactQuerySet.current)
    return facts_visible_to(user, scope=scope).filter(
        kind=FactKind.CERTIFICATE, superseded_by__isnull=True
    )


def occupation_choices(org_ids: Sequence[int], today: dt.date) -> list[tuple[str, str]]:
    """The occupations of the organisation's current employees, for the filter."""
    rows = (
        _employments(org_ids, today)
        .exclude(occupation__isnull=True)
        .values_list("occupation_id", "occupation__name")
        .distinct()
        .order_by("occupation__name")
    )
    return [("", str(_("全部"))), *((code, name) for code, name in rows)]


class OrgPeopleFilter(forms.Form):
    q = forms.CharField(label=_("姓名"), max_length=64, required=False)
    occupation = forms.ChoiceField(label=_("职业"), required=False)
    level = forms.ChoiceField(label=_("技能等级"), choices=LEVEL_CHOICES, required=False)
    status = forms.ChoiceField(label=_("就业状态"), choices=STATUS_CHOICES, required=False)

    def __init__(self, *args: object, occupations: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["occupation"].choices = occupations  # type: ignore[attr-defined]

    def value(self, name: str) -> str:
        if not self.is_valid():
            return ""
        return str(self.cleaned_data.get(name) or "").strip()

    def described(self) -> dict[str, str]:
        """The filters applied, in words (the export's audit entry and first sheet)."""
        out: dict[str, str] = {}
        for name in ("q", "occupation", "level", "status"):
            value = self.value(name)
            if not value:
                continue
            field_ = self.fields[name]
            if isinstance(field_, forms.ChoiceField):
                value = str(dict(field_.choices).get(value, value))  # type: ignore[arg-type]
            out[str(field_.label)] = value
        return out


def filtered_people(
    user: User, scope: Scope, org_ids: Sequence[int], form: OrgPeopleFilter, today: dt.date
) -> QuerySet[Person]:
    people = people_visible_to(user, scope=scope)
    # Org staff see their organisation's people; a worker account also sees itself — the list is
    # of the organisation, so it keeps only those employed or teaching there now.
    employed = _employments(org_ids, today)
    teaching = _teaching(org_ids, today)
    status = form.value("status")
    if status == "employed":
        people = people.filter(pk__in=employed.values("person_id"))
    elif status == "teaching":
        people = people.filter(pk__in=teaching.values("person_id"))
    else:
        people = people.filter(
            Q(pk__in=employed.values("person_id")) | Q(pk__in=teaching.values("person_id"))
        )
    if name := form.value("q"):
        people = people.filter(name__contains=name)
    if occupation := form.value("occupation"):
        people = people.filter(pk__in=employed.filter(occupation_id=occupation).values("person_id"))
    if level := form.value("level"):
        people = people.filter(
            pk__in=_certificates(user, scope).filter(level=level).values("person_id")
        )
    return people.order_by("name", "pk")


@dataclass
class OrgPersonRow:
    """One line of the list: what the organisation may see about one of its people."""

    person: Person
    occupations: list[str] = field(default_factory=list)
    certificates: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    since: dt.date | None = None

    @property
    def certificates_more(self) -> int:
        return max(0, len(self.certificates) - CERTIFICATES_SHOWN)

    @property
    def certificates_shown(self) -> list[str]:
        return self.certificates[:CERTIFICATES_SHOWN]


def _occupation_names(codes: set[str]) -> dict[str, str]:
    return dict(Occupation.objects.filter(code__in=codes).values_list("code", "name"))


def certificate_label(code: str, level: str, names: dict[str, str]) -> str:
    occupation = names.get(code, "")
    level_label = _level(level)
    return " ".join(part for part in (occupation, level_label) if part) or _t("职业技能等级证书")


def person_rows(
    user: User, scope: Scope, org_ids: Sequence[int], people: Sequence[Person], today: dt.date
) -> list[OrgPersonRow]:
    """The rows of `people` (one page, or an export chunk): three queries whatever their number."""
    rows = {p.pk: OrgPersonRow(person=p) for p in people}
    pks = list(rows)
    for e in _employments(org_ids, today).filter(person_id__in=pks).select_related("occupation"):
        row = rows[e.person_id]
        if _t("在职") not in row.statuses:
            row.statuses.append(_t("在职"))
        if e.occupation is not None and e.occupation.name not in row.occupations:
            row.occupations.append(e.occupation.name)
        row.since = min(row.since, e.start) if row.since else e.start
    for t in _teaching(org_ids, today).filter(person_id__in=pks):
        row = rows[t.person_id]
        if _t("任教") not in row.statuses:
            row.statuses.append(_t("任教"))
        if t.subject and not row.occupations:
            row.occupations.append(t.subject)
    certificates = list(
        _certificates(user, scope)
        .filter(person_id__in=pks)
        .order_by("-date", "-id")
        .values_list("person_id", "code", "level")
    )
    names = _occupation_names({code for _, code, _ in certificates})
    seen: dict[int, set[str]] = defaultdict(set)
    for person_id, code, level in certificates:
        label = certificate_label(code, level, names)
        if label not in seen[person_id]:
            seen[person_id].add(label)
            rows[person_id].certificates.append(label)
    return [rows[p.pk] for p in people]


def _context_base(request: HttpRequest) -> tuple[User, Scope, list[int], dt.date]:
    user = request.user
    assert isinstance(user, User)
    scope = request_scope(request)
    return user, scope, sorted(scope.organisation_ids), timezone.localdate()


def _form(request: HttpRequest, org_ids: list[int], today: dt.date) -> OrgPeopleFilter:
    form = OrgPeopleFilter(request.GET or None, occupations=occupation_choices(org_ids, today))
    form.is_valid()
    return form


# --- pages ------------------------------------------------------------------------------------


@page(roles=ORG_ROLES)
def org_people(request: HttpRequest) -> HttpResponse:
    user, scope, org_ids, today = _context_base(request)
    organisations = organisations_visible_to(user, scope=scope).filter(pk__in=org_ids)
    form = _form(request, org_ids, today)
    people = filtered_people(user, scope, org_ids, form, today)
    page_obj = paginate(request, people.select_related("residence_region"))
    page_numbers = list(
        page_obj.paginator.get_elided_page_range(page_obj.number, on_each_side=2, on_ends=1)
    )
    qs = querystring_without_page(request)
    context = {
        "organisations": organisations,
        "form": form,
        "page_obj": page_obj,
        "page_numbers": page_numbers,
        "ellipsis": page_obj.paginator.ELLIPSIS,
        "rows": person_rows(user, scope, org_ids, list(page_obj.object_list), today),
        "total": page_obj.paginator.count,
        "qs": qs,
        "filtered": bool(form.described()),
    }
    return render(request, "web/org_people.html", context)


@page(roles=ORG_ROLES)
def org_people_export(request: HttpRequest) -> HttpResponse:
    """The filtered list as .xlsx (masked ID numbers and phones only), audited."""
    user, scope, org_ids, today = _context_base(request)
    form = _form(request, org_ids, today)
    people = list(filtered_people(user, scope, org_ids, form, today)[:EXPORT_LIMIT])
    organisations = list(
        organisations_visible_to(user, scope=scope).filter(pk__in=org_ids).order_by("pk")
    )
    rows = []
    for start in range(0, len(people), 1000):
        for r in person_rows(user, scope, org_ids, people[start : start + 1000], today):
            rows.append(
                (
                    r.person.name,
                    r.person.masked_id_number,
                    r.person.masked_phone,
                    r.person.get_sex_display(),
                    "、".join(r.statuses),
                    "、".join(r.occupations),
                    "、".join(r.certificates),
                    r.since,
                )
            )
    filters = form.described()
    header = ["姓名", "证件号码（已脱敏）", "手机号码（已脱敏）", "性别", "就业状态", "职业"]
    header += ["职业技能等级证书", "入职日期"]
    about: list[tuple[str, CellValue]] = [
        ("单位", "、".join(o.name for o in organisations)),
        ("导出时间", timezone.localtime().strftime("%Y-%m-%d %H:%M")),
        ("人数", len(rows)),
        ("筛选条件", "；".join(f"{k}：{v}" for k, v in filters.items()) or "无"),
    ]
    data = workbook_bytes(
        [Sheet("本单位人员", header, rows), Sheet("导出说明", ["项目", "内容"], about)]
    )
    audit_record(
        actor=user,
        action="export",
        object_type="organisation",
        object_id=organisations[0].pk if organisations else "",
        after={"rows": len(rows), "filters": filters, "what": "本单位人员名单"},
        reason="导出本单位人员名单（证件号码、手机号码已脱敏）",
    )
    response = HttpResponse(data, content_type=XLSX)
    name = f"本单位人员-{today:%Y%m%d}.xlsx"
    response["Content-Disposition"] = attachment(name, f"people-{today:%Y%m%d}.xlsx")
    return response


@dataclass(frozen=True)
class FactLine:
    date: dt.date
    what: str
    level: str
    issuer: str
    detail: str


@page(roles=ORG_ROLES)
def org_person(request: HttpRequest, pk: int) -> HttpResponse:
    """One person, as their organisation may see them; 404 when out of scope (or unknown)."""
    user, scope, org_ids, today = _context_base(request)
    person = access_person_by_id(user, pk, scope=scope)
    belongs = (
        _employments(org_ids, today).filter(person_id=person.pk).exists()
        or _teaching(org_ids, today).filter(person_id=person.pk).exists()
    )
    if not belongs:  # visible for another reason (the account's own person), not one of ours
        raise Http404
    employments = list(
        person.employments.filter(employer_id__in=org_ids)
        .select_related("employer", "occupation")
        .order_by("-start")
    )
    teaching = list(
        Teacher.objects.filter(person=person, organisation_id__in=org_ids)
        .select_related("organisation")
        .order_by("-start")
    )
    facts = list(
        facts_visible_to(user, scope=scope)
        .filter(
            person=person,
            kind__in=[FactKind.CERTIFICATE, FactKind.TRAINING],
            superseded_by__isnull=True,
        )
        .order_by("-date", "-id")
    )
    names = _occupation_names({f.code for f in facts})
    certificates: list[FactLine] = []
    trainings: list[FactLine] = []
    for f in facts:
        line = FactLine(
            date=f.date,
            what=names.get(f.code, "") or _t("未注明职业"),
            level=_level(f.level, "—"),
            issuer=f.issuer_name or "—",
            detail=_training_detail(f.attrs) if f.kind == FactKind.TRAINING else "",
        )
        (certificates if f.kind == FactKind.CERTIFICATE else trainings).append(line)
    context = {
        "person": person,
        "employments": employments,
        "teaching": teaching,
        "certificates": certificates,
        "trainings": trainings,
    }
    return render(request, "web/org_person.html", context)


def _training_detail(attrs: dict[str, object]) -> str:
    parts = []
    hours = attrs.get("hours")
    if isinstance(hours, int | float) and not isinstance(hours, bool):
        parts.append(_t("%(n)s 学时") % {"n": int(hours)})
    passed = attrs.get("passed")
    if passed is True:
        parts.append(_t("已结业"))
    elif passed is False:
        parts.append(_t("未结业"))
    return "，".join(parts)
