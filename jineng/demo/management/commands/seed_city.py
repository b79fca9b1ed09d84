"""`jineng seed_city --region 441900 --workers N --seed S`: a deterministic synthetic city."""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jineng.demo.context import SeedError
from jineng.demo.run import seed_city


def auto_processes(workers: int) -> int:
    """Encryption is a third of the work (docs/benchmarks.md, Seeding): for a large city, two
    processes make and encrypt chunks while this one writes. Small cities are not worth a fork."""
    return 2 if workers >= 100_000 and (os.cpu_count() or 1) >= 2 else 1


class Command(BaseCommand):
    help = (
        "生成确定性的合成城市：机构、劳动者、工作经历和档案事实。在空数据库中，同样的种子、人数和"
        "块大小生成同样的数据（与子进程数无关）。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--region", default="441900", help="城市的行政区划代码（默认东莞 441900）"
        )
        parser.add_argument("--workers", type=int, default=5000, help="劳动者人数")
        parser.add_argument("--seed", type=int, default=1, help="随机种子")
        parser.add_argument("--chunk-size", type=int, default=20_000, help="每个事务写入的人数")
        parser.add_argument(
            "--processes",
            type=int,
            default=0,
            help="生成并加密数据的子进程数（1：本进程；默认：10万人以上用2个子进程）",
        )
        parser.add_argument("--no-progress", action="store_true", help="不显示进度条")
        parser.add_argument(
            "--fraud-rate",
            type=float,
            default=0.0,
            help="植入诚信核查样本的比例（约占劳动者人数；0 不植入），植入后运行诚信核查并报告结果",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["workers"] < 1:
            raise CommandError("--workers 至少为 1")
        try:
            result = seed_city(
                region=options["region"],
                workers=options["workers"],
                seed=options["seed"],
                chunk_size=options["chunk_size"],
                processes=options["processes"] or auto_processes(options["workers"]),
                progress=not options["no_progress"],
            )
        except SeedError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"城市 {result.region}（种子 {result.seed}）：机构 {result.organisations}，"
            f"劳动者 {result.people}，工作经历 {result.employments}，教师 {result.teachers}，"
            f"档案事实 {result.facts}；持证 {result.certified} 人，其中高技能人才 "
            f"{result.high_skill} 人（{result.high_skill_share:.1%}）；用时 {result.seconds:.1f} 秒"
        )
        if options["fraud_rate"] > 0:
            from jineng.claims.models import ClaimFlag
            from jineng.demo.fraud import plant_and_check

            planted, missed = plant_and_check(
                region=options["region"], workers=options["workers"], rate=options["fraud_rate"]
            )
            flagged = set(ClaimFlag.objects.values_list("claim_id", flat=True))
            cases = sum(len(c) for c in planted.expected.values())
            self.stdout.write(
                f"诚信核查样本：植入 {cases} 件，漏查 {sum(missed.values())} 件；"
                f"正常样本 {len(planted.clean)} 件中被列为疑点的占 "
                f"{planted.clean_share(flagged):.1%}"
            )
