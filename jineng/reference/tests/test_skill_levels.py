import pytest

from jineng.reference.models import (
    HIGH_SKILL_LEVELS,
    SKILL_LEVEL_RANK,
    SkillLevel,
    is_high_skill,
    skill_level_at_least,
)


def test_ladder_order_low_to_high() -> None:
    ordered = sorted(SkillLevel.values, key=SKILL_LEVEL_RANK.__getitem__)
    assert ordered == ["A", "5", "4", "3", "2", "1", "S", "C"]
    assert set(SKILL_LEVEL_RANK) == set(SkillLevel.values)


def test_high_skill_means_advanced_and_above() -> None:
    assert {"3", "2", "1", "S", "C"} == HIGH_SKILL_LEVELS


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        (SkillLevel.APPRENTICE, False),
        (SkillLevel.ELEMENTARY, False),
        (SkillLevel.INTERMEDIATE, False),
        (SkillLevel.ADVANCED, True),
        (SkillLevel.TECHNICIAN, True),
        (SkillLevel.SENIOR_TECHNICIAN, True),
        (SkillLevel.PRINCIPAL_TECHNICIAN, True),
        (SkillLevel.CHIEF_TECHNICIAN, True),
        ("", False),
        (None, False),
        ("高级工", False),  # a label is not a code
    ],
)
def test_is_high_skill(level: str | None, expected: bool) -> None:
    assert is_high_skill(level) is expected


def test_at_least() -> None:
    assert skill_level_at_least("2", "3")
    assert skill_level_at_least("3", "3")
    assert not skill_level_at_least("4", "3")
    assert not skill_level_at_least("X", "A")
    assert not skill_level_at_least(None, "A")


def test_labels_are_chinese() -> None:
    assert str(SkillLevel.ADVANCED.label) == "高级工（三级）"
    assert str(SkillLevel.CHIEF_TECHNICIAN.label) == "首席技师"
