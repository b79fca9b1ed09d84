"""Money: integer fen end to end.

Policy files write yuan (an integer, or a decimal string with at most two decimals); the engine
holds integer fen. Percentages are the only arithmetic that can produce fractions of a fen; they are
computed exactly (Decimal, or integer numerator/denominator in the vectorised path) and rounded
ROUND_HALF_UP to the fen. No float anywhere.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

FEN_PER_YUAN = 100
_YUAN = re.compile(r"^\d{1,13}(\.\d{1,2})?$")
_NUMBER = re.compile(r"^\d{1,9}(\.\d{1,6})?$")


def yuan_to_fen(value: object) -> int:
    """`200000` or `"1234.56"` (yuan) → fen. Raises ValueError naming the bad value."""
    if isinstance(value, bool):
        raise ValueError(f"money must be yuan as an integer or decimal string, not {value!r}")
    if isinstance(value, int):
        if value < 0:
            raise ValueError(f"money must not be negative: {value}")
        return value * FEN_PER_YUAN
    if isinstance(value, str) and _YUAN.match(value):
        return int(Decimal(value) * FEN_PER_YUAN)
    if isinstance(value, float):
        raise ValueError(
            f"money {value!r} is a float: write yuan as an integer (5000) or a quoted decimal "
            '("1234.56")'
        )
    raise ValueError(f"money must be yuan as an integer or decimal string, not {value!r}")


def to_decimal(value: object) -> Decimal:
    """A percent or ratio from a policy file or override: int, decimal string, or a YAML float
    literal (converted through its shortest repr, i.e. exactly as written)."""
    if isinstance(value, bool):
        raise ValueError(f"expected a number, not {value!r}")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        value = repr(value)
    if isinstance(value, str) and _NUMBER.match(value):
        return Decimal(value)
    raise ValueError(f"expected a non-negative number, not {value!r}")


def apply_percent(fen: int, percent: Decimal) -> int:
    """fen × percent / 100, ROUND_HALF_UP to the fen."""
    return int((Decimal(fen) * percent / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def apply_ratio(fen: int, ratio: Decimal) -> int:
    """fen × ratio, ROUND_HALF_UP to the fen."""
    return int((Decimal(fen) * ratio).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def fraction(value: Decimal) -> tuple[int, int]:
    """An exact (numerator, denominator) for the vectorised integer path."""
    num, den = value.as_integer_ratio()
    return num, den


def format_yuan(fen: int) -> str:
    """5000000000 → '¥50,000,000.00'."""
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), FEN_PER_YUAN)
    return f"{sign}¥{yuan:,}.{cents:02d}"
