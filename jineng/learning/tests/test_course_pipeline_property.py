"""Property test of the review pipeline as a state machine: whatever anyone attempts, a course
only ever moves along a declared edge by a party declared for it, and the history is a chain."""

from __future__ import annotations

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from jineng.core.errors import DomainError
from jineng.identity.models import User
from jineng.learning.models import Course, CourseStatus, CourseStatusChange
from jineng.learning.services import course_transition
from jineng.learning.states import Party, transition_for
from jineng.organisations.models import Organisation

from .conftest import build_course

pytestmark = pytest.mark.django_db

attempts = st.lists(
    st.tuples(
        st.sampled_from(["staff", "reviewer", "worker"]),
        st.sampled_from(list(CourseStatus)),
        st.sampled_from(["", "理由"]),
    ),
    max_size=12,
)


@hsettings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=attempts)
def test_only_declared_steps_by_declared_parties_happen(
    provider: Organisation,
    staff: User,
    reviewer: User,
    worker: User,
    plan: list[tuple[str, CourseStatus, str]],
) -> None:
    actors = {"staff": staff, "reviewer": reviewer, "worker": worker}
    parties = {"staff": {Party.PROVIDER}, "reviewer": {Party.BUREAU}, "worker": set()}
    with transaction.atomic():
        course = build_course(provider=provider, publish=False)
        status = CourseStatus.DRAFT
        for who, target, reason in plan:
            step = transition_for(status, target)
            allowed = (
                step is not None
                and bool(parties[who] & step.parties)
                and (bool(reason) or not step.reason_required)
            )
            try:
                course_transition(actor=actors[who], course=course, to=target, reason=reason)
            except DomainError:
                assert not allowed
            else:
                assert allowed
                status = target
            assert Course.objects.get(pk=course.pk).status == status
        history = list(
            CourseStatusChange.objects.filter(course=course).values_list("from_status", "to_status")
        )
        previous: str = CourseStatus.DRAFT.value
        for was, became in history:
            assert was == previous
            assert transition_for(was, became) is not None
            previous = became
        assert previous == status
        transaction.set_rollback(True)
