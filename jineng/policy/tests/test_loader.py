"""Loading and validating policy files: every shipped file loads; errors name file, item, field."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from jineng.policy.engine.errors import FactsError, PolicyError
from jineng.policy.engine.facts import parse_subject_facts
from jineng.policy.engine.loader import DATA_DIR, load_policies
from jineng.policy.engine.model import AttrPred, ByCategory, FenRange, ItemKind

GOOD_ITEM = """
  - id: zz.a.b
    title: t
    kind: money
    citation: {file: f, quote: q}
    beneficiary: person
    trigger: {kind: certificate}
    amount: {form: fixed, value: 100}
"""


def write(tmp_path: Path, items: str, name: str = "zz.yaml") -> Path:
    path = tmp_path / name
    path.write_text(
        "document: {id: zz-doc, prefix: zz, title: T, issuer: I, jurisdiction: '99', source: s, status: in_force,"
        " effective: {from: 2020-01-01, to: null}}\nitems:" + items,
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize("path", sorted(DATA_DIR.glob("*.yaml")), ids=lambda p: p.name)
def test_every_policy_file_loads_on_its_own_with_the_national_base(path: Path) -> None:
    policies = load_policies({path, DATA_DIR / "national_base.yaml"})
    document = next(d for d in policies.documents if d.file == path.name)
    items = policies.items_of(document.id)
    assert items and all(i.citation.quote for i in items)
    assert all(i.id.startswith(document.prefix + ".") for i in items)


def test_all_files_load_together() -> None:
    policies = load_policies()
    assert {d.prefix for d in policies.documents} >= {"nb"}
    assert len({i.id for i in policies.items}) == len(policies.items)


def test_money_is_fen_and_ranges_are_kept(tmp_path: Path) -> None:
    item = GOOD_ITEM.replace(
        "{form: fixed, value: 100}",
        "{form: by_category, key: level, table: {gold: '1234.56', silver: {min: 1, max: 2}}}",
    )
    amount = load_policies([write(tmp_path, item)]).item("zz.a.b").versions[0].amount
    assert isinstance(amount, ByCategory)
    assert amount.table == {"gold": 123456, "silver": FenRange(100, 200)}


def test_a_float_amount_is_refused_naming_file_item_and_field(tmp_path: Path) -> None:
    with pytest.raises(PolicyError) as err:
        load_policies([write(tmp_path, GOOD_ITEM.replace("value: 100", "value: 0.5"))])
    message = str(err.value)
    assert "zz.yaml" in message and "zz.a.b" in message and "amount" in message


def test_unknown_amount_form_and_bad_predicate(tmp_path: Path) -> None:
    bad = (
        GOOD_ITEM.replace("form: fixed", "form: lump")
        + "    conditions: [{attr: {name: x, op: about, value: 1}}]\n"
    )
    with pytest.raises(PolicyError) as err:
        load_policies([write(tmp_path, bad)])
    assert "amount" in str(err.value) and "conditions" in str(err.value)


def test_references_must_exist(tmp_path: Path) -> None:
    bad = GOOD_ITEM.replace(
        "{form: fixed, value: 100}", "{form: uplift, percent: 30, base: {item: zz.nope}}"
    )
    with pytest.raises(PolicyError, match="zz.nope"):
        load_policies([write(tmp_path, bad)])
    with pytest.raises(PolicyError, match="no condition item"):
        load_policies([write(tmp_path, GOOD_ITEM + "    conditions: [{ref: zz.cond}]\n")])


def test_item_prefix_and_duplicates(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="prefix"):
        load_policies([write(tmp_path, GOOD_ITEM.replace("zz.a.b", "yy.a.b"))])
    with pytest.raises(PolicyError, match="duplicate"):
        load_policies([write(tmp_path, GOOD_ITEM + GOOD_ITEM)])


def test_yaml_on_is_a_key_not_a_boolean(tmp_path: Path) -> None:
    item = (
        GOOD_ITEM
        + "    conditions: [{attr: {name: retired, op: eq, value: false, on: 2019-01-01}}]\n"
    )
    pred = load_policies([write(tmp_path, item)]).item("zz.a.b").conditions[0]
    assert isinstance(pred, AttrPred) and pred.on == date(2019, 1, 1)


def test_title_items_grant_and_quota_items_state_their_number(tmp_path: Path) -> None:
    items = (
        GOOD_ITEM
        + """
  - id: zz.q
    title: q
    kind: quota
    citation: {file: f, quote: q}
    beneficiary: person
    rules: {quota: {per_year: 3}}
