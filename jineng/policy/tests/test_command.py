"""`jineng policy …` end to end (call_command)."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

PERSON = {
    "subject": {
        "id": "P1",
        "kind": "person",
        "region": "441900",
        "birth_date": "1990-03-01",
        "sex": "M",
        "attrs": {"insured": True},
    },
    "facts": [
        {
            "id": "F1",
            "kind": "certificate",
            "code": "6-18-01-01",
            "level": "3",
            "date": "2023-03-01",
            "attrs": {"shortage": True},
        },
        {
            "id": "F2",
            "kind": "competition_result",
            "code": "worldskills",
            "level": "gold",
            "date": "2022-10-15",
            "attrs": {"role": "player"},
        },
    ],
}


def run(*args: str) -> str:
    out = StringIO()
    call_command("policy", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def facts_file(tmp_path: Path) -> Path:
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(PERSON), encoding="utf-8")
    return path


def test_explain_text_in_chinese_with_amounts(facts_file: Path) -> None:
    out = run("explain", str(facts_file), "--on", "2023-06-30")
    assert "dg.worldskills.medal" in out and "¥500,000.00" in out and "原文" in out
    assert "合计" in out and "¥502,600.00" in out


def test_explain_json_restricted_to_a_policy(facts_file: Path) -> None:
    data = json.loads(
        run("explain", str(facts_file), "--on", "2023-06-30", "--format", "json", "--policy", "dg")
    )
    items = {i["item"]: i for i in data["items"]}
    assert items["dg.worldskills.medal"]["fen"] == 50000000
    # the national base comes along: the Dongguan uplift is 30% of it
    assert items["dg.skill_upgrade.shortage_uplift"]["fen"] == 60000
    assert items["dg.worldskills.medal"]["citation"]["quote"].startswith("对获得世界技能大赛")


def test_simulate_a_file_with_a_what_if(facts_file: Path) -> None:
    out = run(
        "simulate",
        "--population",
        str(facts_file),
        "--on",
        "2023-06-30",
        "--set",
        "dg.worldskills.medal.otherwise.table.gold=600000@2022-01-01",
    )
    assert "预算" in out and "调整后总计" in out and "¥100,000.00" in out


@pytest.mark.django_db
def test_simulate_city_reads_the_dossier() -> None:
    out = run("simulate", "--population", "city", "--on", "2025-06-30")
    assert "人群:0 个主体" in out


def test_list_show_schema() -> None:
    assert "nb.skill_upgrade" in run("list")
    assert "技能提升补贴" in run("show", "nb.skill_upgrade")
    assert json.loads(run("schema"))["title"].startswith("jineng facts")
    assert "items" in json.loads(run("schema", "--policy-file"))["properties"]


def test_errors_are_command_errors(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="没有此项目"):
        run("show", "zz.nope")
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {
                "subject": {"id": "P", "kind": "person", "region": "4419"},
                "facts": [{"id": "F", "kind": "medal", "date": "2023-01-01"}],
            }
        )
    )
    with pytest.raises(CommandError, match="fact F"):
        run("explain", str(bad), "--on", "2023-06-30")
