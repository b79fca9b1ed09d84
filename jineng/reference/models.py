"""Reference data: regions (GB/T 2260), occupations (2022 classification), skill levels, shortage lists."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from jineng.core.regioncodes import region_prefix as region_prefix


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("省级")
    CITY = "city", _("地级")
    COUNTY = "county", _("县级")
    TOWNSHIP = "township", _("乡级")  # 乡镇/街道: 9-digit statistical codes (统计用区划代码)


class RegionQuerySet(models.QuerySet["Region"]):
    def under(self, code: str) -> RegionQuerySet:
        """The region itself and everything under it (`under("4419")`, `under("330500")`)."""
        return self.filter(code__startswith=region_prefix(code))


class Region(models.Model):
    # GB/T 2260 (6 digits) down to counties; townships carry the 9-digit statistical code.
    code = models.CharField(_("行政区划代码"), max_length=9, primary_key=True)
    name = models.CharField(_("名称"), max_length=64)
    level = models.CharField(_("级别"), max_length=16, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def prefix(self) -> str:
        return region_prefix(self.code)


class OccupationCategoryLevel(models.TextChoices):
    MAJOR = "major", _("大类")
    MIDDLE = "middle", _("中类")
    MINOR = "minor", _("小类")


class OccupationCategory(models.Model):
    """A 大类, 中类 or 小类 of the 2022 classification (6-00-00-00, 6-18-00-00, 6-18-01-00)."""

    code = models.CharField(_("分类编码"), max_length=16, primary_key=True)
    name = models.CharField(_("分类名称"), max_length=128)
    level = models.CharField(_("层级"), max_length=8, choices=OccupationCategoryLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级分类"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        verbose_name = _("职业分类")
        verbose_name_plural = _("职业分类")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Occupation(models.Model):
    """An occupation of the 2022 national classification (中华人民共和国职业分类大典), e.g. 6-18-01-01 车工."""

    code = models.CharField(_("职业编码"), max_length=16, primary_key=True)
    name = models.CharField(_("职业名称"), max_length=128)
    major_category = models.PositiveSmallIntegerField(_("大类"))
    # The 小类 it belongs to (its 中类 where the source lists no 小类).
    category = models.ForeignKey(
        OccupationCategory,
        verbose_name=_("所属分类"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="occupations",
    )
    is_green = models.BooleanField(_("绿色职业（L）"), default=False)
    is_digital = models.BooleanField(_("数字职业（S）"), default=False)

    class Meta:
        verbose_name = _("职业")
        verbose_name_plural = _("职业")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class SkillLevel(models.TextChoices):
    """新八级工 ladder. Codes match the dossier's certificate levels and the policy files."""

    APPRENTICE = "A", _("学徒工")
    ELEMENTARY = "5", _("初级工（五级）")
    INTERMEDIATE = "4", _("中级工（四级）")
    ADVANCED = "3", _("高级工（三级）")
    TECHNICIAN = "2", _("技师（二级）")
    SENIOR_TECHNICIAN = "1", _("高级技师（一级）")
    PRINCIPAL_TECHNICIAN = "S", _("特级技师")
    CHIEF_TECHNICIAN = "C", _("首席技师")


# Rank on the ladder, low to high; 高技能人才 means 高级工 and above.
SKILL_LEVEL_RANK = {"A": 0, "5": 1, "4": 2, "3": 3, "2": 4, "1": 5, "S": 6, "C": 7}
HIGH_SKILL_LEVELS = frozenset(code for code, rank in SKILL_LEVEL_RANK.items() if rank >= 3)


def is_high_skill(level: str | None) -> bool:
    """高技能人才: 高级工 (三级) and above. An unknown or empty level is not high-skill."""
    return level in HIGH_SKILL_LEVELS


def skill_level_at_least(level: str | None, minimum: str) -> bool:
    """Whether `level` is on the ladder at or above `minimum` (both SkillLevel codes)."""
    if level not in SKILL_LEVEL_RANK:
        return False
    return SKILL_LEVEL_RANK[level] >= SKILL_LEVEL_RANK[minimum]


class ShortageOccupation(models.Model):
    """An entry of a city's shortage-occupation list (紧缺急需职业（工种）目录) for one year."""

    region = models.ForeignKey(Region, verbose_name=_("城市"), on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField(_("年度"))
    occupation = models.ForeignKey(Occupation, verbose_name=_("职业"), on_delete=models.PROTECT)
    min_level = models.CharField(
        _("适用最低等级"), max_length=1, choices=SkillLevel.choices, default=SkillLevel.ELEMENTARY
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("紧缺职业目录条目")
        verbose_name_plural = _("紧缺职业目录")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "year", "occupation"], name="shortage_unique_per_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.year} {self.occupation_id}"
