"""The SMS provider interface. The default records what it would send (`SmsRecord`, the phone
masked); a deployment names another class in `CLAIMS_SMS_PROVIDER`. No real SMS is sent here."""

from __future__ import annotations

from functools import cache
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from jineng.claims.models import SmsRecord
from jineng.identity.models import Person


class SmsProvider(Protocol):
    def send(self, *, person: Person, text: str) -> None: ...


class RecordingSmsProvider:
    """Records each message instead of sending it."""

    def send(self, *, person: Person, text: str) -> None:
        if not person.phone:
            return
        SmsRecord.objects.create(person=person, phone_masked=person.masked_phone, text=text)


@cache
def _provider_class(path: str) -> type[SmsProvider]:
    cls: type[SmsProvider] = import_string(path)
    return cls


def sms_provider() -> SmsProvider:
    return _provider_class(settings.CLAIMS_SMS_PROVIDER)()
