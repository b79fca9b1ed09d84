"""Chinese messages for request validation errors (pydantic's error types), naming each field by
its Chinese title where the schema gives one: `第 2 项 字段“等级”：必须是以下之一：…`.

`jineng.api.root` turns every error into the one body shape, `ErrorOut`
(`{"detail": str, "field": str | None, "errors": [{"field": str, "message": str}]}`)."""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel

# Where ninja reads a parameter from, and the name it gives the body: not part of the field name.
_SOURCES = frozenset({"body", "query", "path", "header", "cookie", "form", "file"})
_BODY_NAMES = frozenset({"payload", "ninja_pagination", "filters"})

_CJK = re.compile(r"[\u4e00-\u9fff]")

# Titles of parameters declared without a schema (path arguments, ninja's pagination).
FALLBACK_TITLES: dict[str, str] = {
    "page": "页码",
    "page_size": "每页条数",
    "person_id": "人员编号",
    "organisation_id": "机构编号",
    "run_id": "测算编号",
    "batch": "导入批次",
    "code": "区域代码",
}


def _bound(ctx: dict[str, Any], key: str) -> str:
    return str(ctx.get(key, ""))


def _reason(error: dict[str, Any]) -> str:
    kind = str(error.get("type", ""))
    ctx: dict[str, Any] = error.get("ctx") or {}
    simple = {
        "missing": "必须填写",
        "int_parsing": "必须是整数",
        "int_type": "必须是整数",
        "int_from_float": "必须是整数",
        "float_parsing": "必须是数字",
        "float_type": "必须是数字",
        "decimal_parsing": "必须是数字",
        "decimal_type": "必须是数字",
        "bool_parsing": "必须是 true 或 false",
        "bool_type": "必须是 true 或 false",
        "string_type": "必须是文本",
        "string_unicode": "必须是文本",
        "string_pattern_mismatch": "格式不正确",
        "date_parsing": "必须是日期（如 2024-01-31）",
        "date_from_datetime_parsing": "必须是日期（如 2024-01-31）",
        "date_from_datetime_inexact": "必须是日期（如 2024-01-31）",
        "date_type": "必须是日期（如 2024-01-31）",
        "datetime_parsing": "必须是日期时间（如 2024-01-31T09:00:00+08:00）",
        "datetime_from_date_parsing": "必须是日期时间（如 2024-01-31T09:00:00+08:00）",
        "datetime_type": "必须是日期时间（如 2024-01-31T09:00:00+08:00）",
        "model_type": "必须是对象",
        "model_attributes_type": "必须是对象",
        "dict_type": "必须是对象",
        "list_type": "必须是列表",
        "tuple_type": "必须是列表",
        "json_invalid": "不是有效的 JSON",
        "json_type": "不是有效的 JSON",
        "extra_forbidden": "不接受此字段",
        "none_required": "必须为空",
        "finite_number": "必须是有限的数字",
        "uuid_parsing": "必须是有效的 UUID",
        "uuid_type": "必须是有效的 UUID",
        "url_parsing": "必须是有效的网址",
        "frozen_field": "不可修改",
    }
    if kind in simple:
        return simple[kind]
    if kind == "greater_than_equal":
        return f"必须大于或等于 {_bound(ctx, 'ge')}"
    if kind == "greater_than":
        return f"必须大于 {_bound(ctx, 'gt')}"
    if kind == "less_than_equal":
        return f"必须小于或等于 {_bound(ctx, 'le')}"
    if kind == "less_than":
        return f"必须小于 {_bound(ctx, 'lt')}"
    if kind == "multiple_of":
        return f"必须是 {_bound(ctx, 'multiple_of')} 的倍数"
    if kind == "string_too_long":
        return f"最多 {_bound(ctx, 'max_length')} 个字符"
    if kind == "string_too_short":
        return f"至少 {_bound(ctx, 'min_length')} 个字符"
    if kind == "too_long":
        return f"最多 {_bound(ctx, 'max_length')} 项"
    if kind == "too_short":
        return f"至少 {_bound(ctx, 'min_length')} 项"
    if kind in ("enum", "literal_error"):
        expected = str(ctx.get("expected", "")).replace(" or ", ", ")
        return f"必须是以下之一：{expected}" if expected else "取值不在可选范围内"
    if kind in ("value_error", "assertion_error"):
        # Our own validators raise Chinese messages; pydantic prefixes "Value error, ".
        message = str(ctx.get("error") or error.get("msg") or "")
        message = message.removeprefix("Value error, ").removeprefix("Assertion failed, ")
        return message if _CJK.search(message) else "取值无效"
    return "取值无效"


def _unwrap(annotation: Any) -> list[Any]:
    """The model classes an annotation may hold: `X | None`, `list[X]`, `dict[str, X]`."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType, list, tuple, set, frozenset, dict, Sequence):
        found: list[Any] = []
        for arg in typing.get_args(annotation):
            found.extend(_unwrap(arg))
        return found
    return []


def _titles(model: type[BaseModel] | None, loc: Sequence[int | str]) -> list[str | int]:
    """The loc with each field name replaced by its title (kept as the name when untitled);
    list positions stay ints."""
    out: list[str | int] = []
    models = [model] if model is not None else []
    for part in loc:
        if isinstance(part, int):
            out.append(part)
            continue
        title = FALLBACK_TITLES.get(part, part)
        next_models: list[Any] = []
        for m in models:
            info = m.model_fields.get(part)
            if info is None:
                continue
            title = info.title or title
            next_models = _unwrap(info.annotation)
            break
        out.append(title)
        models = next_models
    return out


def field_path(loc: Sequence[int | str]) -> str:
    """`("body", "payload", "facts", 0, "kind")` → `facts.0.kind`."""
    parts = [str(p) for p in loc]
    if parts and parts[0] in _SOURCES:
        parts = parts[1:]
    if parts and parts[0] in _BODY_NAMES:
        parts = parts[1:]
    return ".".join(parts)


def validation_message(
    error: dict[str, Any], model: type[BaseModel] | None, raw_loc: Sequence[int | str]
) -> str:
    """One Chinese sentence for one pydantic error; `raw_loc` is the error's location inside
    `model` (before ninja prefixes the parameter source)."""
    titled = _titles(model, raw_loc)
    if titled and titled[0] in _BODY_NAMES:
        titled = titled[1:]
    words: list[str] = []
    last_name = ""
    for i, part in enumerate(titled):
        if isinstance(part, int):
            words.append(f"第 {part + 1} 项")
        elif any(isinstance(p, str) for p in titled[i + 1 :]):
            words.append(str(part))
        else:
            last_name = str(part)
    reason = _reason(error)
    if last_name:
        words.append(f"字段“{last_name}”")
    where = " ".join(words) or "请求内容"
    return f"{where}：{reason}"
