"""Property: any single-field alteration of any row of the chain is detected, at that row."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from jineng.audit.models import AuditEntry
from jineng.audit.services import audit_record, audit_verify
from jineng.audit.tests.tampering import delete_row, tamper
from jineng.identity.models import User

safe_text = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), max_size=20
)
json_scalars = st.none() | st.booleans() | st.integers(-(2**53), 2**53) | safe_text
json_docs = st.none() | st.dictionaries(
    safe_text,
    st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=3), max_leaves=5),
    max_size=4,
)
entries = st.fixed_dictionaries(
    {
        "action": st.sampled_from(["create", "update", "reveal", "grant"]),
        "object_type": st.sampled_from(["person", "organisation", "role"]),
        "object_id": st.integers(1, 10**6),
        "before": json_docs,
        "after": json_docs,
        "reason": safe_text,
    }
)
FIELDS = [
    "at",
    "actor_id",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "before",
    "after",
    "reason",
    "region",
    "chain",
    "seq",
    "key_id",
    "prev_hash",
    "hash",
]


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


class ChainTamperingTests(TestCase):
    @settings(max_examples=60, deadline=None)
    @given(
        rows=st.lists(entries, min_size=1, max_size=5),
        data=st.data(),
    )
    def test_any_single_field_alteration_is_detected(
        self, rows: list[dict[str, Any]], data: st.DataObject
    ) -> None:
        user = User.objects.create_user(username="u", password="correct-horse-battery")
        chain = [audit_record(actor=user, **row) for row in rows]
        victim: AuditEntry = data.draw(st.sampled_from(chain), label="row")
        field = data.draw(st.sampled_from(FIELDS), label="field")
        old = getattr(victim, field)

        if field == "at":
            new: Any = old + dt.timedelta(microseconds=data.draw(st.integers(1, 10**9)))
        elif field == "actor_id":
            new = None
        elif field in ("before", "after"):
            doc = data.draw(json_docs.filter(lambda d: _canonical(d) != _canonical(old)))
            new = None if doc is None else json.dumps(doc)
        elif field == "seq":
            new = old + data.draw(st.integers(len(chain) + 1, 10**6))  # a free position
        elif field == "chain":
            new = data.draw(st.integers(2, 99))  # another chain (every append here took chain 1)
        elif field == "key_id":
            new = data.draw(st.text("0123456789abcdef", min_size=8, max_size=8))
            assume(new != old)
        elif field in ("prev_hash", "hash"):
            # Both columns are unique: an edit colliding with another row is refused outright.
            taken = {e.prev_hash for e in chain} | {e.hash for e in chain}
            new = data.draw(
                st.text("0123456789abcdef", min_size=64, max_size=64).filter(
                    lambda h: h not in taken
                )
            )
        else:
            # Within the column's width: PostgreSQL refuses a longer value before verify can look.
            width = getattr(AuditEntry._meta.get_field(field), "max_length", None) or 20
            new = data.draw(
                st.text(
                    alphabet=st.characters(
                        blacklist_categories=["Cs"], blacklist_characters="\x00"
                    ),
                    max_size=min(width, 20),
                ).filter(lambda t: t != str(old))
            )
        tamper(victim.pk, field, new)

        result = audit_verify()

        assert not result.ok
        if field not in ("chain", "seq"):
            assert result.first_bad_id == victim.pk
        else:
            # A moved entry (another chain, or another position in its chain) is found where the
            # gap opens or where it lands: the entry itself or the one after it.
            assert result.first_bad_id in {e.pk for e in chain}

    @settings(max_examples=40, deadline=None)
    @given(n=st.integers(2, 6), data=st.data())
    def test_any_deletion_or_swap_of_two_rows_is_detected(
        self, n: int, data: st.DataObject
    ) -> None:
        chain = [
            audit_record(actor=None, action="update", object_type="person", object_id=i)
            for i in range(n)
        ]
        i = data.draw(st.integers(0, n - 1), label="first")
        if data.draw(st.booleans(), label="delete"):
            delete_row(chain[i].pk)
        else:
            j = data.draw(st.integers(0, n - 1).filter(lambda j: j != i), label="second")
            a, b = chain[i], chain[j]
            tamper(a.pk, "seq", 10**6)
            tamper(b.pk, "seq", a.seq)
            tamper(a.pk, "seq", b.seq)
        assert not audit_verify().ok
