"""Who may use the policy pages and read simulation runs (on the `Scope` of
`jineng.identity.access`): explaining is for bureau officers, auditors and system administrators
within their scope (and a worker for themself, in the explanation selectors); starting a
simulation is for the bureau and the system administrator; a run is read by whoever may read runs
in its region.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from jineng.identity.access import scope_of
from jineng.identity.models import BUREAU_ROLES, Role, User
from jineng.policy.models import SimulationRun

# Who may explain any subject in their scope, and read simulation runs.
EXPLAIN_ROLES = frozenset(BUREAU_ROLES | {Role.AUDITOR, Role.SYSADMIN})
# Who may start a simulation: the bureau (the auditor reads only) and the system administrator.
SIMULATE_ROLES = frozenset(BUREAU_ROLES | {Role.SYSADMIN})

# --- simulation runs --------------------------------------------------------------------------


def simulation_runs_visible_to(user: User) -> QuerySet[SimulationRun]:
    """Runs whose region lies within the user's region scope (all, for a global scope), for
    bureau staff, auditors and administrators; nothing for anyone else."""
    scope = scope_of(user)
    runs = SimulationRun.objects.select_related("created_by")
    if scope.is_global:
        return runs.all()
    if not scope.has_role(*EXPLAIN_ROLES) or not scope.region_prefixes:
        return runs.none()
    q = Q()
    for prefix in scope.region_prefixes:
        q |= Q(region__startswith=prefix)
    return runs.filter(q)


def access_simulation_run_by_id(user: User, run_id: int | str) -> SimulationRun:
    try:
        pk = int(str(run_id))
    except ValueError:
        raise Http404 from None
    run = simulation_runs_visible_to(user).filter(pk=pk).first()
    if run is None:
        raise Http404("测算不存在或不在您的查看范围内")
    # A run whose worker died shows as failed, not as running forever (one time limit for every
    # job: jineng.core.jobs.JOB_TIME_LIMIT). Imported here: the services import this module.
    from jineng.policy.services import LIFECYCLE, STALE_RUN_MESSAGE

    LIFECYCLE.fail_if_stale(run, STALE_RUN_MESSAGE)
    return run


def can_start_simulation(user: User) -> bool:
    scope = scope_of(user)
    return scope.is_global or (scope.has_role(*SIMULATE_ROLES) and not scope.read_only)
