"""The in-app inbox and the SMS beside it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction

from jineng.claims.models import Claim, Message
from jineng.claims.sms import sms_provider
from jineng.identity.models import Person
from jineng.organisations.models import Organisation


def _sms_text(title: str, body: str) -> str:
    return f"【技能人才服务】{title}：{body}"


@transaction.atomic
def message_send(
    *,
    to: Person | Organisation,
    title: str,
    body: str,
    claim: Claim | None = None,
    sms: bool = True,
) -> Message:
    """An inbox message to a person or an organisation; a person also gets it by SMS (through the
    configured provider: by default recorded, never sent). Not audited: the message is its own
    record and carries no decision."""
    if isinstance(to, Person):
        message = Message.objects.create(person=to, claim=claim, title=title, body=body)
        if sms:
            person = to
            text = _sms_text(title, body)
            transaction.on_commit(lambda: sms_provider().send(person=person, text=text))
        return message
    return Message.objects.create(organisation=to, claim=claim, title=title, body=body)


@dataclass(frozen=True)
class Notice:
    """One message of `messages_send`."""

    to: Person | Organisation
    title: str
    body: str
    claim: Claim | None = None


@transaction.atomic
def messages_send(notices: Sequence[Notice]) -> None:
    """`message_send` (with its SMS) for many at once: one INSERT, and the SMS after commit."""
    Message.objects.bulk_create(
        [
            Message(
                person=n.to if isinstance(n.to, Person) else None,
                organisation=n.to if isinstance(n.to, Organisation) else None,
                claim=n.claim,
                title=n.title,
                body=n.body,
            )
            for n in notices
        ],
        batch_size=1000,
    )
    texts = [(n.to, _sms_text(n.title, n.body)) for n in notices if isinstance(n.to, Person)]
    if texts:

        def send() -> None:
            provider = sms_provider()
            for person, text in texts:
                provider.send(person=person, text=text)

        transaction.on_commit(send)
