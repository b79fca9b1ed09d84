"""Importing people (real-name workers): one row = a person, their current job and insurance.

Each row writes the Person (ID number, phone, bank account encrypted, with blind indexes), an
Employment when 单位 is filled, and the dossier facts those records imply (`employment`,
`insurance`), all audited.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from django.utils import timezone

from jineng.audit.services import audit_record_batch
from jineng.dossier.services import fact_build, facts_append_bulk
from jineng.identity.access import people_visible_to
from jineng.identity.crypto import blind_index
from jineng.identity.documents import normalise_bank_account, normalise_phone, parse_document
from jineng.identity.errors import ValidationFailed
from jineng.identity.masking import mask_bank_account, mask_id_number, mask_phone, mask_text
from jineng.identity.models import Education, IdType, Person
from jineng.identity.services import (
    NewEmployment,
    NewPerson,
    people_bulk_create,
    person_update,
)
from jineng.imports import cells
from jineng.imports.access import ImportScope
from jineng.imports.lookups import ID_TYPE_ALIASES, OccupationLookup, RegionLookup
from jineng.imports.machinery import RowView, chunked
from jineng.imports.people_columns import COLUMNS as COLUMNS  # re-exported: templates, command
from jineng.imports.people_columns import (
    EDUCATION_ALIASES,
    SAMPLE_ID_NUMBER,
    SAMPLE_ROW_MESSAGE,
)
from jineng.imports.report import FieldChange
from jineng.organisations.models import Organisation

if TYPE_CHECKING:
    from jineng.identity.models import User

# What an update may change (update mode): the person's own fields as `person_update` names them.
# Identity documents never change through an import; employments are not rewritten either.
UPDATABLE = (
    "name",
    "phone",
    "bank_account",
    "hukou_region",
    "residence_region",
    "education",
    "insured",
    "insured_since",
)
# The one answer for a number that is registered but outside the importer's scope: it must not
# say whether the person exists (issue 6, point 1.1), so it is the same for every such number.
UNAVAILABLE_MESSAGE = "该证件号码无法导入，请联系人社局"
EXISTS_MESSAGE = "系统中已有该人员；如需修改其信息，请勾选“更新已有人员”后重新上传"
UNCHANGED_MESSAGE = "与系统中已有信息一致，无需更新"

_HEADERS = {c.key: c.header for c in COLUMNS}

_NAME_BAD = re.compile(r"[0-9<>@#$%^&*_=+|\\/{}\[\];]")


def _years_after(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@dataclass
class PersonRow:
    name: str
    id_type: str
    id_number: str
    id_index: str
    birth_date: dt.date | None
    sex: str
    phone: str
    bank_account: str
    hukou_region: str | None
    residence_region: str | None
    education: str
    insured: bool
    insured_since: dt.date | None
    employer_name: str
    employer_uscc: str
    employer_id: int | None
    employer_kind: str
    employer_region: str | None
    occupation: str | None
    start: dt.date | None
    work_region: str | None
    existing_id: int | None = None  # update mode: the registered person this row updates
    updates: dict[str, object] = field(default_factory=dict)  # field → new value (person_update)


class PeopleImporter:
    """New people are created; a number already registered is refused — or, in update mode and
    when the person is in the importer's scope, becomes an update whose changes (`changes`) are
    listed by the dry run and written through `person_update` by the real run. A registered
    number outside the scope is refused with the same message whatever the reason, and the
    attempt is audited (`import_refused`)."""

    kind: Literal["people"] = "people"
    columns = COLUMNS

    def __init__(
        self, actor: User | None = None, *, update_existing: bool = False, filename: str = ""
    ) -> None:
        self.actor = actor
        self.access = ImportScope(actor)
        self.regions = RegionLookup()
        self.occupations = OccupationLookup()
        self.today = timezone.localdate()
        self.update_existing = update_existing
        self.filename = filename
        self.changes: list[FieldChange] = []
        self.updated = 0

    def _region(self, row: RowView, key: str) -> str | None:
        value = row.text(key)
        if not value:
            return None
        code = self.regions.find(value)
        if code is None:
            row.error(key, "未知的行政区划（应为 GB/T 2260 代码或唯一的名称）")
        return code

    def _date(self, row: RowView, key: str) -> dt.date | None:
        if not row.has(key):
            return None
        try:
            value = cells.date(row.cell(key))
        except cells.CellError as exc:
            row.error(key, str(exc))
            return None
        if value > self.today:
            row.error(key, "日期晚于今天")
        elif value.year < 1950:
            row.error(key, "日期早于1950年")
        return value

    def parse(self, row: RowView) -> PersonRow | None:
        name = "".join(row.text("name").split())
        if name and (len(name) > 64 or _NAME_BAD.search(name)):
            row.error("name", "姓名含数字或符号，或超过64个字")
        id_type = IdType.RESIDENT.value
        if row.has("id_type"):
            found = ID_TYPE_ALIASES.get(row.text("id_type"))
            if found is None:
                row.error("id_type", "未知的证件类型")
            else:
                id_type = found
        number, birth, sex = "", None, ""
        try:
            raw = cells.identifier(row.cell("id_number"), "证件号码")
        except cells.CellError as exc:
            row.error("id_number", str(exc))
            raw = ""
        if raw:
            try:
                document = parse_document(id_type, raw)
            except ValidationFailed as exc:
                row.error("id_number", exc.message, value=raw)
            else:
                number, birth, sex = document.number, document.birth_date, document.sex
                if number == SAMPLE_ID_NUMBER:
                    row.error("id_number", SAMPLE_ROW_MESSAGE, value=raw)
        phone = bank = ""
        try:
            phone = normalise_phone(row.text("phone"))
        except ValidationFailed as exc:
            row.error("phone", exc.message)
        try:
            bank = normalise_bank_account(row.text("bank_account"))
        except ValidationFailed as exc:
            row.error("bank_account", exc.message)
        education = ""
        if row.has("education"):
            education = EDUCATION_ALIASES.get(row.text("education"), "")
            if not education:
                row.error("education", "未知的学历")
        insured = False
        if row.has("insured"):
            try:
                insured = cells.boolean(row.cell("insured"))
            except cells.CellError as exc:
                row.error("insured", str(exc))
        insured_since = self._date(row, "insured_since")
        if insured_since is not None:
            if row.has("insured") and not insured:
                row.error("insured_since", "参保为“否”却填写了参保日期")
            insured = True
        occupation = None
        if row.has("occupation"):
            occupation = self.occupations.find(row.text("occupation"))
            if occupation is None:
                row.error("occupation", "未知的职业编码（2022年版职业分类大典）")
        employer = row.text("employer")
        employer_uscc = ""
        if row.has("employer_uscc"):
            try:
                employer_uscc = cells.identifier(row.cell("employer_uscc"), "统一社会信用代码")
            except cells.CellError as exc:
                row.error("employer_uscc", str(exc))
        start = self._date(row, "start")
        if (occupation or start) and not employer:
            row.error("employer", "填写了职业或入职日期，但单位为空")
        if birth is not None and start is not None and start < _years_after(birth, 16):
            row.error("start", "入职时未满16周岁")
        return PersonRow(
            name=name,
            id_type=id_type,
            id_number=number,
            id_index=blind_index(number) if number else "",
            birth_date=birth,
            sex=sex,
            phone=phone,
            bank_account=bank,
            hukou_region=self._region(row, "hukou_region"),
            residence_region=self._region(row, "residence_region"),
            education=education,
            insured=insured,
            insured_since=insured_since,
            employer_name=employer,
            employer_uscc=employer_uscc,
            employer_id=None,
            employer_kind="",
            employer_region=None,
            occupation=occupation,
            start=start,
            work_region=self._region(row, "work_region"),
        )

    def check_batch(self, items: list[tuple[RowView, PersonRow]]) -> None:
        # Duplicates within the file: the second and later rows are rejected, naming the first.
        first_row: dict[tuple[str, str], int] = {}
        for row, item in items:
            key = (item.id_type, item.id_index)
            if key in first_row:
                row.error("id_number", f"与第{first_row[key]}行证件号码重复", value=item.id_number)
            else:
                first_row[key] = row.number
        # Duplicates in the database: the blind index, one query per chunk.
        refused: list[tuple[RowView, PersonRow, Person]] = []
        for chunk in chunked(items):
            found = {
                (p.id_type, p.id_number_index): p
                for p in Person.objects.filter(
                    id_number_index__in=[i.id_index for _, i in chunk]
                ).select_related("hukou_region", "residence_region")
            }
            if not found:
                continue
            in_scope = self._in_scope([p.pk for p in found.values()], list(found.values()))
            for row, item in chunk:
                person = found.get((item.id_type, item.id_index))
                if person is None or row.has_errors:
                    continue
                if person.pk not in in_scope:
                    row.error("id_number", UNAVAILABLE_MESSAGE, value=item.id_number)
                    refused.append((row, item, person))
                elif not self.update_existing:
                    row.error("id_number", EXISTS_MESSAGE, value=item.id_number)
                else:
                    item.existing_id = person.pk
                    self._diff(row, item, person)
        if refused:
            self._audit_refused(refused)
        self._link_employers(items)

    def _in_scope(self, pks: list[int], people: list[Person]) -> set[int]:
        """The registered people this importer may update (as `person_update` allows): all for
        the system and administrators; for a bureau officer those living in their region; for
        organisation admins and HR those they can see (employed or teaching at their
        organisation now)."""
        if self.access.unrestricted:
            return set(pks)
        assert self.access.scope is not None and self.actor is not None
        scope = self.access.scope
        allowed = {
            p.pk for p in people if scope.covers_region(p.residence_region_id, as_bureau=True)
        }
        if self.access.own_organisations():
            allowed |= set(
                people_visible_to(self.actor, scope=scope)
                .filter(pk__in=pks)
                .values_list("pk", flat=True)
            )
        return allowed

    def _audit_refused(self, refused: list[tuple[RowView, PersonRow, Person]]) -> None:
        """Who tried to import a number registered outside their scope: recorded on the person
        (masked), so the bureau sees attempts to probe numbers through the import."""
        audit_record_batch(
            actor=self.actor,
            action="import_refused",
            object_type="person",
            rows=[
                (
                    person.pk,
                    None,
                    {
                        "file": self.filename[:100],
                        "row": row.number,
                        "id_number": mask_id_number(item.id_number),
                    },
                )
                for row, item, person in refused
            ],
            reason="人员导入：证件号码属于导入人查看范围以外的人员，已拒绝",
        )

    def _diff(self, row: RowView, item: PersonRow, person: Person) -> None:
        """The fields of an update row that differ from the record; an empty cell changes
        nothing. Each change is listed (sensitive values masked) before anything is written."""
        label = f"{person.name}（{person.masked_id_number}）"
        new: dict[str, object] = {}
        if item.name and item.name != person.name:
            new["name"] = item.name
        if row.has("phone") and item.phone != person.phone:
            new["phone"] = item.phone
        if row.has("bank_account") and item.bank_account != person.bank_account:
            new["bank_account"] = item.bank_account
        for key in ("hukou_region", "residence_region"):
            code = getattr(item, key)
            if code is not None and code != getattr(person, f"{key}_id"):
                new[key] = code
        if item.education and item.education != person.education:
            new["education"] = item.education
        if (row.has("insured") or item.insured_since is not None) and (
            item.insured != person.insured
        ):
            new["insured"] = item.insured
        if item.insured_since is not None and item.insured_since != person.insured_since:
            new["insured_since"] = item.insured_since
        if not new:
            row.warning("", UNCHANGED_MESSAGE)
            return
        item.updates = new
        for key, value in new.items():
            self.changes.append(
                FieldChange(
                    row=row.number,
                    person=label,
                    field=_HEADERS[key],
                    old=self._shown(
                        key, getattr(person, f"{key}_id" if key.endswith("region") else key)
                    ),
                    new=self._shown(key, value),
                )
            )

    def _shown(self, key: str, value: object) -> str:
        if value is None or value == "":
            return "（空）"
        if key == "phone":
            return mask_phone(str(value))
        if key == "bank_account":
            return mask_bank_account(str(value))
        if key.endswith("region"):
            return self.regions.label(str(value))
        if key == "education":
            return str(Education(str(value)).label)
        if isinstance(value, bool):
            return "是" if value else "否"
        if isinstance(value, dt.date):
            return value.isoformat()
        return mask_text(str(value))

    def _link_employers(self, items: list[tuple[RowView, PersonRow]]) -> None:
        """Link 单位 to an Organisation: by USCC when given (must exist), else by exact name when
        exactly one organisation has it; otherwise the name alone is kept."""
        usccs = {i.employer_uscc for _, i in items if i.employer_uscc}
        by_uscc = {
            o.uscc: o
            for o in Organisation.objects.filter(uscc__in=usccs).only(
                "id", "uscc", "kind", "region"
            )
        }
        names = {i.employer_name for _, i in items if i.employer_name and not i.employer_uscc}
        by_name: dict[str, list[Organisation]] = {}
        for chunk in chunked(sorted(names)):
            for match in Organisation.objects.filter(name__in=list(chunk)).only(
                "id", "name", "kind", "region"
            ):
                by_name.setdefault(match.name, []).append(match)
        for row, item in items:
            org: Organisation | None = None
            if item.employer_uscc:
                org = by_uscc.get(item.employer_uscc)
                if org is None:
                    row.error("employer_uscc", "系统中没有该统一社会信用代码的单位（请先导入机构）")
            elif item.employer_name:
                matches = by_name.get(item.employer_name, [])
                if len(matches) == 1:
                    org = matches[0]
                elif len(matches) > 1:
                    row.warning("employer", "有多个同名单位，未关联，仅记录名称")
            if org is not None:
                item.employer_id, item.employer_kind = org.pk, org.kind
                item.employer_region = org.region_id
            if item.existing_id is not None and not item.employer_name:
                continue  # an update of someone already employed here need not repeat 单位
            if not (self.access.unrestricted or self.access.is_bureau) and (
                org is None or org.pk not in self.access.own_organisations()
            ):
                row.error("employer", "单位须为您所在的机构")

    def write(
        self, *, actor: User | None, items: list[tuple[RowView, PersonRow]], filename: str
    ) -> int:
        updates = [(row, i) for row, i in items if i.existing_id is not None]
        items = [(row, i) for row, i in items if i.existing_id is None]
        for _, item in updates:
            if item.updates and item.existing_id is not None:
                # one audited update per person, with the row locked (identity's service)
                person_update(
                    actor=actor,
                    person=Person.objects.get(pk=item.existing_id),
                    **item.updates,
                )
                self.updated += 1
        regions = [
            item.work_region or item.employer_region or item.residence_region for _, item in items
        ]
        people = people_bulk_create(
            actor=actor,
            rows=[
                NewPerson(
                    name=i.name,
                    id_type=i.id_type,
                    id_number=i.id_number,
                    phone=i.phone,
                    bank_account=i.bank_account,
                    hukou_region=i.hukou_region,
                    residence_region=i.residence_region,
                    education=i.education,
                    insured=i.insured,
                    insured_since=i.insured_since,
                    employment=NewEmployment(
                        start=i.start or self.today,
                        employer_id=i.employer_id,
                        employer_name=i.employer_name,
                        occupation=i.occupation,
                        region=region,
                    )
                    if i.employer_name
                    else None,
                )
                for (_, i), region in zip(items, regions, strict=True)
            ],
            reason=f"导入 {filename}",
        )
        facts = []
        for person, (_, item), region in zip(people, items, regions, strict=True):
            if item.employer_name:
                facts.append(
                    fact_build(
                        subject=person,
                        kind="employment",
                        code=str(item.employer_id or ""),
                        date=item.start or self.today,
                        region=region or "",
                        attrs={
                            "employer_kind": item.employer_kind or None,
                            "employer_name": item.employer_name[:100],
                            "occupation": item.occupation,
                            "region": region,
                        },
                        source="import",
                        source_ref=filename,
                        actor=actor,
                    )
                )
            if item.insured and item.insured_since is not None:
                facts.append(
                    fact_build(
                        subject=person,
                        kind="insurance",
                        code="pension",
                        date=item.insured_since,
                        attrs={"region": item.residence_region or item.hukou_region},
                        source="import",
                        source_ref=filename,
                        actor=actor,
                    )
                )
        facts_append_bulk(actor=actor, facts=facts, reason=f"导入 {filename}")
        return len(people) + self.updated
