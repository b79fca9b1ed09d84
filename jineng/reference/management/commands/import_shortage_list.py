from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jineng.reference.errors import ImportRejected
from jineng.reference.services import SHORTAGE_COLUMNS, shortage_list_import


class Command(BaseCommand):
    help = (
        "导入某市某年度的紧缺职业目录（CSV，UTF-8，列：occupation_code, occupation_name, "
        "min_level, note），整体替换该年度目录；任何一行有误则不写入。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--region", required=True, help="行政区划代码，如 441900")
        parser.add_argument("--year", required=True, type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            with path.open(encoding="utf-8-sig", newline="") as f:
                reader = csv.DictReader(f)
                missing = [c for c in ("occupation_code",) if c not in (reader.fieldnames or [])]
                if missing:
                    raise CommandError(
                        f"第1行：缺少列 {', '.join(missing)}（可用列：{', '.join(SHORTAGE_COLUMNS)}）"
                    )
                rows = list(reader)
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"无法读取 {path}：{exc}") from exc
        try:
            result = shortage_list_import(
                actor=None, region=options["region"], year=options["year"], rows=rows
            )
        except ImportRejected as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{len(exc.errors)} 处错误，未写入任何数据") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.region} {result.year} 年紧缺职业目录：写入 {result.created} 条"
                f"（替换原有 {result.replaced} 条）"
            )
        )
