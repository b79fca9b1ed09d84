"""The organisation's blueprint pages (组卷规则, issue 9 §2): create one for a bank, add its
sections and rules (or a fixed paper's items), see the satisfiability check in words, publish."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jineng.assessment import access, selectors, services
from jineng.assessment.models import (
    Blueprint,
    BlueprintRule,
    BlueprintStatus,
    Difficulty,
    FixedItem,
    Item,
    ItemKind,
    ItemStatus,
)
from jineng.assessment.services.manage import rule_remove as rule_remove_service
from jineng.assessment.services.manage import section_remove as section_remove_service
from jineng.assessment.services.papers import section_name
from jineng.core.errors import DomainError, NotFound
from jineng.identity.access import request_scope
from jineng.web.assessment.manage_banks import _bank
from jineng.web.assessment.manage_common import (
    BANK_PAGE_ROLES,
    MANAGERS,
    ChineseForm,
    form_errors,
    refusal,
    user_of,
)
from jineng.web.guards import page


class BlueprintForm(ChineseForm):
    name = forms.CharField(label="组卷规则名称", max_length=100)
    pass_line = forms.DecimalField(
        label="合格分数线", min_value=Decimal("0"), max_digits=6, decimal_places=2, required=False
    )
    fixed = forms.BooleanField(label="固定试卷", required=False)


class SectionForm(ChineseForm):
    title = forms.CharField(label="部分名称", max_length=60, help_text="如“单项选择题”")
    kind = forms.ChoiceField(label="题型", choices=ItemKind.choices)


class RuleForm(ChineseForm):
    section = forms.ChoiceField(label="试卷部分")
    point = forms.ChoiceField(label="鉴定要素")
    difficulty = forms.TypedChoiceField(label="难度", choices=Difficulty.choices, coerce=int)
    count = forms.IntegerField(label="题数", min_value=1, max_value=500)
    points = forms.DecimalField(
        label="每题分值", min_value=Decimal("0.01"), max_digits=6, decimal_places=2
    )

    def __init__(
        self, *args: Any, sections: list[tuple[int, str]], points: list[tuple[int, str]], **kw: Any
    ) -> None:
        super().__init__(*args, **kw)
        self.fields["section"].choices = [(str(k), v) for k, v in sections]  # type: ignore[attr-defined]
        self.fields["point"].choices = [(str(k), v) for k, v in points]  # type: ignore[attr-defined]


class FixedForm(ChineseForm):
    section = forms.ChoiceField(label="试卷部分")
    item = forms.ChoiceField(label="试题", help_text="只列出审核通过的试题")
    points = forms.DecimalField(
        label="分值", min_value=Decimal("0.01"), max_digits=6, decimal_places=2
    )

    def __init__(
        self, *args: Any, sections: list[tuple[int, str]], items: list[tuple[int, str]], **kw: Any
    ) -> None:
        super().__init__(*args, **kw)
        self.fields["section"].choices = [(str(k), v) for k, v in sections]  # type: ignore[attr-defined]
        self.fields["item"].choices = [(str(k), v) for k, v in items]  # type: ignore[attr-defined]


def _blueprint(request: HttpRequest, pk: int) -> Blueprint:
    try:
        return access.access_blueprint_by_id(user_of(request), pk, scope=request_scope(request))
    except NotFound as err:
        raise Http404(err.message) from None


def _url(blueprint: Blueprint) -> str:
    return reverse("assessment:manage_blueprint", args=[blueprint.pk])


def _choices(blueprint: Blueprint) -> dict[str, list[tuple[int, str]]]:
    sections = [(s.pk, section_name(s)) for s in blueprint.sections.order_by("position")]
    points = [(p.pk, f"{p.code} {p.name}") for p in selectors.bank_points(bank=blueprint.bank)]
    items = [
        (i.pk, f"{i.get_kind_display()}：{i.stem[:30]}")
        for i in Item.objects.filter(bank=blueprint.bank, status=ItemStatus.APPROVED).order_by(
            "kind", "pk"
        )[:300]
    ]
    return {"sections": sections, "points": points, "items": items}


def _page(
    request: HttpRequest,
    blueprint: Blueprint,
    *,
    section_form: SectionForm | None = None,
    rule_form: RuleForm | None = None,
    fixed_form: FixedForm | None = None,
    status: int = 200,
) -> HttpResponse:
    choices = _choices(blueprint)
    check = services.blueprint_check(blueprint=blueprint)
    sections = []
    for section in blueprint.sections.order_by("position"):
        rules = BlueprintRule.objects.filter(section=section).select_related("point")
        fixed = FixedItem.objects.filter(section=section).select_related("item")
        sections.append({"pk": section.pk, "name": section_name(section),
                         "kind": section.get_kind_display(), "rules": rules,
                         "fixed": fixed})  # fmt: skip
    draft = blueprint.status == BlueprintStatus.DRAFT
    context = {
        "blueprint": blueprint,
        "bank": blueprint.bank,
        "sections": sections,
        "check": check,
        "editable": draft
        and access.can_manage(user_of(request), blueprint.bank, scope=request_scope(request)),
        "section_form": section_form or SectionForm(),
        "rule_form": rule_form or RuleForm(sections=choices["sections"], points=choices["points"]),
        "fixed_form": fixed_form or FixedForm(sections=choices["sections"], items=choices["items"]),
        "has_sections": bool(choices["sections"]),
    }
    return render(request, "assessment/manage/blueprint.html", context, status=status)


@page(roles=MANAGERS)
@require_POST
def blueprint_new(request: HttpRequest, pk: int) -> HttpResponse:
    bank = _bank(request, pk)
    form = BlueprintForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            blueprint = services.blueprint_create(
                actor=user_of(request), bank=bank, name=data["name"],
                pass_line=data["pass_line"], fixed=data["fixed"],
            )  # fmt: skip
        except DomainError as err:
            messages.error(request, err.message)
        else:
            messages.success(request, f"组卷规则「{blueprint.name}」已建立，请添加试卷部分。")
            return HttpResponseRedirect(_url(blueprint))
    else:
        messages.error(request, form_errors(form))
    return HttpResponseRedirect(reverse("assessment:manage_bank", args=[bank.pk]))


@page(roles=BANK_PAGE_ROLES)
def blueprint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, _blueprint(request, pk))


@page(roles=MANAGERS)
@require_POST
def section_add(request: HttpRequest, pk: int) -> HttpResponse:
    blueprint = _blueprint(request, pk)
    form = SectionForm(request.POST)
    if form.is_valid():
        try:
            services.section_add(
                actor=user_of(request), blueprint=blueprint, title=form.cleaned_data["title"],
                kind=form.cleaned_data["kind"],
            )  # fmt: skip
        except DomainError as err:
            refusal(request, form, err)
        else:
            messages.success(request, "已添加试卷部分。")
            return HttpResponseRedirect(_url(blueprint))
    return _page(request, blueprint, section_form=form, status=400)


def _decimal(value: Any) -> Decimal:
    try:
        return Decimal(str(value))
    except InvalidOperation:  # pragma: no cover - the form checked it
        return Decimal("0")


@page(roles=MANAGERS)
@require_POST
def rule_add(request: HttpRequest, pk: int) -> HttpResponse:
    blueprint = _blueprint(request, pk)
    choices = _choices(blueprint)
    form = RuleForm(request.POST, sections=choices["sections"], points=choices["points"])
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.rule_add(
                actor=user_of(request),
                section=blueprint.sections.get(pk=int(data["section"])),
                point=blueprint.bank.points.get(pk=int(data["point"])),
                difficulty=data["difficulty"],
                count=data["count"],
                points=_decimal(data["points"]),
            )
        except DomainError as err:
            refusal(request, form, err)
        else:
            messages.success(request, "已添加抽题规则。")
            return HttpResponseRedirect(_url(blueprint))
    return _page(request, blueprint, rule_form=form, status=400)


@page(roles=MANAGERS)
@require_POST
def fixed_add(request: HttpRequest, pk: int) -> HttpResponse:
    blueprint = _blueprint(request, pk)
    choices = _choices(blueprint)
    form = FixedForm(request.POST, sections=choices["sections"], items=choices["items"])
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.fixed_item_add(
                actor=user_of(request),
                section=blueprint.sections.get(pk=int(data["section"])),
                item=Item.objects.get(pk=int(data["item"]), bank=blueprint.bank),
                points=_decimal(data["points"]),
            )
        except DomainError as err:
            refusal(request, form, err)
        else:
            messages.success(request, "已加入固定试卷。")
            return HttpResponseRedirect(_url(blueprint))
    return _page(request, blueprint, fixed_form=form, status=400)


@page(roles=MANAGERS)
@require_POST
def blueprint_publish(request: HttpRequest, pk: int) -> HttpResponse:
    blueprint = _blueprint(request, pk)
    try:
        services.blueprint_publish(actor=user_of(request), blueprint=blueprint)
    except DomainError as err:
        messages.error(request, err.message)
    else:
        messages.success(request, f"组卷规则「{blueprint.name}」已发布，可以抽取试卷。")
    return HttpResponseRedirect(_url(blueprint))


def _after_removal(request: HttpRequest, check: services.BlueprintCheck, done: str) -> None:
    if check.ok:
        messages.success(request, _("%(done)s题库仍能满足该组卷规则。") % {"done": done})
    else:
        messages.warning(
            request,
            _("%(done)s题库已不能满足该组卷规则：%(problems)s")
            % {"done": done, "problems": "；".join(check.problems)},
        )


@page(roles=MANAGERS)
@require_POST
def rule_remove(request: HttpRequest, pk: int, rule: int) -> HttpResponse:
    blueprint = _blueprint(request, pk)
    found = BlueprintRule.objects.filter(pk=rule, section__blueprint=blueprint).first()
    if found is None:
        raise Http404
    try:
        check = rule_remove_service(actor=user_of(request), rule=found)
    except DomainError as err:
        messages.error(request, err.message)
    else:
        _after_removal(request, check, _("已删除抽题规则。"))
    return HttpResponseRedirect(_url(blueprint))


@page(roles=MANAGERS)
@require_POST
def section_remove(request: HttpRequest, pk: int, section: int) -> HttpResponse:
    blueprint = _blueprint(request, pk)
    found = blueprint.sections.filter(pk=section).first()
    if found is None:
        raise Http404
    try:
        check = section_remove_service(actor=user_of(request), section=found)
    except DomainError as err:
        messages.error(request, err.message)
    else:
        _after_removal(request, check, _("已删除试卷部分。"))
    return HttpResponseRedirect(_url(blueprint))
