"""The organisation's and bureau's write pages: each flow's happy path and a refusal, the
refusal in Chinese naming the field, and nothing written when refused."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.http import HttpResponseBase
from django.test import Client
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from jineng.assessment import services
from jineng.assessment.models import (
    ApplicationCondition,
    AssessmentPart,
    AssessorQualification,
    Blueprint,
    BlueprintStatus,
    ExamSession,
    FilingStatus,
    Item,
    ItemKind,
    ItemStatus,
    KnowledgePoint,
    QuestionBank,
    Registration,
    SessionStaff,
)
from jineng.assessment.tests.support import World, approved_single, make_world
from jineng.identity.models import Role
from jineng.identity.services import employment_record
from jineng.identity.testing import make_person, make_user, otp_login
from jineng.reference.models import SkillLevel

pytestmark = pytest.mark.django_db
M = "/assessment/manage"


@pytest.fixture
def world() -> World:
    return make_world()


def _html(response: HttpResponseBase) -> str:
    return bytes(getattr(response, "content", b"")).decode()


def _follow(client: Client, url: str, data: dict[str, object]) -> str:
    return _html(client.post(url, data, follow=True))


# --- banks, points, items ----------------------------------------------------------------


def test_an_org_admin_creates_a_bank_with_level_labels_never_codes(
    world: World, client: Client
) -> None:
    client.force_login(world.admin)
    form = _html(client.get(f"{M}/banks/new/"))
    assert "高级工" in form and "三级" in form
    response = client.post(
        f"{M}/banks/new/",
        {
            "organisation": world.organisation.pk,
            "occupation": world.bank.occupation.name,
            "level": SkillLevel.ADVANCED,
            "name": "车工高级工操作题库",
        },
    )
    bank = QuestionBank.objects.get(name="车工高级工操作题库")
    assert response.status_code == 302 and response["Location"] == f"{M}/banks/{bank.pk}/"
    page = _html(client.get(f"{M}/banks/{bank.pk}/"))
    assert "车工高级工操作题库" in page and "未备案" in page


def test_a_bank_refused_names_the_field_in_chinese_and_writes_nothing(
    world: World, client: Client
) -> None:
    client.force_login(world.admin)
    before = QuestionBank.objects.count()
    html = _html(
        client.post(
            f"{M}/banks/new/",
            {"organisation": world.organisation.pk, "occupation": "不存在的职业", "level": "3",
             "name": ""},
        )
    )  # fmt: skip
    assert "“不存在的职业”不在2022年版职业分类大典中" in html
    assert "请填写「题库名称」" in html
    duplicate = _html(
        client.post(
            f"{M}/banks/new/",
            {"organisation": world.organisation.pk, "occupation": world.bank.occupation.name,
             "level": world.bank.level, "name": world.bank.name},
        )
    )  # fmt: skip
    assert "题库「车工高级工理论题库」已存在" in duplicate
    assert QuestionBank.objects.count() == before


def test_points_are_added_under_a_parent_and_renamed(world: World, client: Client) -> None:
    client.force_login(world.admin)
    url = f"{M}/banks/{world.bank.pk}/points/"
    client.post(url, {"code": "1.2", "name": "工具知识", "parent": world.root.pk})
    point = KnowledgePoint.objects.get(bank=world.bank, code="1.2")
    assert point.parent == world.root
    refused = _html(client.post(url, {"code": "1.2", "name": "又一个", "parent": ""}))
    assert "鉴定要素代码「1.2」在该题库中已存在" in refused
    html = _follow(client, f"{M}/points/{point.pk}/rename/", {"name": "常用工具知识"})
    point.refresh_from_db()
    assert point.name == "常用工具知识" and "鉴定要素已改名" in html


def test_a_teacher_may_not_rename_points(world: World, client: Client) -> None:
    teacher = make_user(Role.TEACHER, organisation=world.organisation)
    client.force_login(teacher)
    assert client.post(f"{M}/points/{world.root.pk}/rename/", {"name": "x"}).status_code == 403
    world.root.refresh_from_db()
    assert world.root.name == "基础知识"


ITEMS: dict[str, dict[str, str]] = {
    ItemKind.SINGLE: {"options": "工件材料\n机床颜色\n车间温度", "answer": "A"},
    ItemKind.MULTIPLE: {"options": "护目镜\n手套\n工作服", "answer": "AC"},
    ItemKind.TRUE_FALSE: {"answer": "错误"},
    ItemKind.FILL_IN: {"answer": "三爪卡盘|三爪自定心卡盘；顶尖"},
    ItemKind.SHORT_ANSWER: {"reference_answer": "先停车，再断电，最后挂牌。"},
    ItemKind.PRACTICAL: {"sheet": "尺寸精度|60|超差一处:10\n安全文明生产|40|未戴护目镜:10"},
}


@pytest.mark.parametrize("kind", list(ITEMS))
def test_each_kind_of_item_is_written_from_the_form(
    world: World, client: Client, kind: str
) -> None:
    client.force_login(world.assessor)
    data = {"kind": kind, "point": world.child.pk, "difficulty": 3, "stem": f"{kind}题干"}
    response = client.post(f"{M}/banks/{world.bank.pk}/items/new/", {**data, **ITEMS[kind]})
    assert response.status_code == 302
    item = Item.objects.get(stem=f"{kind}题干")
    assert item.kind == kind and item.status == ItemStatus.DRAFT and item.author == world.assessor
    if kind == ItemKind.MULTIPLE:
        assert item.answer == [0, 2]
    if kind == ItemKind.FILL_IN:
        assert item.answer == [["三爪卡盘", "三爪自定心卡盘"], ["顶尖"]]
    if kind == ItemKind.PRACTICAL:
        assert item.sheet[1]["deductions"] == [{"reason": "未戴护目镜", "points": "10"}]


def test_a_bad_item_names_the_field_and_writes_nothing(world: World, client: Client) -> None:
    client.force_login(world.assessor)
    url = f"{M}/banks/{world.bank.pk}/items/new/"
    base = {"kind": ItemKind.SINGLE, "point": world.child.pk, "difficulty": 3, "stem": "题干"}
    html = _html(client.post(url, {**base, "options": "甲\n乙", "answer": "Z"}))
    assert "选择题的答案请填写选项字母" in html
    sheet = _html(client.post(url, {**base, "kind": ItemKind.PRACTICAL, "sheet": "安全|十"}))
    assert "评分表第1行的分数“十”不是数字" in sheet
    assert not Item.objects.filter(stem="题干").exists()


def test_submit_review_and_the_authors_own_approval_refused(world: World, client: Client) -> None:
    item = services.item_create(
        actor=world.admin, bank=world.bank, point=world.child, kind=ItemKind.TRUE_FALSE,
        difficulty=2, stem="车床可以戴手套操作。", answer=False,
    )  # fmt: skip
    client.force_login(world.admin)
    client.post(f"{M}/items/{item.pk}/submit/")
    item.refresh_from_db()
    assert item.status == ItemStatus.SUBMITTED
    own = _follow(client, f"{M}/items/{item.pk}/review/", {"decision": "approve"})
    assert "不能审核自己编写的试题，请由其他考评员审核" in own
    item.refresh_from_db()
    assert item.status == ItemStatus.SUBMITTED
    client.force_login(world.assessor)
    queue = _html(client.get(f"{M}/review/"))
    assert "车床可以戴手套操作。" in queue
    no_reason = _follow(client, f"{M}/items/{item.pk}/review/", {"decision": "reject"})
    assert "驳回需要填写审核意见" in no_reason
    done = _follow(client, f"{M}/items/{item.pk}/review/", {"decision": "approve"})
    item.refresh_from_db()
    assert item.status == ItemStatus.APPROVED and item.reviewed_by == world.assessor
    assert "没有待审核的试题" in done


def test_a_rejected_item_shows_the_reason_on_the_bank_page(world: World, client: Client) -> None:
    item = services.item_create(
        actor=world.admin, bank=world.bank, point=world.child, kind=ItemKind.TRUE_FALSE,
        difficulty=2, stem="判断题一", answer=True,
    )  # fmt: skip
    services.item_submit(actor=world.admin, item=item)
    client.force_login(world.assessor)
    client.post(f"{M}/items/{item.pk}/review/", {"decision": "reject", "reason": "表述不严谨"})
    client.force_login(world.admin)
    assert "已驳回（表述不严谨）" in _html(client.get(f"{M}/banks/{world.bank.pk}/"))


def test_an_approved_item_is_superseded_by_a_new_version(world: World, client: Client) -> None:
    item = approved_single(world, world.child)
    client.force_login(world.admin)
    form = _html(client.get(f"{M}/items/{item.pk}/supersede/"))
    assert "生成新版本（替代第1版）" in form and "工件材料" in form
    data = {
        "point": world.child.pk, "difficulty": 4, "stem": "改写后的题干",
        "options": "工件材料\n机床颜色", "answer": "A",
    }  # fmt: skip
    assert client.post(f"{M}/items/{item.pk}/supersede/", data).status_code == 302
    new = Item.objects.get(supersedes=item)
    assert new.version == 2 and new.status == ItemStatus.DRAFT and new.stem == "改写后的题干"
    again = _html(client.post(f"{M}/items/{item.pk}/supersede/", data))
    assert "该试题已有新版本，请在新版本上修改" in again


def _xlsx(rows: list[list[str]]) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "试题.xlsx"
    return buffer


def test_the_template_downloads_and_imports_after_its_points_exist(
    world: World, client: Client
) -> None:
    client.force_login(world.admin)
    response = client.get(f"{M}/import-template.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    headers = [c.value for c in next(sheet.iter_rows(max_row=1))]
    assert headers[:4] == ["鉴定要素代码（必填）", "题型（必填）", "难度（必填）", "题干（必填）"]
    upload = io.BytesIO(response.content)
    upload.name = "模板.xlsx"
    done = client.post(f"{M}/banks/{world.bank.pk}/import/", {"file": upload})
    assert done.status_code == 302
    assert Item.objects.filter(bank=world.bank, status=ItemStatus.DRAFT).count() == 3


def test_an_import_with_a_bad_row_shows_it_and_writes_nothing(world: World, client: Client) -> None:
    client.force_login(world.admin)
    rows = [
        ["鉴定要素代码", "题型", "难度", "题干", "答案"],
        ["1.1", "判断", "易", "可以戴手套操作车床。", "错误"],
        ["9.9", "判断", "易", "未知要素的题。", "正确"],
    ]
    html = _html(client.post(f"{M}/banks/{world.bank.pk}/import/", {"file": _xlsx(rows)}))
    assert "第3行" in html and "9.9" in html and "未导入任何试题" in html
    assert not Item.objects.filter(bank=world.bank).exists()


def test_the_bureau_files_a_bank_and_the_organisation_may_not(world: World, client: Client) -> None:
    client.force_login(world.admin)
    refused = _follow(client, f"{M}/banks/{world.bank.pk}/filing/", {"filed_on": "2026-01-05"})
    assert "无权办理该题库的备案" in refused
    officer = make_user(Role.BUREAU_APPROVER, region="441900")
    otp_login(client, officer)
    page = _html(client.get(f"{M}/banks/{world.bank.pk}/"))
    assert "准予备案" in page
    future = _html(client.post(f"{M}/banks/{world.bank.pk}/filing/", {"filed_on": "2099-01-01"}))
    assert "备案日期不能晚于今天" in future
    today = timezone.localdate().isoformat()
    client.post(
        f"{M}/banks/{world.bank.pk}/filing/", {"filed_on": today, "reference": "东人社备1号"}
    )
    world.bank.refresh_from_db()
    assert world.bank.filing_status == FilingStatus.FILED
    assert world.bank.filing_reference == "东人社备1号"


def test_another_organisation_gets_404_on_every_bank_page(world: World, client: Client) -> None:
    client.force_login(make_user(Role.ORG_ADMIN))
    item = approved_single(world, world.child)
    for url in (
        f"{M}/banks/{world.bank.pk}/",
        f"{M}/items/{item.pk}/supersede/",
        f"{M}/banks/{world.bank.pk}/items/new/",
    ):
        assert client.get(url).status_code == 404
    assert client.post(f"{M}/points/{world.root.pk}/rename/", {"name": "x"}).status_code == 404
    assert "车工高级工理论题库" not in _html(client.get(f"{M}/banks/"))


# --- blueprints --------------------------------------------------------------------------


def test_a_blueprint_is_checked_in_words_and_published_once_satisfiable(
    world: World, client: Client
) -> None:
    client.force_login(world.admin)
    client.post(
        f"{M}/banks/{world.bank.pk}/blueprints/new/", {"name": "理论试卷", "pass_line": "60"}
    )
    blueprint = Blueprint.objects.get(name="理论试卷")
    url = f"{M}/blueprints/{blueprint.pk}/"
    client.post(f"{url}sections/", {"title": "单项选择题", "kind": ItemKind.SINGLE})
    section = blueprint.sections.get()
    rule = {"section": section.pk, "point": world.child.pk, "difficulty": 3, "count": 2,
            "points": "5"}  # fmt: skip
    assert client.post(f"{url}rules/", rule).status_code == 302
    html = _html(client.get(url))
    assert "第一部分「单项选择题」" in html and "需要2题" in html
    refused = _follow(client, f"{url}publish/", {})
    assert "组卷规则不能发布" in refused
    blueprint.refresh_from_db()
    assert blueprint.status == BlueprintStatus.DRAFT
    approved_single(world, world.child, n=1)
    approved_single(world, world.child, n=2)
    assert "题库中审核通过的试题能满足该组卷规则" in _html(client.get(url))
    done = _follow(client, f"{url}publish/", {})
    blueprint.refresh_from_db()
    assert blueprint.status == BlueprintStatus.PUBLISHED and "已发布" in done
    late = _html(client.post(f"{url}sections/", {"title": "判断题", "kind": ItemKind.TRUE_FALSE}))
    assert "已发布或停用，不能再修改" in late


def test_a_bad_rule_names_the_field(world: World, client: Client) -> None:
    blueprint = services.blueprint_create(actor=world.admin, bank=world.bank, name="试卷")
    section = services.section_add(
        actor=world.admin, blueprint=blueprint, title="判断题", kind=ItemKind.TRUE_FALSE
    )
    client.force_login(world.admin)
    html = _html(
        client.post(
            f"{M}/blueprints/{blueprint.pk}/rules/",
            {"section": section.pk, "point": world.child.pk, "difficulty": 3, "count": 0,
             "points": "2"},
        )
    )  # fmt: skip
    assert "「题数」不能小于1" in html
    assert not section.rules.exists()


def test_a_fixed_paper_takes_chosen_items(world: World, client: Client) -> None:
    item = approved_single(world, world.child)
    blueprint = services.blueprint_create(
        actor=world.admin, bank=world.bank, name="固定卷", fixed=True
    )
    section = services.section_add(
        actor=world.admin, blueprint=blueprint, title="单选", kind=ItemKind.SINGLE
    )
    client.force_login(world.admin)
    url = f"{M}/blueprints/{blueprint.pk}/"
    client.post(f"{url}fixed/", {"section": section.pk, "item": item.pk, "points": "100"})
    assert section.fixed_items.get().item == item
    client.post(f"{url}publish/")
    blueprint.refresh_from_db()
    assert blueprint.status == BlueprintStatus.PUBLISHED


# --- sessions ------------------------------------------------------------------------------

LATER = timezone.localdate() + dt.timedelta(days=30)


def _licence(world: World) -> None:
    services.licence_grant(
        actor=None, organisation=world.organisation, occupation=world.bank.occupation,
        levels="543", valid_from=dt.date(2026, 1, 1),
    )  # fmt: skip


def _plan_data(world: World, level: str = SkillLevel.ADVANCED) -> dict[str, object]:
    return {
        "organisation": world.organisation.pk,
        "occupation": world.bank.occupation.name,
        "level": level,
        "parts": [AssessmentPart.THEORY, AssessmentPart.PRACTICAL],
        "date": LATER.isoformat(),
        "time": "09:00",
        "venue": "东莞市技师学院",
        "capacity": 30,
        "rooms": 1,
    }


def test_a_session_is_planned_in_scope_and_refused_outside_it(world: World, client: Client) -> None:
    _licence(world)
    client.force_login(world.admin)
    outside = _html(client.post(f"{M}/sessions/new/", _plan_data(world, SkillLevel.TECHNICIAN)))
    assert "须安排综合评审" in outside
    data = {**_plan_data(world, SkillLevel.TECHNICIAN), "parts": ["theory", "practical", "panel"]}
    outside = _html(client.post(f"{M}/sessions/new/", data))
    assert "不在该机构的认定范围内，不能安排考试" in outside
    assert not ExamSession.objects.exists()
    response = client.post(f"{M}/sessions/new/", _plan_data(world))
    session = ExamSession.objects.get()
    assert response["Location"] == f"{M}/sessions/{session.pk}/"
    assert "东莞市技师学院" in _html(client.get(f"{M}/sessions/"))


def test_staffing_is_checked_before_opening(world: World, client: Client) -> None:
    _licence(world)
    client.force_login(world.admin)
    client.post(f"{M}/sessions/new/", _plan_data(world))
    session = ExamSession.objects.get()
    url = f"{M}/sessions/{session.pk}/"
    html = _html(client.get(url))
    assert "理论知识考试：0名考生、1个考场需要至少2人，现有0人" in html
    unqualified = make_person(name="周未持")
    employment_record(actor=None, person=unqualified, employer=world.organisation,
                      start=dt.date(2020, 1, 1))  # fmt: skip
    refused = _html(client.post(f"{url}staff/", {"part": "practical", "person": unqualified.pk}))
    assert "周未持在开考日没有有效的" in refused and "考评员资格" in refused
    assessors = []
    for n in range(3):
        person = make_person(name=f"考评员{n}")
        AssessorQualification.objects.create(
            person=person, occupation=session.occupation, valid_from=dt.date(2025, 1, 1),
            valid_to=LATER + dt.timedelta(days=365),
        )  # fmt: skip
        assessors.append(person)
    not_yet = _follow(client, f"{url}open/", {})
    assert "考务人员配备不足，不能开考" in not_yet
    for person in assessors:
        client.post(f"{url}staff/", {"part": "practical", "person": person.pk})
    for person in assessors[:2]:
        client.post(f"{url}staff/", {"part": "theory", "person": person.pk})
    assert SessionStaff.objects.filter(session=session).count() == 5
    assert "考务人员配备符合规定，可以开考" in _html(client.get(url))
    opened = _follow(client, f"{url}open/", {})
    session.refresh_from_db()
    assert session.status == "open" and "已开考" in opened


def test_a_worker_registers_or_sees_why_not(world: World, client: Client) -> None:
    _licence(world)
    ApplicationCondition.objects.create(
        occupation=world.bank.occupation, level=SkillLevel.ADVANCED, min_years=3,
        description="从事本职业工作满3年",
    )  # fmt: skip
    session = services.session_plan(
        actor=world.admin, organisation=world.organisation, occupation=world.bank.occupation,
        level=SkillLevel.ADVANCED, parts=["theory"],
        starts_at=timezone.make_aware(dt.datetime.combine(LATER, dt.time(9))),
        venue="东莞市技师学院", capacity=10,
    )  # fmt: skip
    newcomer = make_user(Role.WORKER)
    assert newcomer.person is not None
    employment_record(actor=None, person=newcomer.person, employer_name="某厂",
                      occupation=world.bank.occupation, start=LATER - dt.timedelta(days=400))  # fmt: skip
    client.force_login(newcomer)
    html = _html(client.get("/assessment/apply/"))
    assert "东莞市技师学院" in html and "本职业工作1年，不足3年" in html
    refused = _follow(client, f"/assessment/apply/{session.pk}/", {})
    assert "报名未成功" in refused and "不足3年" in refused
    assert not Registration.objects.exists()
    veteran = make_user(Role.WORKER)
    assert veteran.person is not None
    employment_record(actor=None, person=veteran.person, employer_name="某厂",
                      occupation=world.bank.occupation, start=dt.date(2015, 1, 1))  # fmt: skip
    client.force_login(veteran)
    done = _follow(client, f"/assessment/apply/{session.pk}/", {})
    assert "已报名" in done and Registration.objects.filter(person=veteran.person).exists()
    client.force_login(world.admin)
    listing = _html(client.get(f"{M}/sessions/{session.pk}/"))
    assert "符合：从事本职业工作满3年" in listing
    assert veteran.person is not None and veteran.person.name in listing


def test_sessions_of_another_organisation_answer_404(world: World, client: Client) -> None:
    _licence(world)
    session = services.session_plan(
        actor=world.admin, organisation=world.organisation, occupation=world.bank.occupation,
        level=SkillLevel.ADVANCED, parts=["theory"],
        starts_at=timezone.make_aware(dt.datetime.combine(LATER, dt.time(9))),
        venue="东莞市技师学院", capacity=10,
    )  # fmt: skip
    client.force_login(make_user(Role.ORG_ADMIN))
    assert client.get(f"{M}/sessions/{session.pk}/").status_code == 404
    assert client.post(f"{M}/sessions/{session.pk}/open/").status_code == 404
    assert "东莞市技师学院" not in _html(client.get(f"{M}/sessions/"))


def test_the_developer_requests_filing_and_the_bureau_returns_then_files(
    world: World, client: Client
) -> None:
    client.force_login(world.admin)
    early = _follow(client, f"{M}/banks/{world.bank.pk}/filing/", {"action": "request"})
    assert "还没有审核通过的试题，不能申请备案" in early
    approved_single(world, world.child)
    done = _follow(client, f"{M}/banks/{world.bank.pk}/filing/", {"action": "request"})
    assert "已向人社局申请备案" in done and "已申请备案" in done
    officer = make_user(Role.BUREAU_REVIEWER, region="441900")
    otp_login(client, officer)
    assert "开发机构已申请备案" in _html(client.get(f"{M}/banks/{world.bank.pk}/"))
    empty = _follow(client, f"{M}/banks/{world.bank.pk}/filing/", {"action": "return"})
    assert "退回备案申请需要填写原因" in empty
    back: dict[str, object] = {"action": "return", "reason": "缺少鉴定要素细目表"}
    assert "已退回" in _follow(client, f"{M}/banks/{world.bank.pk}/filing/", back)
    world.bank.refresh_from_db()
    assert world.bank.filing_status == FilingStatus.UNFILED
    client.force_login(world.admin)
    client.post(f"{M}/banks/{world.bank.pk}/filing/", {"action": "request"})
    otp_login(client, officer)
    today = timezone.localdate().isoformat()
    client.post(f"{M}/banks/{world.bank.pk}/filing/", {"filed_on": today})
    world.bank.refresh_from_db()
    assert world.bank.filing_status == FilingStatus.FILED
