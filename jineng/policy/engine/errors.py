"""Errors raised by the policy engine; each names where the bad input is."""

from __future__ import annotations


class PolicyError(Exception):
    """A policy file (or an override) is invalid: names the file, item id and field."""

    def __init__(
        self, message: str, *, file: str | None = None, item: str | None = None, field: str = ""
    ) -> None:
        self.file = file
        self.item = item
        self.field = field
        self.message = message
        where = [p for p in (file, f"item {item}" if item else None, field or None) if p]
        super().__init__(f"{': '.join(where)}: {message}" if where else message)


class FactsError(Exception):
    """A facts document (one subject and its facts) is invalid: names the subject, fact and field."""

    def __init__(
        self, message: str, *, subject: str | None = None, fact: str | None = None
    ) -> None:
        self.subject = subject
        self.fact = fact
        where = [
            p
            for p in (f"subject {subject}" if subject else None, f"fact {fact}" if fact else None)
            if p
        ]
        super().__init__(f"{': '.join(where)}: {message}" if where else message)
