import datetime as dt

import pytest

from jineng.dossier.retirement import is_retired, retirement_date


@pytest.mark.parametrize(
    ("birth", "sex", "expected"),
    [
        (dt.date(1964, 12, 1), "M", dt.date(2024, 12, 1)),  # before the reform: 60
        (dt.date(1965, 1, 10), "M", dt.date(2025, 2, 10)),  # first month of the reform: +1
        (dt.date(1965, 5, 10), "M", dt.date(2025, 7, 10)),  # +2 from May 1965
        (dt.date(1976, 9, 1), "M", dt.date(2039, 9, 1)),  # capped at 63
        (dt.date(1974, 12, 10), "F", dt.date(2024, 12, 10)),  # women workers: 50
        (dt.date(1975, 3, 5), "F", dt.date(2025, 5, 5)),  # +1 per two months: +2
        (dt.date(1984, 12, 1), "F", dt.date(2039, 12, 1)),  # capped at 55
        (dt.date(1980, 2, 29), "F", dt.date(2032, 9, 28)),  # 50 on 28 Feb 2030, +31 months
    ],
)
def test_statutory_retirement_date(birth: dt.date, sex: str, expected: dt.date) -> None:
    assert retirement_date(birth, sex) == expected


def test_retired_is_judged_on_the_given_day() -> None:
    born = dt.date(1964, 12, 1)
    assert is_retired(born, "M", dt.date(2024, 11, 30)) is False
    assert is_retired(born, "M", dt.date(2024, 12, 1)) is True
    assert is_retired(None, "M", dt.date(2024, 12, 1)) is False
