from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from jineng.reference.loading import load_reference


class Command(BaseCommand):
    help = "载入参考数据（行政区划、职业分类、东莞示范紧缺职业目录）；可重复执行。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-demo",
            action="store_true",
            help="不载入东莞示范紧缺职业目录（生产环境用）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        counts = load_reference(demo_shortage=not options["no_demo"])
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"行政区划 {counts.regions}，职业分类 {counts.occupation_categories}，"
                f"职业 {counts.occupations}，紧缺职业目录条目 {counts.shortage_entries}"
                f"（{elapsed:.1f} 秒）"
            )
        )
