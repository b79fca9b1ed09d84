"""`jineng audit verify`: recompute the hash chain; exit 1 naming the first bad entry."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jineng.audit.services import audit_verify


class Command(BaseCommand):
    help = "审计链操作：verify 校验整条哈希链"
    # Verification must run even when some unrelated part of the project fails its checks.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sub.add_parser("verify", help="重新计算每条审计记录的哈希，发现篡改时以状态 1 退出")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "verify":
            result = audit_verify()
            if not result.ok:
                where = f"第一条异常记录：#{result.first_bad_id}；" if result.first_bad_id else ""
                raise CommandError(
                    f"审计链被篡改：{where}{result.reason}（此前已校验 {result.checked} 条）",
                    returncode=1,
                )
            self.stdout.write(f"审计链完整：{result.checked} 条")
