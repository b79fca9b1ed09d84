import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from jineng.audit.models import AuditEntry, AuditHead
from jineng.audit.services import audit_record, audit_verify
from jineng.audit.tests.tampering import delete_row, tamper

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain() -> list[AuditEntry]:
    return [
        audit_record(
            actor=None,
            action="update",
            object_type="person",
            object_id=i,
            before={"education": "junior"},
            after={"education": "senior"},
        )
        for i in range(1, 6)
    ]


def test_an_empty_trail_is_intact() -> None:
    assert audit_verify() == audit_verify().__class__(True, 0, None, "")


def test_an_untouched_chain_is_intact(chain: list[AuditEntry]) -> None:
    result = audit_verify()
    assert (result.ok, result.checked, result.first_bad_id) == (True, 5, None)


def test_a_row_edited_by_hand_is_named(chain: list[AuditEntry]) -> None:
    # given an officer's "after" value rewritten directly in the database
    tamper(chain[2].pk, "after", '{"education": "postgraduate"}')
    # when
    result = audit_verify()
    # then
    assert (result.ok, result.checked, result.first_bad_id) == (False, 2, chain[2].pk)
    assert "被改动" in result.reason


def test_a_row_removed_from_the_middle_breaks_the_link(chain: list[AuditEntry]) -> None:
    delete_row(chain[1].pk)
    result = audit_verify()
    assert (result.ok, result.first_bad_id) == (False, chain[2].pk)


def test_rows_cut_off_the_end_are_detected_through_the_head(chain: list[AuditEntry]) -> None:
    delete_row(chain[4].pk)
    delete_row(chain[3].pk)
    result = audit_verify()
    assert (result.ok, result.checked, result.first_bad_id) == (False, 3, chain[4].pk)


def test_a_rewritten_timestamp_is_detected(chain: list[AuditEntry]) -> None:
    tamper(chain[0].pk, "at", chain[0].at - dt.timedelta(days=1))
    assert audit_verify().first_bad_id == chain[0].pk


def test_a_deleted_head_is_detected(chain: list[AuditEntry]) -> None:
    AuditHead.objects.all().delete()
    result = audit_verify()
    assert (result.ok, result.reason) == (False, "审计链头缺失")


def test_command_reports_an_intact_chain(
    chain: list[AuditEntry], capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("audit", "verify")
    assert capsys.readouterr().out.strip() == "审计链完整：5 条"


def test_command_exits_1_naming_the_first_bad_entry(chain: list[AuditEntry]) -> None:
    tamper(chain[3].pk, "reason", "已核实")
    with pytest.raises(CommandError) as excinfo:
        call_command("audit", "verify")
    assert excinfo.value.returncode == 1
    assert f"#{chain[3].pk}" in str(excinfo.value)


def test_command_line_exit_status_is_1_on_tampering(chain: list[AuditEntry]) -> None:
    from jineng.audit.management.commands.audit import Command

    tamper(chain[0].pk, "object_id", "999")
    with pytest.raises(SystemExit) as excinfo:
        Command().run_from_argv(["jineng", "audit", "verify"])
    assert excinfo.value.code == 1
