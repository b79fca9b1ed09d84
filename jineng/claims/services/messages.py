"""The in-app inbox and the SMS beside it."""

from __future__ import annotations

from django.db import transaction

from jineng.claims.models import Claim, Message
from jineng.claims.sms import sms_provider
from jineng.identity.models import Person
from jineng.organisations.models import Organisation


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
            text = f"【技能人才服务】{title}：{body}"
            transaction.on_commit(lambda: sms_provider().send(person=person, text=text))
        return message
    return Message.objects.create(organisation=to, claim=claim, title=title, body=body)
