"""One audit vocabulary: every action and object type the code writes is an `AuditAction` /
`AuditObject` member with a Chinese label; plain strings still work (StrEnum)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from jineng.audit.services import audit_record
from jineng.audit.vocabulary import (
    ACTION_LABELS,
    OBJECT_LABELS,
    AuditAction,
    AuditObject,
    action_label,
    actions_with_label,
    object_label,
)

PACKAGE = Path(__file__).resolve().parents[2]
# `action="…"` / `object_type="…"` literals, and the module constants services pass instead
ACTION = re.compile(r"""\baction=["']([a-z_.]+)["']|_ACTION\s*=\s*["']([a-z_.]+)["']""")
OBJECT = re.compile(r"""\bobject_type=["']([a-z_.]+)["']|OBJECT_TYPE\s*=\s*["']([a-z_.]+)["']""")
ARGPARSE = {"store_true", "store_false", "append", "count", "store"}


def _literals(pattern: re.Pattern[str]) -> set[str]:
    found: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for match in pattern.finditer(path.read_text(encoding="utf-8")):
            found.add(match.group(1) or match.group(2))
    return found - ARGPARSE


def test_every_action_written_in_the_code_is_in_the_vocabulary() -> None:
    used = _literals(ACTION)
    assert {"reveal", "fact_append", "simulation_start"} <= used  # the scan finds them
    assert used - {a.value for a in AuditAction} == set()


def test_every_object_type_written_in_the_code_is_in_the_vocabulary() -> None:
    used = _literals(OBJECT) - {"imports"}  # f"imports.{kind}": every kind is listed below
    assert {"person", "fact", "simulation_run"} <= used
    assert used - {o.value for o in AuditObject} == set()


def test_the_account_actions_are_in_the_vocabulary() -> None:
    for value in (
        "login",
        "login_failed",
        "lockout",
        "logout",
        "totp_failed",
        "totp_enrolled",
        "token_issue",
        "token_revoke",
        "person_search_document",
    ):
        assert AuditAction(value).label
    assert AuditObject("account").label == "账号"


def test_every_member_has_a_chinese_label() -> None:
    assert set(ACTION_LABELS) == set(AuditAction)
    assert set(OBJECT_LABELS) == set(AuditObject)
    han = re.compile(r"[\u4e00-\u9fff]")
    for label in [*ACTION_LABELS.values(), *OBJECT_LABELS.values()]:
        assert han.search(str(label)), label


def test_a_string_outside_the_vocabulary_is_labelled_other_not_shown_raw() -> None:
    assert action_label("reference.shortage_refresh") == "其他操作"
    assert object_label("machine.thing") == "其他对象"
    assert action_label(AuditAction.REVEAL) == "查看明文"


def test_two_spellings_of_one_act_filter_together() -> None:
    assert set(actions_with_label("token_issue")) == {"token_issue", "api_token_issue"}


@pytest.mark.django_db
def test_members_and_plain_strings_are_stored_alike() -> None:
    a = audit_record(
        actor=None, action=AuditAction.REVEAL, object_type=AuditObject.PERSON, object_id=1
    )
    b = audit_record(actor=None, action="reveal", object_type="person", object_id=1)
    assert (a.action, a.object_type) == (b.action, b.object_type) == ("reveal", "person")
    assert type(a.action) is str
