"""The result of an import: every problem with its row, column and reason, and what was written."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["error", "warning"]
SEVERITY_LABEL = {"error": "错误（该行未导入）", "warning": "警告（已导入）"}

EXIT_OK = 0
EXIT_REJECTED = 1
EXIT_UNREADABLE = 2


@dataclass(frozen=True)
class RowIssue:
    row: int  # as shown in the spreadsheet (header = 1); 1 for problems with the header
    column: str  # the header as written in the file; "" for the row as a whole
    value: str  # masked: ID numbers, phones and bank accounts never appear in clear
    reason: str
    severity: Severity = "error"

    def __str__(self) -> str:
        shown = f"（{self.value}）" if self.value else ""
        column = f" {self.column}" if self.column else ""
        return f"第{self.row}行{column}{shown}：{self.reason}"


@dataclass(frozen=True)
class FieldChange:
    """One change an update-mode import will make (or made) to a registered person."""

    row: int
    person: str  # name and masked ID number
    field: str  # the column's header
    old: str  # masked for phones and bank accounts; labels, never codes
    new: str


@dataclass
class ImportReport:
    kind: Literal["people", "organisations", "facts", "courses"]
    filename: str
    dry_run: bool
    skip_bad: bool
    total_rows: int = 0
    issues: list[RowIssue] = field(default_factory=list)
    written: int = 0  # rows written (0 after a dry run or an all-or-nothing run with bad rows)
    file_error: str = ""  # the file could not be read at all: nothing else applies
    write_error: str = (
        ""  # the write failed (e.g. a concurrent insert): rolled back, nothing written
    )
    update_existing: bool = False  # update mode (people): registered people in scope are updated
    changes: list[FieldChange] = field(default_factory=list)
    updated: int = 0  # of `written`, people updated (the rest were created)

    @property
    def update_rows(self) -> int:
        """Rows that change a registered person."""
        return len({c.row for c in self.changes})

    @property
    def errors(self) -> list[RowIssue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[RowIssue]:
        return [i for i in self.issues if i.severity == "warning"]

    @property
    def rejected_rows(self) -> list[int]:
        return sorted({i.row for i in self.issues if i.severity == "error"})

    @property
    def good_rows(self) -> int:
        return self.total_rows - len(self.rejected_rows)

    @property
    def exit_code(self) -> int:
        if self.file_error:
            return EXIT_UNREADABLE
        if self.rejected_rows or self.write_error:
            return EXIT_REJECTED
        return EXIT_OK

    @property
    def outcome(self) -> str:
        if self.file_error:
            return f"文件无法读取：{self.file_error}"
        if self.write_error:
            return f"写入失败，已全部回滚：{self.write_error}"
        rejected = len(self.rejected_rows)
        if self.dry_run:
            updates = f"（其中更新已有人员{self.update_rows}人）" if self.update_rows else ""
            return f"试运行：{self.good_rows}行可导入{updates}，{rejected}行有错误，未写入任何数据"
        if rejected and not self.skip_bad:
            return f"{rejected}行有错误，按“全部或全不”规则未导入任何数据（可用 --skip-bad 只导入正确行）"
        updated = f"（其中更新已有人员{self.updated}人）" if self.updated else ""
        if rejected:
            return f"已导入{self.written}行{updated}，跳过{rejected}行错误行"
        return f"已导入{self.written}行{updated}"

    def summary(self) -> str:
        lines = [
            f"{self.filename or '（上传文件）'}：共{self.total_rows}行，"
            f"错误{len(self.rejected_rows)}行，警告{len(self.warnings)}条",
            *(str(issue) for issue in self.issues),
            self.outcome,
        ]
        return "\n".join(lines)

    def to_xlsx(self) -> bytes:
        """The report as a workbook: a summary sheet and one line per problem (row, column, masked
        value, reason, severity), for download from the upload page or `--errors-xlsx`."""
        from jineng.core.xlsx import Sheet, workbook_bytes

        kind = {"people": "人员", "organisations": "机构", "facts": "档案事实", "courses": "课程"}[
            self.kind
        ]
        summary = [
            ("文件", self.filename),
            ("导入类型", kind),
            ("试运行", "是" if self.dry_run else "否"),
            ("数据行数", self.total_rows),
            ("错误行数", len(self.rejected_rows)),
            ("警告条数", len(self.warnings)),
            ("已写入行数", self.written),
            ("结论", self.outcome),
        ]
        details = [
            (issue.row, issue.column, issue.value, issue.reason, SEVERITY_LABEL[issue.severity])
            for issue in self.issues
        ]
        sheets = [
            Sheet("导入结果", ["项目", "内容"], summary),
            Sheet("问题明细", ["行号", "列", "值（已脱敏）", "原因", "级别"], details),
        ]
        if self.changes:
            sheets.append(
                Sheet(
                    "变更明细",
                    ["行号", "人员", "项目", "原值（已脱敏）", "新值（已脱敏）"],
                    [(c.row, c.person, c.field, c.old, c.new) for c in self.changes],
                )
            )
        return workbook_bytes(sheets)

    def as_dict(self) -> dict[str, object]:
        """JSON-friendly form (Celery task results, the API)."""
        return {
            "kind": self.kind,
            "filename": self.filename,
            "dry_run": self.dry_run,
            "skip_bad": self.skip_bad,
            "total_rows": self.total_rows,
            "rejected_rows": self.rejected_rows,
            "written": self.written,
            "file_error": self.file_error,
            "write_error": self.write_error,
            "update_existing": self.update_existing,
            "updated": self.updated,
            "changes": [
                {"row": c.row, "person": c.person, "field": c.field, "old": c.old, "new": c.new}
                for c in self.changes
            ],
            "exit_code": self.exit_code,
            "outcome": self.outcome,
            "issues": [
                {
                    "row": i.row,
                    "column": i.column,
                    "value": i.value,
                    "reason": i.reason,
                    "severity": i.severity,
                }
                for i in self.issues
            ],
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> ImportReport:
        """The inverse of `as_dict()` (the derived fields are recomputed)."""
        issues = data["issues"]
        assert isinstance(issues, list)
        changes = data.get("changes") or []
        assert isinstance(changes, list)
        return cls(
            kind=data["kind"],  # type: ignore[arg-type]
            filename=str(data["filename"]),
            dry_run=bool(data["dry_run"]),
            skip_bad=bool(data["skip_bad"]),
            total_rows=int(data["total_rows"]),  # type: ignore[call-overload]
            issues=[RowIssue(**issue) for issue in issues],
            written=int(data["written"]),  # type: ignore[call-overload]
            file_error=str(data["file_error"]),
            write_error=str(data["write_error"]),
            update_existing=bool(data.get("update_existing", False)),
            changes=[FieldChange(**change) for change in changes],
            updated=int(data.get("updated", 0)),  # type: ignore[call-overload]
        )
