"""The organisation's bank pages (issue 9 §1, §10): create a bank, its knowledge-point tree,
items of every kind, new versions, .xlsx import, submission, the reviewers' queue, and the
bureau's filing decision. Every write goes through `jineng.assessment.services`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from jineng.assessment import access, selectors, services
from jineng.assessment.access_manage import access_item_by_id, access_point_by_id, review_queue
from jineng.assessment.importing import items_import
from jineng.assessment.models import (
    Blueprint,
    Difficulty,
    FilingStatus,
    Item,
    ItemKind,
    ItemStatus,
    QuestionBank,
)
from jineng.assessment.services.manage import (
    answer_as_text,
    answer_from_text,
    bank_filing_request,
    bank_filing_return,
    options_from_text,
    point_rename,
    sheet_as_text,
    sheet_from_text,
)
from jineng.core.errors import DomainError, NotFound
from jineng.core.forms import add_domain_error
from jineng.identity.access import request_scope
from jineng.reference.models import SkillLevel
from jineng.web.assessment.manage_common import (
    AUTHORS,
    BANK_PAGE_ROLES,
    MANAGERS,
    REVIEWERS,
    ChineseForm,
    OccupationField,
    form_errors,
    organisations_for,
    user_of,
)
from jineng.web.guards import page

LEVELS = [(v, label) for v, label in SkillLevel.choices if v != SkillLevel.APPRENTICE]


class BankForm(ChineseForm):
    organisation = forms.ChoiceField(label="开发机构")
    occupation = OccupationField(label="职业", max_length=128, help_text="填写职业名称，如“车工”")
    level = forms.ChoiceField(label="等级", choices=LEVELS)
    name = forms.CharField(label="题库名称", max_length=100)

    def __init__(self, *args: Any, organisations: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [(str(k), v) for k, v in organisations]  # type: ignore[attr-defined]


class PointForm(ChineseForm):
    code = forms.CharField(
        label="要素代码", max_length=30, help_text="国家职业标准中的编号，如“1.2”"
    )
    name = forms.CharField(label="要素名称", max_length=100)
    parent = forms.ChoiceField(label="上级要素", required=False)

    def __init__(self, *args: Any, points: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = [("", "（最上层）")] + [(str(k), v) for k, v in points]  # type: ignore[attr-defined]


class RenameForm(ChineseForm):
    name = forms.CharField(label="新名称", max_length=100)


class ItemForm(ChineseForm):
    kind = forms.ChoiceField(label="题型", choices=ItemKind.choices)
    point = forms.ChoiceField(label="鉴定要素")
    difficulty = forms.TypedChoiceField(label="难度", choices=Difficulty.choices, coerce=int)
    stem = forms.CharField(label="题干", widget=forms.Textarea(attrs={"rows": 3}))
    options = forms.CharField(
        label="选项",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="选择题填写，每行一个选项，依次为A、B、C……",
    )
    answer = forms.CharField(
        label="标准答案",
        required=False,
        max_length=500,
        help_text="选择题填字母（如 B 或 ACD）；判断题填“正确”或“错误”；填空题每空之间用“；”分隔，"
        "同一空的多个答案用“|”分隔；简答题和操作技能题不填",
    )
    reference_answer = forms.CharField(
        label="参考答案", required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="简答题必填",
    )  # fmt: skip
    sheet = forms.CharField(
        label="评分表",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="操作技能题必填，每行一项：评分内容|配分|扣分说明:扣分|……，"
        "如“安全防护|10|未戴护目镜:5”",
    )

    def __init__(self, *args: Any, points: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["point"].choices = [(str(k), v) for k, v in points]  # type: ignore[attr-defined]


class ImportForm(ChineseForm):
    file = forms.FileField(label="试题文件（.xlsx）")
    dry_run = forms.BooleanField(label="只检查，不导入", required=False)


class ReviewForm(ChineseForm):
    decision = forms.ChoiceField(
        label="审核结论", choices=[("approve", "通过"), ("reject", "驳回")]
    )
    reason = forms.CharField(label="审核意见", max_length=200, required=False)


class FilingForm(ChineseForm):
    filed_on = forms.DateField(label="备案日期", widget=forms.DateInput(attrs={"type": "date"}))
    reference = forms.CharField(label="备案文号", max_length=60, required=False)


class WithdrawForm(ChineseForm):
    reason = forms.CharField(label="撤销备案的原因", max_length=200)


def _bank(request: HttpRequest, pk: int) -> QuestionBank:
    try:
        return access.access_bank_by_id(user_of(request), pk, scope=request_scope(request))
    except NotFound as err:
        raise Http404(err.message) from None


def _item(request: HttpRequest, pk: int) -> Item:
    try:
        return access_item_by_id(user_of(request), pk, scope=request_scope(request))
    except NotFound as err:
        raise Http404(err.message) from None


def _point_choices(bank: QuestionBank) -> list[tuple[int, str]]:
    return [(p.pk, f"{p.code} {p.name}") for p in selectors.bank_points(bank=bank)]


def _bank_url(bank_id: int) -> str:
    return reverse("assessment:manage_bank", args=[bank_id])


@page(roles=BANK_PAGE_ROLES)
def bank_list(request: HttpRequest) -> HttpResponse:
    user, scope = user_of(request), request_scope(request)
    rows = access.banks_visible_to(user, scope=scope).order_by("name", "pk")[:200]
    can_create = organisations_for(request, MANAGERS).exists()
    can_review = bool(scope.roles & REVIEWERS)
    return render(
        request,
        "assessment/manage/banks.html",
        {"banks": rows, "can_create": can_create, "can_review": can_review},
    )


@page(roles=MANAGERS)
@require_http_methods(["GET", "POST"])
def bank_new(request: HttpRequest) -> HttpResponse:
    orgs = organisations_for(request, MANAGERS)
    form = BankForm(request.POST or None, organisations=list(orgs.values_list("pk", "name")[:200]))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            bank = services.bank_create(
                actor=user_of(request),
                organisation=orgs.get(pk=int(data["organisation"])),
                occupation=data["occupation"],
                level=data["level"],
                name=data["name"],
            )
        except DomainError as err:
            add_domain_error(form, err)
        else:
            messages.success(request, f"题库「{bank.name}」已建立，请添加鉴定要素和试题。")
            return HttpResponseRedirect(_bank_url(bank.pk))
    return render(request, "assessment/manage/bank_form.html", {"form": form})


def _bank_page(
    request: HttpRequest,
    bank: QuestionBank,
    *,
    point_form: PointForm | None = None,
    filing_form: FilingForm | None = None,
    withdraw_form: WithdrawForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user, scope = user_of(request), request_scope(request)
    points = _point_choices(bank)
    items = bank.items.select_related("point").exclude(status=ItemStatus.SUPERSEDED).order_by("pk")
    context = {
        "bank": bank,
        "points": selectors.bank_points(bank=bank),
        "items": items[:300],
        "blueprints": Blueprint.objects.filter(bank=bank).order_by("pk"),
        "can_manage": access.can_manage(user, bank, scope=scope),
        "can_author": access.can_author(user, bank, scope=scope),
        "can_file": access.can_file(user, bank, scope=scope),
        "filed": bank.filing_status == FilingStatus.FILED,
        "requested": bank.filing_status == FilingStatus.REQUESTED,
        "may_request": bank.filing_status in (FilingStatus.UNFILED, FilingStatus.WITHDRAWN),
        "point_form": point_form or PointForm(points=points),
        "filing_form": filing_form or FilingForm(),
        "withdraw_form": withdraw_form or WithdrawForm(),
        "kinds": ItemKind.choices,
    }
    return render(request, "assessment/manage/bank.html", context, status=status)


@page(roles=BANK_PAGE_ROLES)
def bank_manage(request: HttpRequest, pk: int) -> HttpResponse:
    return _bank_page(request, _bank(request, pk))


@page(roles=MANAGERS)
@require_POST
def point_add(request: HttpRequest, pk: int) -> HttpResponse:
    bank = _bank(request, pk)
    form = PointForm(request.POST, points=_point_choices(bank))
    if form.is_valid():
        data = form.cleaned_data
        parent = bank.points.filter(pk=int(data["parent"])).first() if data["parent"] else None
        try:
            point = services.point_add(
                actor=user_of(request), bank=bank, code=data["code"], name=data["name"],
                parent=parent,
            )  # fmt: skip
        except DomainError as err:
            add_domain_error(form, err)
        else:
            messages.success(request, f"已添加鉴定要素「{point.code} {point.name}」。")
            return HttpResponseRedirect(_bank_url(bank.pk))
    return _bank_page(request, bank, point_form=form, status=400)


@page(roles=MANAGERS)
@require_POST
def point_rename_view(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        point = access_point_by_id(user_of(request), pk, scope=request_scope(request))
    except NotFound as err:
        raise Http404(err.message) from None
    form = RenameForm(request.POST)
    if form.is_valid():
        try:
            point_rename(actor=user_of(request), point=point, name=form.cleaned_data["name"])
        except DomainError as err:
            messages.error(request, err.message)
        else:
            messages.success(request, "鉴定要素已改名。")
    else:
        messages.error(request, form_errors(form))
    return HttpResponseRedirect(_bank_url(point.bank_id))


def _item_values(form: ItemForm, kind: str) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "difficulty": data["difficulty"],
        "stem": data["stem"],
        "options": options_from_text(data["options"]),
        "answer": answer_from_text(kind, data["answer"]),
        "reference_answer": data["reference_answer"],
        "sheet": sheet_from_text(data["sheet"]),
    }


@page(roles=AUTHORS)
@require_http_methods(["GET", "POST"])
def item_new(request: HttpRequest, pk: int) -> HttpResponse:
    bank = _bank(request, pk)
    kind = request.GET.get("kind", ItemKind.SINGLE)
    initial = {"kind": kind if kind in ItemKind.values else ItemKind.SINGLE, "difficulty": 3}
    form = ItemForm(request.POST or None, initial=initial, points=_point_choices(bank))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            item = services.item_create(
                actor=user_of(request),
                bank=bank,
                point=bank.points.get(pk=int(data["point"])),
                kind=data["kind"],
                **_item_values(form, data["kind"]),
            )
        except DomainError as err:
            add_domain_error(form, err)
        else:
            messages.success(request, f"已保存{item.get_kind_display()}草稿，可提交审核。")
            return HttpResponseRedirect(_bank_url(bank.pk))
    return render(
        request, "assessment/manage/item_form.html", {"form": form, "bank": bank, "item": None}
    )


@page(roles=AUTHORS)
@require_http_methods(["GET", "POST"])
def item_supersede(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    bank = item.bank
    initial = {
        "kind": item.kind,
        "point": str(item.point_id),
        "difficulty": item.difficulty,
        "stem": item.stem,
        "options": "\n".join(item.options),
        "answer": answer_as_text(item.kind, item.answer),
        "reference_answer": item.reference_answer,
        "sheet": sheet_as_text(item.sheet),
    }
    form = ItemForm(request.POST or None, initial=initial, points=_point_choices(bank))
    form.fields["kind"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            new = services.item_supersede(
                actor=user_of(request),
                item=item,
                point=bank.points.get(pk=int(form.cleaned_data["point"])),
                **_item_values(form, item.kind),
            )
        except DomainError as err:
            add_domain_error(form, err)
        else:
            messages.success(
                request, f"已生成第{new.version}版草稿，审核通过后替代第{item.version}版。"
            )
            return HttpResponseRedirect(_bank_url(bank.pk))
    return render(
        request, "assessment/manage/item_form.html", {"form": form, "bank": bank, "item": item}
    )


@page(roles=AUTHORS)
@require_POST
def item_submit(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    try:
        services.item_submit(actor=user_of(request), item=item)
    except DomainError as err:
        messages.error(request, err.message)
    else:
        messages.success(request, "试题已提交审核。")
    return HttpResponseRedirect(_bank_url(item.bank_id))


@page(roles=AUTHORS)
@require_http_methods(["GET", "POST"])
def item_import(request: HttpRequest, pk: int) -> HttpResponse:
    bank = _bank(request, pk)
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = items_import(
                actor=user_of(request), bank=bank, file=upload, filename=upload.name,
                dry_run=form.cleaned_data["dry_run"],
            )  # fmt: skip
        except DomainError as err:
            add_domain_error(form, err)
        else:
            if report.ok and report.written:
                messages.success(request, f"已导入{report.written}道试题（草稿），请逐题提交审核。")
                return HttpResponseRedirect(_bank_url(bank.pk))
    return render(
        request, "assessment/manage/import.html", {"form": form, "bank": bank, "report": report}
    )


@page(roles=AUTHORS)
def import_template(request: HttpRequest) -> HttpResponse:
    from jineng.web.assessment.manage_xlsx import items_template_xlsx

    response = HttpResponse(
        items_template_xlsx(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        "attachment; filename*=UTF-8''%E8%AF%95%E9%A2%98%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.xlsx"
    )
    return response


@page(roles=REVIEWERS)
def review_list(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    rows = review_queue(user, scope=request_scope(request))[:200]
    return render(
        request,
        "assessment/manage/review.html",
        {"items": rows, "me": user.pk, "form": ReviewForm()},
    )


@page(roles=REVIEWERS)
@require_POST
def item_review(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return HttpResponseRedirect(reverse("assessment:manage_review"))
    reason = form.cleaned_data["reason"]
    try:
        if form.cleaned_data["decision"] == "approve":
            services.item_approve(actor=user_of(request), item=item, reason=reason)
            messages.success(request, "试题已审核通过。")
        else:
            services.item_reject(actor=user_of(request), item=item, reason=reason)
            messages.success(request, "试题已驳回，命题人修改后可再次提交。")
    except DomainError as err:
        messages.error(request, err.message)
    return HttpResponseRedirect(reverse("assessment:manage_review"))


@page(roles=BANK_PAGE_ROLES)
@require_POST
def bank_filing(request: HttpRequest, pk: int) -> HttpResponse:
    bank = _bank(request, pk)
    user = user_of(request)
    action = request.POST.get("action", "file")
    if action == "request":
        try:
            bank_filing_request(actor=user, bank=bank)
        except DomainError as err:
            messages.error(request, err.message)
        else:
            messages.success(request, "已向人社局申请备案，请等待办理结果。")
        return HttpResponseRedirect(_bank_url(bank.pk))
    if not access.can_file(user, bank, scope=request_scope(request)):
        messages.error(request, "无权办理该题库的备案：题库备案由开发机构所在地的人社局办理")
        return HttpResponseRedirect(_bank_url(bank.pk))
    if action == "return":
        try:
            bank_filing_return(actor=user, bank=bank, reason=request.POST.get("reason", ""))
        except DomainError as err:
            messages.error(request, err.message)
        else:
            messages.success(request, "已退回该题库的备案申请。")
        return HttpResponseRedirect(_bank_url(bank.pk))
    if action == "withdraw":
        withdraw = WithdrawForm(request.POST)
        if withdraw.is_valid():
            try:
                services.bank_filing_withdraw(
                    actor=user, bank=bank, reason=withdraw.cleaned_data["reason"]
                )
            except DomainError as err:
                add_domain_error(withdraw, err)
            else:
                messages.success(request, "已撤销该题库的备案。")
                return HttpResponseRedirect(_bank_url(bank.pk))
        return _bank_page(request, bank, withdraw_form=withdraw, status=400)
    form = FilingForm(request.POST)
    if form.is_valid():
        try:
            services.bank_file(
                actor=user, bank=bank, filed_on=form.cleaned_data["filed_on"],
                reference=form.cleaned_data["reference"],
            )  # fmt: skip
        except DomainError as err:
            add_domain_error(form, err)
        else:
            messages.success(request, "已登记该题库的备案。")
            return HttpResponseRedirect(_bank_url(bank.pk))
    return _bank_page(request, bank, filing_form=form, status=400)
