"""`jineng claims_publicity_close [--date 2024-07-01]`: close every 公示 whose period is over
(what the daily beat task claims.publicity_close_due does), through the review service."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from jineng.claims.deadlines import publicity_close_due


class Command(BaseCommand):
    help = "结束公示期已满的申领（转入待拨付）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", type=dt.date.fromisoformat, default=None, help="按该日期判断")

    def handle(self, *args: Any, **options: Any) -> None:
        result = publicity_close_due(today=options["date"])
        self.stdout.write(f"转入待拨付 {result.closed} 件；有未答复异议暂不转入 {result.held} 件")
