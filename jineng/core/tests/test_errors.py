"""The one error type: every app's refusal is a DomainError that keeps its field, Chinese
message, masked value and status through pickling (Celery) and onto a form."""

from __future__ import annotations

import pickle

import pytest
from django import forms

from jineng.core.errors import Conflict, DomainError, NotFound, RateLimited
from jineng.core.forms import add_domain_error
from jineng.dossier.errors import FactAlreadyCorrected, FactInvalid
from jineng.identity.errors import ValidationFailed


def test_app_errors_are_domain_errors_with_their_attributes() -> None:
    err = ValidationFailed("id_number", "校验位错误", value="4419**********001X")
    assert isinstance(err, DomainError) and isinstance(err, ValueError)
    assert (err.field, err.message, err.value, err.status) == (
        "id_number",
        "校验位错误",
        "4419**********001X",
        400,
    )
    assert str(err) == "id_number: 校验位错误"
    fact = FactInvalid("level", "未知等级“9”")
    assert isinstance(fact, DomainError) and (fact.field, fact.status) == ("level", 400)
    assert FactAlreadyCorrected("fact", "已被更正").status == 409


@pytest.mark.parametrize(
    "err",
    [
        ValidationFailed("phone", "手机号码应为11位", value="138****8001"),
        FactInvalid("code", "证书须填写职业编码"),
        FactAlreadyCorrected("fact", "只能更正当前版本"),
        NotFound(),
        Conflict("uscc", "统一社会信用代码已存在"),
        RateLimited("id_number", "查询过于频繁", retry_after=60),
    ],
)
def test_errors_survive_pickling(err: DomainError) -> None:
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is type(err)
    assert (back.field, back.message, back.value, back.status) == (
        err.field,
        err.message,
        err.value,
        err.status,
    )
    assert getattr(back, "retry_after", None) == getattr(err, "retry_after", None)


def test_subclasses_have_chinese_defaults() -> None:
    assert NotFound().message == "不存在或不在您的查看范围内。"
    assert NotFound().status == 404
    assert RateLimited().status == 429 and RateLimited(retry_after=5).retry_after == 5


class PersonForm(forms.Form):
    name = forms.CharField()
    new_id_number = forms.CharField(required=False)


def test_form_gets_the_message_on_the_named_field() -> None:
    form = PersonForm(data={"name": "邓志明"})
    assert form.is_valid()
    add_domain_error(form, ValidationFailed("name", "姓名不能含数字"))
    assert form.errors["name"] == ["姓名不能含数字"]


def test_form_maps_service_names_and_falls_back_to_non_field_errors() -> None:
    form = PersonForm(data={"name": "邓志明"})
    assert form.is_valid()
    add_domain_error(
        form, ValidationFailed("id_number", "校验位错误"), {"id_number": "new_id_number"}
    )
    add_domain_error(form, FactInvalid("level", "未知等级"))
    add_domain_error(form, Conflict(message="记录已被他人修改"))
    assert form.errors["new_id_number"] == ["校验位错误"]
    assert form.non_field_errors() == ["未知等级", "记录已被他人修改"]
