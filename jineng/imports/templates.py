"""The import templates offered for download: one .xlsx per kind, the accepted columns as its
headers and a sample row on the first sheet, and a second sheet describing each column (required,
format, example). Built from the importers' own column declarations, so the template, the page's
list of columns and what the import accepts cannot drift apart."""

from __future__ import annotations

from dataclasses import dataclass

from jineng.core.xlsx import Sheet, workbook_bytes
from jineng.imports.facts import COLUMNS as FACT_COLUMNS
from jineng.imports.machinery import Column
from jineng.imports.organisations import COLUMNS as ORGANISATION_COLUMNS
from jineng.imports.people import COLUMNS as PEOPLE_COLUMNS

COLUMNS: dict[str, tuple[Column, ...]] = {
    "people": PEOPLE_COLUMNS,
    "organisations": ORGANISATION_COLUMNS,
    "facts": FACT_COLUMNS,
}
TITLES = {"people": "人员导入模板", "organisations": "机构导入模板", "facts": "档案事实导入模板"}
DATA_SHEET = "导入数据"
HELP_SHEET = "填写说明"
HELP_HEADER = ("列名", "是否必填", "格式与说明", "示例")


@dataclass(frozen=True)
class ColumnHelp:
    """One accepted column as the page lists it."""

    header: str
    required: bool
    note: str
    example: str
    aliases: tuple[str, ...]


def columns_help(kind: str) -> list[ColumnHelp]:
    return [ColumnHelp(c.header, c.required, c.note, c.example, c.aliases) for c in COLUMNS[kind]]


def template_filename(kind: str) -> str:
    return f"{TITLES[kind]}.xlsx"


def template_xlsx(kind: str) -> bytes:
    """The template workbook of `kind` (people, organisations, facts)."""
    columns = COLUMNS[kind]
    help_rows = [
        (
            c.header,
            "必填" if c.required else "选填",
            c.note + (f"（也可写作：{'、'.join(c.aliases)}）" if c.aliases else ""),
            c.example,
        )
        for c in columns
    ]
    return workbook_bytes(
        [
            Sheet(DATA_SHEET, [c.header for c in columns], [[c.example for c in columns]]),
            Sheet(HELP_SHEET, HELP_HEADER, help_rows),
        ]
    )
