"""Keyed chains side by side, each entry's region (see jineng/audit/models.py).

Entries written before this migration are numbered on chain 1 in id order and keep their unkeyed
hashes (key_id ""): `jineng audit verify` reports them until `jineng audit rekey` has checked them
under the old scheme and re-signed them with the chain key (a key this migration must not need).
The heads of the new chains are created here, so the first writers do not race to create them.
"""

from django.conf import settings
from django.db import migrations, models

CHAIN_COUNT = 16
GENESIS_HASH = "0" * 64


def number_existing_entries(apps, schema_editor):
    entry = apps.get_model("audit", "AuditEntry")
    head = apps.get_model("audit", "AuditHead")
    pg = schema_editor.connection.vendor == "postgresql"
    if pg:
        # deferred checks queued earlier in the transaction would block the ALTER TABLE
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        schema_editor.execute(
            "ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_append_only"
        )
    batch = []
    for n, pk in enumerate(entry.objects.order_by("id").values_list("id", flat=True).iterator(), 1):
        batch.append(entry(pk=pk, seq=n, chain=1))
        if len(batch) == 2000:
            entry.objects.bulk_update(batch, ["seq", "chain"])
            batch = []
    if batch:
        entry.objects.bulk_update(batch, ["seq", "chain"])
    if pg:
        schema_editor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER audit_entry_append_only")
    existing = set(head.objects.values_list("pk", flat=True))
    has_entries = entry.objects.exists()
    head.objects.bulk_create(
        [
            head(pk=c, last_hash=GENESIS_HASH, length=0)
            for c in range(1, CHAIN_COUNT + 1)
            # a missing head 1 with entries on the chain is tampering for verify to report
            if c not in existing and not (c == 1 and has_entries)
        ]
    )


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0004_append_only_trigger"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditAnchor",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("at", models.DateTimeField(verbose_name="时间")),
                ("length", models.BigIntegerField(verbose_name="记录数")),
                ("heads", models.JSONField(verbose_name="链头")),
                ("public_key", models.CharField(max_length=64, verbose_name="签名公钥")),
                ("signature", models.CharField(max_length=128, verbose_name="签名")),
                (
                    "file_name",
                    models.CharField(blank=True, max_length=255, verbose_name="锚点文件"),
                ),
            ],
            options={
                "verbose_name": "审计锚点",
                "verbose_name_plural": "审计锚点",
                "ordering": ["-at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="AuditVerificationRun",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("at", models.DateTimeField(verbose_name="时间")),
                ("ok", models.BooleanField(verbose_name="完整")),
                ("checked", models.BigIntegerField(verbose_name="已校验条数")),
                (
                    "first_bad_id",
                    models.BigIntegerField(blank=True, null=True, verbose_name="第一条异常记录"),
                ),
                ("reason", models.CharField(blank=True, max_length=200, verbose_name="说明")),
                ("against_anchor", models.BooleanField(default=False, verbose_name="对照锚点")),
                ("anchor_at", models.DateTimeField(blank=True, null=True, verbose_name="锚点时间")),
            ],
            options={
                "verbose_name": "审计链校验",
                "verbose_name_plural": "审计链校验",
                "ordering": ["-at", "-id"],
            },
        ),
        migrations.AddField(
            model_name="auditentry",
            name="chain",
            field=models.PositiveSmallIntegerField(default=1, verbose_name="链"),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="key_id",
            field=models.CharField(blank=True, default="", max_length=8, verbose_name="密钥标识"),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="region",
            field=models.CharField(
                blank=True, db_index=True, default="", max_length=12, verbose_name="所属区域"
            ),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="seq",
            field=models.BigIntegerField(null=True, verbose_name="链上序号"),
        ),
        migrations.AddField(
            model_name="audithead",
            name="key_id",
            field=models.CharField(blank=True, default="", max_length=8),
        ),
        migrations.AddField(
            model_name="audithead",
            name="mac",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="prev_hash",
            field=models.CharField(max_length=64, verbose_name="前一条哈希"),
        ),
        migrations.RunPython(number_existing_entries, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="auditentry",
            name="seq",
            field=models.BigIntegerField(verbose_name="链上序号"),
        ),
        migrations.AddConstraint(
            model_name="auditentry",
            constraint=models.UniqueConstraint(fields=("chain", "seq"), name="audit_chain_seq"),
        ),
        migrations.AddConstraint(
            model_name="auditentry",
            constraint=models.UniqueConstraint(
                fields=("chain", "prev_hash"), name="audit_chain_prev"
            ),
        ),
    ]
