"""`jineng faces purge`: delete face images and encodings past FACES_RETENTION_DAYS (sensitive
personal information, PIPL art. 28). Celery beat runs the same daily (`faces.purge_images`); this
command is for deployments that schedule with cron instead, and for operators."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from jineng.faces.services import faces_purge


class Command(BaseCommand):
    help = "人脸核验维护：purge 删除超过保存期限的人脸照片"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sub.add_parser("purge", help="删除超过保存期限（FACES_RETENTION_DAYS）的人脸照片和特征")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "purge":
            purged = faces_purge()
            self.stdout.write(f"已删除过期的人脸照片：{purged} 条记录")
