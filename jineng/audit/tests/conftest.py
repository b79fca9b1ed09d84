from jineng.web.tests.world import world  # noqa: F401  (the two-sided fixture)
