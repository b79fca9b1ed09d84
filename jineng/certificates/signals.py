"""Signals the certificates app sends to higher layers (it may not import them: the layer order
in docs/architecture.md puts claims above the domains).

`certificate_revoked` (sender `Certificate`; `certificate`, `actor`, `reason`) is sent inside the
revocation's transaction, after the status and the dossier correction are written, so a receiver's
writes (claims flags a subsidy already paid on it for recovery: `jineng/claims/receivers.py`)
commit or roll back with the revocation."""

from __future__ import annotations

from django.dispatch import Signal

certificate_revoked = Signal()
