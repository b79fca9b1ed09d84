"""GB/T 2260 region codes as text: pure functions every layer may use (the `Region` table is in
`jineng.reference`)."""

from __future__ import annotations


def region_prefix(code: str) -> str:
    """The significant prefix of a region code: 440000 → 44, 441900 → 4419, 441302 → 441302, and a
    township's 9-digit code is its own prefix (441900003 东城街道)."""
    if len(code) > 6:
        return code
    code = code.ljust(6, "0")
    if code[2:] == "0000":
        return code[:2]
    if code[4:] == "00":
        return code[:4]
    return code
