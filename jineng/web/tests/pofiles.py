"""Read the project's gettext catalogues (.po) without a third-party library, for the tests that
keep the English translation complete (test_english.py).

Every catalogue is found under jineng/: the project one (settings.LOCALE_PATHS, jineng/locale)
and the app ones (jineng/web/locale, jineng/api/locale). `jineng makemessages -l en
--ignore=.venv` run from the repository root updates all of them (Makefile `messages`)."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = ROOT / "jineng"

# Placeholders a translation must keep: %(name)s, %s, %d and str.format's {name}.
PLACEHOLDER = re.compile(r"%\([a-z_0-9]+\)[sdif]|%[sdif]|\{[a-z_0-9]*\}")


@dataclass
class Entry:
    msgid: str
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    references: list[str] = field(default_factory=list)
    obsolete: bool = False

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(s.strip() for s in self.msgstr)

    @property
    def where(self) -> str:
        return ", ".join(self.references[:2]) or "(no reference)"


def catalogues(language: str = "en") -> list[Path]:
    return sorted(
        p
        for p in PACKAGE.rglob(f"locale/{language}/LC_MESSAGES/django.po")
        if ".venv" not in p.parts
    )


def _string(line: str) -> str:
    text = ast.literal_eval(line.strip())
    assert isinstance(text, str)
    return text


def read_po(path: Path) -> list[Entry]:
    """The entries of one catalogue, header included (msgid "")."""
    entries: list[Entry] = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
        lines = [ln for ln in block.splitlines() if ln.strip()]
        if not lines:
            continue
        entry = Entry(msgid="")
        current: tuple[str, int] | None = None
        seen_msgid = False
        for raw in lines:
            line = raw
            if line.startswith("#~"):
                entry.obsolete = True
                line = line[2:].strip()
                if not line:
                    continue
            if line.startswith("#,"):
                entry.flags |= {f.strip() for f in line[2:].split(",") if f.strip()}
                continue
            if line.startswith("#:"):
                entry.references += line[2:].split()
                continue
            if line.startswith("#"):
                continue
            keyword, _, rest = line.partition(" ")
            if line.startswith('"') and current is not None:
                name, index = current
                if name == "msgid":
                    entry.msgid += _string(line)
                elif name == "msgid_plural":
                    entry.msgid_plural = (entry.msgid_plural or "") + _string(line)
                elif name == "msgctxt":
                    entry.msgctxt = (entry.msgctxt or "") + _string(line)
                else:
                    entry.msgstr[index] += _string(line)
                continue
            if keyword == "msgctxt":
                entry.msgctxt, current = _string(rest), ("msgctxt", 0)
            elif keyword == "msgid":
                entry.msgid, current, seen_msgid = _string(rest), ("msgid", 0), True
            elif keyword == "msgid_plural":
                entry.msgid_plural, current = _string(rest), ("msgid_plural", 0)
            elif keyword.startswith("msgstr"):
                index = int(keyword[7:-1]) if keyword.startswith("msgstr[") else 0
                while len(entry.msgstr) <= index:
                    entry.msgstr.append("")
                entry.msgstr[index] = _string(rest)
                current = ("msgstr", index)
            else:
                raise ValueError(f"{path}: cannot read line {raw!r}")
        if seen_msgid:
            entries.append(entry)
    return entries


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))
