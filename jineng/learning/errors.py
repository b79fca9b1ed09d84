"""Refusals of the learning services; each names the field and says why in Chinese. All are
`jineng.core.errors.DomainError`s, so the API and the forms map them without knowing them."""

from __future__ import annotations

from jineng.core.errors import DomainError, Forbidden
from jineng.core.states import TransitionRefused


class CourseInvalid(DomainError):
    """Bad input for a course, chapter or lesson (400)."""


class LearningForbidden(Forbidden):
    """The actor may not do this to this course or stream (403)."""


class HeartbeatInvalid(DomainError):
    """A heartbeat that does not belong to its stream, or a malformed position (400)."""


__all__ = [
    "CourseInvalid",
    "HeartbeatInvalid",
    "LearningForbidden",
    "TransitionRefused",  # jineng.core.states': a step the pipeline does not list (409)
]


class ClassInvalid(DomainError):
    """Bad input for a class, session, teacher or enrolment, or a check that refuses it (400)."""


class ClassConflict(DomainError):
    """A class rule that refuses the request given what is stored: overlap, capacity, the
    part-time teacher limit (409)."""

    status = 409


class CheckInRefused(DomainError):
    """A check-in refused, `field` naming why (expired, replayed, place, face, …) (422)."""

    status = 422
