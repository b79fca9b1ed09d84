"""Property: whatever sequence of captures, decisions and checks happens to one person, the
enrolment pipeline holds — at most one photo awaits review, a decided photo never changes again,
and a check compares with the latest approved photo, or is refused when there is none."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from jineng.core.errors import Conflict
from jineng.faces.errors import NoApprovedEnrolment
from jineng.faces.models import EnrolmentStatus, FaceEnrolment
from jineng.faces.services import (
    face_check,
    face_enrol,
    face_enrolment_approve,
    face_enrolment_reject,
)
from jineng.faces.testing import fake_face_image
from jineng.identity.models import User
from jineng.identity.testing import make_person

pytestmark = pytest.mark.django_db

LABELS = ("甲", "乙", "丙")
steps = st.lists(
    st.one_of(
        st.tuples(st.just("enrol"), st.sampled_from(LABELS)),
        st.tuples(st.sampled_from(["approve", "reject"]), st.integers(0, 5)),
        st.tuples(st.just("check"), st.sampled_from(LABELS)),
    ),
    max_size=12,
)


@hypothesis_settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=steps)
def test_the_pipeline_holds(officer: User, steps: list[tuple[str, object]]) -> None:
    person = make_person(residence_region="441900")
    model: list[list[str]] = []  # [label, status] per enrolment, in order
    approved_order: list[str] = []  # labels in the order they were approved
    for op, arg in steps:
        if op == "enrol":
            pending = any(s == "pending" for _, s in model)
            try:
                face_enrol(actor=None, person=person, image=fake_face_image(str(arg)))
            except Conflict:
                assert pending
            else:
                assert not pending
                model.append([str(arg), "pending"])
        elif op in ("approve", "reject"):
            rows = list(FaceEnrolment.objects.filter(person=person).order_by("pk"))
            if not rows:
                continue
            index = int(str(arg)) % len(rows)
            decide = face_enrolment_approve if op == "approve" else face_enrolment_reject
            try:
                decide(actor=officer, enrolment=rows[index], reason="核对")
            except Conflict:
                assert model[index][1] != "pending"
            else:
                assert model[index][1] == "pending"
                model[index][1] = "approved" if op == "approve" else "rejected"
                if op == "approve":
                    approved_order.append(model[index][0])
        else:
            try:
                check = face_check(
                    person=person, image=fake_face_image(str(arg)), purpose="attendance"
                )
            except NoApprovedEnrolment:
                assert not approved_order
            else:
                assert approved_order
                assert check.matched == (arg == approved_order[-1])
        stored = list(
            FaceEnrolment.objects.filter(person=person)
            .order_by("pk")
            .values_list("status", flat=True)
        )
        assert stored == [s for _, s in model]
        assert stored.count(EnrolmentStatus.PENDING) <= 1
