"""Learning: the course catalogue and its review pipeline, Chinese search, and learning time the
server verifies (issue 8 §1, §2). Pages and API live in jineng.web / jineng.api, never here."""
