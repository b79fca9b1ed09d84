"""`jineng import people|organisations|facts FILE [--dry-run] [--skip-bad] [--errors-xlsx PATH]`.

Exit code: 0 nothing rejected; 1 any row rejected (or the write failed and was rolled back);
2 the file could not be read.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jineng.identity.models import User
from jineng.imports.facts import COLUMNS as FACT_COLUMNS
from jineng.imports.machinery import Column
from jineng.imports.organisations import COLUMNS as ORGANISATION_COLUMNS
from jineng.imports.people import COLUMNS as PEOPLE_COLUMNS
from jineng.imports.services import IMPORTS

COLUMNS: dict[str, tuple[Column, ...]] = {
    "people": PEOPLE_COLUMNS,
    "organisations": ORGANISATION_COLUMNS,
    "facts": FACT_COLUMNS,
}


def columns_help(columns: tuple[Column, ...]) -> str:
    return "\n".join(
        f"    {c.header}{'（必填）' if c.required else ''}{'：' + c.note if c.note else ''}"
        for c in columns
    )


class Command(BaseCommand):
    help = "从 .xlsx 或 .csv 批量导入人员、机构或档案事实；每个错误行都列出行号、列和原因。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=sorted(IMPORTS), help="导入类型")
        parser.add_argument("file", help=".xlsx 或 .csv 文件（第1行为表头）")
        parser.add_argument("--dry-run", action="store_true", help="只校验并报告，不写入")
        parser.add_argument(
            "--skip-bad",
            action="store_true",
            help="只导入正确的行（默认：有任一错误行则全部不导入）",
        )
        parser.add_argument("--errors-xlsx", metavar="PATH", help="把问题明细写成 .xlsx")
        parser.add_argument(
            "--actor", metavar="USERNAME", help="记入审计的操作账号（默认：system）"
        )
        parser.formatter_class = argparse.RawDescriptionHelpFormatter
        parser.epilog = "列（第1行表头，顺序不限）：\n" + "\n".join(
            f"  {kind}:\n{columns_help(cols)}" for kind, cols in COLUMNS.items()
        )

    def handle(self, *args: Any, **options: Any) -> None:
        actor = None
        if options["actor"]:
            actor = User.objects.filter(username=options["actor"]).first()
            if actor is None:
                raise CommandError(f"没有账号 {options['actor']}")
        report = IMPORTS[options["kind"]](
            actor=actor,
            file=options["file"],
            dry_run=options["dry_run"],
            skip_bad=options["skip_bad"],
            filename=Path(options["file"]).name,
        )
        out = self.stderr if report.exit_code else self.stdout
        out.write(report.summary())
        if options["errors_xlsx"]:
            Path(options["errors_xlsx"]).write_bytes(report.to_xlsx())
            self.stdout.write(f"问题明细已写入 {options['errors_xlsx']}")
        if report.exit_code:
            sys.exit(report.exit_code)
