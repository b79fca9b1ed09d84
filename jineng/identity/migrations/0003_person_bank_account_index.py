"""A blind index of the person's bank account (HMAC, like the ID number's and the phone's), so the
shared- and foreign-account integrity checks compare accounts in SQL without decrypting them.
Existing rows are backfilled: each account is decrypted once here, in chunks."""

from typing import Any

from django.db import migrations, models

CHUNK = 2000


def backfill(apps: Any, schema_editor: Any) -> None:
    from jineng.identity.crypto import blind_index

    person = apps.get_model("identity", "Person")
    rows = person.objects.exclude(bank_account="").only("pk", "bank_account").order_by("pk")
    last = 0
    while True:
        chunk = list(rows.filter(pk__gt=last)[:CHUNK])
        if not chunk:
            return
        for row in chunk:
            row.bank_account_index = blind_index(row.bank_account) if row.bank_account else ""
        person.objects.bulk_update(chunk, ["bank_account_index"])
        last = chunk[-1].pk


class Migration(migrations.Migration):
    dependencies = [("identity", "0002_initial")]

    operations = [
        migrations.AddField(
            model_name="person",
            name="bank_account_index",
            field=models.CharField(blank=True, db_index=True, editable=False, max_length=32),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
