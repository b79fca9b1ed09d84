"""`jineng demo_setup --workers 5000 [--seed 1]` (used by `make demo`)."""

from __future__ import annotations

import unicodedata
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from jineng.demo.demo import DemoAccount, demo_setup


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def accounts_table(accounts: list[DemoAccount]) -> str:
    header = ("用户名", "密码", "角色", "范围", "TOTP 密钥（base32）", "当前验证码")
    rows = [
        (a.username, a.password, a.role_label, a.scope, a.totp_secret or "-", a.totp_code or "-")
        for a in accounts
    ]
    widths = [max(_width(row[i]) for row in (header, *rows)) for i in range(len(header))]
    lines = [
        "  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in (header, *rows)
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


class Command(BaseCommand):
    help = "示范环境：数据库没有人员时生成东莞示范城市，并确保每个角色一个示范账号（可重复执行）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--workers", type=int, default=5000, help="示范城市的劳动者人数")
        parser.add_argument("--seed", type=int, default=1, help="随机种子")
        parser.add_argument("--no-progress", action="store_true", help="不显示进度条")

    def handle(self, *args: Any, **options: Any) -> None:
        seeded, accounts = demo_setup(
            workers=options["workers"], seed=options["seed"], progress=not options["no_progress"]
        )
        if seeded is not None:
            self.stdout.write(
                f"已生成示范城市 {seeded.region}：劳动者 {seeded.people}，机构 {seeded.organisations}，"
                f"档案事实 {seeded.facts}（{seeded.seconds:.1f} 秒）"
            )
        else:
            self.stdout.write("数据库已有人员，未重新生成示范城市。")
        self.stdout.write("\n示范账号（仅供演示，勿用于生产环境）：\n")
        self.stdout.write(accounts_table(accounts))
        self.stdout.write(
            "\n人社局角色和系统管理员登录时需输入验证码：把 TOTP 密钥加入身份验证器应用"
            "（如 Google Authenticator），或用上表“当前验证码”（30 秒内有效）。"
        )
