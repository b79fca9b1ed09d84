"""Property test of the class pipeline as a state machine: whatever anyone attempts, a class only
moves along a step declared for a class like it (subsidised or not), by a party declared for the
step, with a reason where one is required; the history is a chain of declared steps."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from jineng.core.errors import DomainError
from jineng.identity.models import User
from jineng.learning.class_states import CLASS_STEPS, step_for
from jineng.learning.models import ClassStatus, ClassStatusChange, Course, TrainingClass
from jineng.learning.services.classes import class_enrol, class_transition
from jineng.learning.states import Party
from jineng.learning.tests.class_helpers import assign, local, make_class, make_teacher, young
from jineng.organisations.models import Organisation

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 6, 1)
BEFORE = local(dt.date(2026, 5, 1), 10)  # ≥ 10 working days before the first session
AFTER = local(dt.date(2026, 6, 3), 10)  # after the last session

attempts = st.lists(
    st.tuples(
        st.sampled_from(["staff", "reviewer", "worker"]),
        st.sampled_from(list(ClassStatus)),
        st.sampled_from(["", "理由"]),
    ),
    max_size=10,
)


@hsettings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(subsidised=st.booleans(), plan=attempts)
def test_only_declared_steps_by_declared_parties_happen(
    make_course: Callable[..., Course],
    provider: Organisation,
    staff: User,
    reviewer: User,
    worker: User,
    subsidised: bool,
    plan: list[tuple[str, ClassStatus, str]],
) -> None:
    actors = {"staff": staff, "reviewer": reviewer, "worker": worker}
    parties = {"staff": {Party.PROVIDER}, "reviewer": {Party.BUREAU}, "worker": set()}
    with transaction.atomic():
        klass = make_class(make_course(), days=[DAY, DAY + dt.timedelta(1)], subsidised=subsidised)
        assign(klass, make_teacher(provider))
        class_enrol(actor=None, klass=klass, person=young())
        for who, target, reason in plan:
            klass = TrainingClass.objects.get(pk=klass.pk)
            step = step_for(klass, target)
            allowed = (
                step is not None
                and bool(parties[who] & step.parties)
                and (bool(reason) or not step.reason_required)
            )
            at = AFTER if target == ClassStatus.COMPLETED else BEFORE
            before = klass.status
            try:
                class_transition(actor=actors[who], klass=klass, to=target, reason=reason, at=at)
            except DomainError:
                assert not allowed
                assert TrainingClass.objects.get(pk=klass.pk).status == before
            else:
                assert allowed
                assert TrainingClass.objects.get(pk=klass.pk).status == target
        history = list(
            ClassStatusChange.objects.filter(klass=klass)
            .order_by("id")
            .values_list("from_status", "to_status")
        )
        previous: str = ClassStatus.PLANNED.value
        for was, became in history:
            assert was == previous
            assert any(
                s.source == was
                and s.target == became
                and (s.subsidised is None or s.subsidised == subsidised)
                for s in CLASS_STEPS
            )
            previous = became
        assert previous == TrainingClass.objects.get(pk=klass.pk).status
        transaction.set_rollback(True)
