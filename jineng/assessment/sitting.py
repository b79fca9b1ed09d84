"""What the exam page shows (issue 9 §4): the paper as the candidate sees it — items in their
drawn order, options in their shuffled order — with the answers saved so far and the time left,
so a reload or another device resumes exactly where the server is."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from jineng.assessment.models import Answer, Attempt, AttemptStatus, ItemKind
from jineng.assessment.services.exam import remaining_seconds


@dataclass(frozen=True)
class ShownItem:
    entry_id: int
    number: int  # 1.. over the whole paper
    section: str
    kind: str
    kind_label: str
    stem: str
    options: list[str]  # as displayed
    blank_values: list[str]  # fill-in: the saved text of each blank
    points: str
    response: Any
    seq: int


@dataclass(frozen=True)
class Sitting:
    attempt: Attempt
    status: str
    status_label: str
    remaining_seconds: int
    deadline: dt.datetime | None
    items: list[ShownItem]


def _blanks(key: Any, response: Any) -> list[str]:
    given = response if isinstance(response, list) else []
    return [str(given[i]) if i < len(given) else "" for i in range(len(key or []))]


def sitting_of(*, attempt: Attempt, at: dt.datetime | None = None) -> Sitting:
    items: list[ShownItem] = []
    if attempt.paper_id is not None and attempt.status == AttemptStatus.STARTED:
        saved = {a.entry_id: (a.response, a.seq) for a in Answer.objects.filter(attempt=attempt)}
        entries = attempt.paper.entries.select_related("item", "section").order_by(  # type: ignore[union-attr]
            "section__position", "position"
        )
        for number, entry in enumerate(entries, start=1):
            item = entry.item
            response, seq = saved.get(entry.pk, (None, 0))
            items.append(
                ShownItem(
                    entry_id=entry.pk,
                    number=number,
                    section=entry.section.title,
                    kind=item.kind,
                    kind_label=item.get_kind_display(),
                    stem=item.stem,
                    options=[item.options[i] for i in entry.option_order],
                    blank_values=_blanks(item.answer, response)
                    if item.kind == ItemKind.FILL_IN
                    else [],
                    points=f"{entry.points.normalize():f}",
                    response=response,
                    seq=seq,
                )
            )
    return Sitting(
        attempt=attempt,
        status=attempt.status,
        status_label=attempt.get_status_display(),
        remaining_seconds=remaining_seconds(attempt, at),
        deadline=attempt.deadline,
        items=items,
    )
