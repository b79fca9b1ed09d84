"""`jineng imports purge`: delete uploads of the import page left unconfirmed for 24 hours (they
hold full ID numbers). Celery beat runs the same every hour (`imports.purge_uploads`); this command
is for deployments that schedule with cron instead, and for operators."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from jineng.imports.jobs import import_uploads_purge


class Command(BaseCommand):
    help = "导入任务维护：purge 删除超过24小时未确认的上传文件"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sub.add_parser(
            "purge", help="删除超过24小时未确认的上传文件（任务显示“已过期，请重新上传”）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "purge":
            purged = import_uploads_purge()
            self.stdout.write(f"已删除过期的上传文件：{purged} 个")