"""
    )
    policies = load_policies([write(tmp_path, items)])
    assert policies.item("zz.q").kind is ItemKind.QUOTA and policies.item("zz.q").quota is not None


def test_facts_errors_name_the_subject_and_fact() -> None:
    doc = {
        "subject": {"id": "P", "kind": "person", "region": "4419"},
        "facts": [{"id": "F1", "kind": "medal", "date": "2023-01-01"}],
    }
    with pytest.raises(FactsError) as err:
        parse_subject_facts(doc)
    assert "subject P" in str(err.value) and "fact F1" in str(err.value)


def test_an_unstated_amount_needs_its_basis(tmp_path: Path) -> None:
    bad = GOOD_ITEM.replace("{form: fixed, value: 100}", "{form: unstated}")
    with pytest.raises(PolicyError, match="basis"):
        load_policies([write(tmp_path, bad)])
    good = GOOD_ITEM.replace("{form: fixed, value: 100}", "{form: unstated, basis: 按规定}")
    assert load_policies([write(tmp_path, good)]).item("zz.a.b").pays


# ----------------------------------------------------------------------------- duplicate keys


def test_a_key_stated_twice_is_refused_naming_file_line_and_key(tmp_path: Path) -> None:
    # given: an item whose `conditions:` is stated twice (the later one would silently win)
    item = GOOD_ITEM + "    conditions: []\n    exclusions: []\n    conditions: []\n"
    path = write(tmp_path, item, "dup.yaml")
    # when / then
    with pytest.raises(PolicyError) as caught:
        load_policies([path])
    assert caught.value.file == "dup.yaml"
    assert "line 12: duplicate key 'conditions' (first stated at line 10)" in str(caught.value)


def test_a_vocabulary_kind_stated_twice_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD_ITEM)
    text = path.read_text(encoding="utf-8").replace(
        "\nitems:", "\nvocabulary:\n  event:\n    a_code: A\n  event:\n    b_code: B\nitems:", 1
    )
    path.write_text(text, encoding="utf-8")
    with pytest.raises(
        PolicyError, match=r"line 5: duplicate key 'event' \(first stated at line 3\)"
    ):
        load_policies([path])


def test_a_merge_key_is_not_a_duplicate() -> None:
    from jineng.policy.engine import yamlio

    data = yamlio.load("base: &b {x: 1, y: 2}\nother:\n  <<: *b\n  y: 3\n", name="m.yaml")
    assert data["other"] == {"x": 1, "y": 3}
    with pytest.raises(yamlio.DuplicateKeyError, match=r'"m.yaml", line 2'):
        yamlio.load("a: 1\na: 2\n", name="m.yaml")


def test_ningxia_keeps_every_event_code_and_the_voucher_condition() -> None:
    policies = load_policies([DATA_DIR / "nx.yaml"])
    document = next(d for d in policies.documents if d.prefix == "nx")
    assert {
        "technical_school_graduation",
        "frontline_outstanding",
        "nx_saishang_skill_master",
        "government_special_allowance",
        "master_studio_membership",
        "business_loan",
    } <= set(document.vocabulary["event"])
    (condition,) = policies.item("nx.training.voucher").conditions
    assert getattr(condition, "field", None) == "attrs.voucher"
