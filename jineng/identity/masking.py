"""The masks live in `jineng.core.masking` (the audit trail, below identity, uses them too);
identity's name for them is kept for its callers."""

from jineng.core.masking import *  # noqa: F403
from jineng.core.masking import __all__ as __all__
