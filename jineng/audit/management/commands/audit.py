"""`jineng audit verify [--against FILE]`, `jineng audit anchor [--out FILE]`, `jineng audit rekey`.

verify recomputes every chain (exit 1 naming the first bad entry) and, with --against, checks a
signed anchor and that nothing anchored was cut off or rewritten since; each run's outcome is
stored for the audit page. anchor writes the signed heads to a file. rekey re-signs the trail with
the newest chain key after checking it under the old scheme.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jineng.audit.anchor import (
    AnchorInvalid,
    anchor_time,
    audit_anchor,
    audit_verification_record,
    audit_verify_against,
    read_anchor,
)
from jineng.audit.keys import AuditKeyMissing
from jineng.audit.rekey import audit_rekey
from jineng.audit.services import AuditChainBroken, AuditVerification, audit_verify


class Command(BaseCommand):
    help = "审计链操作：verify 校验哈希链；anchor 签发锚点；rekey 用最新密钥重新签名"
    # Verification must run even when some unrelated part of the project fails its checks.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        verify = sub.add_parser(
            "verify", help="重新计算每条审计记录的哈希，发现篡改时以状态 1 退出"
        )
        verify.add_argument(
            "--against", type=Path, help="对照锚点文件，检查锚点之后记录是否被截断或改写"
        )
        anchor = sub.add_parser("anchor", help="把各审计链的链头、条数和时间签名写入锚点文件")
        anchor.add_argument("--out", type=Path, help="锚点文件路径（默认 VAR_DIR/audit/anchors/）")
        sub.add_parser("rekey", help="校验后用最新的审计链密钥重新签名全部记录")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["subcommand"] == "verify":
                self._verify(options.get("against"))
            elif options["subcommand"] == "anchor":
                anchor, path = audit_anchor(out=options.get("out"))
                self.stdout.write(f"已签发审计锚点：{anchor.length} 条，写入 {path}")
            elif options["subcommand"] == "rekey":
                result = audit_rekey()
                self.stdout.write(
                    f"已用最新密钥重新签名 {result.rewritten} 条，补记区域 {result.regions_filled} 条"
                )
        except (AuditKeyMissing, AuditChainBroken) as exc:
            raise CommandError(str(exc), returncode=1) from exc

    def _verify(self, against: Path | None) -> None:
        if against is None:
            result = audit_verify()
            audit_verification_record(result)
        else:
            try:
                payload = read_anchor(against)
            except AnchorInvalid as exc:
                result = AuditVerification(False, 0, None, str(exc))
                audit_verification_record(result)
                raise CommandError(f"审计锚点无效：{exc}", returncode=1) from exc
            result = audit_verify_against(payload)
            audit_verification_record(result, anchor_at=anchor_time(payload))
        if not result.ok:
            where = f"第一条异常记录：#{result.first_bad_id}；" if result.first_bad_id else ""
            raise CommandError(
                f"审计链被篡改：{where}{result.reason}（此前已校验 {result.checked} 条）",
                returncode=1,
            )
        suffix = "，与锚点一致" if against is not None else ""
        self.stdout.write(f"审计链完整：{result.checked} 条{suffix}")
