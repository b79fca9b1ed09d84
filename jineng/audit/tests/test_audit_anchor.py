"""Anchors: the heads signed (Ed25519) into a file; `verify --against FILE` catches an insider who
holds the chain key and truncates or rewrites the trail after the anchor."""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import CommandError, call_command
from django.test import override_settings

from jineng.audit.anchor import AnchorInvalid, audit_anchor, audit_verify_against, read_anchor
from jineng.audit.keys import AuditKeyMissing, anchor_signing_key, current_chain_key
from jineng.audit.models import AuditAnchor, AuditEntry, AuditVerificationRun
from jineng.audit.services import audit_record, audit_verify
from jineng.audit.tasks import audit_anchor as audit_anchor_task
from jineng.audit.tests.attacks import rewrite_from, truncate

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def var_dir(tmp_path: Path) -> Iterator[Path]:
    """A VAR_DIR of the test's own, so the development anchor key is generated there."""
    with override_settings(VAR_DIR=tmp_path, AUDIT_ANCHOR_KEY=""):
        yield tmp_path


def _chain(n: int = 5) -> list[AuditEntry]:
    return [
        audit_record(actor=None, action="update", object_type="person", object_id=i)
        for i in range(1, n + 1)
    ]


def _pem(key: Ed25519PrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def test_anchor_writes_the_signed_heads_and_records_them(var_dir: Path) -> None:
    _chain(3)
    anchor, path = audit_anchor()
    document = json.loads(path.read_text())
    assert path.parent == var_dir / "audit" / "anchors"
    assert document["payload"]["length"] == 3 == anchor.length
    assert sum(h["length"] for h in document["payload"]["heads"]) == 3
    assert AuditAnchor.objects.get().file_name == path.name
    # the development key was generated under VAR_DIR, readable by its owner only
    key_file = var_dir / "audit" / "anchor-ed25519.pem"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert read_anchor(path)["length"] == 3


def test_verify_against_an_anchor_passes_and_is_recorded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _chain(3)
    out = tmp_path / "a.json"
    call_command("audit", "anchor", "--out", str(out))
    _chain(2)  # appended after the anchor: fine
    call_command("audit", "verify", "--against", str(out))
    assert "审计链完整：5 条，与锚点一致" in capsys.readouterr().out
    run = AuditVerificationRun.objects.get()
    assert (run.ok, run.checked, run.against_anchor) == (True, 5, True)


def test_rewriting_after_the_anchor_with_the_key_is_caught_by_the_anchor(tmp_path: Path) -> None:
    chain = _chain()
    _, path = audit_anchor(out=tmp_path / "a.json")
    kid, key = current_chain_key()
    rewrite_from(chain[1], key=key, key_id=kid, after={"education": "postgraduate"})
    assert audit_verify().ok  # the insider's rewrite holds on its own…
    result = audit_verify_against(read_anchor(path))
    assert not result.ok and "改写" in result.reason  # …but not against the anchor
    with pytest.raises(CommandError) as excinfo:
        call_command("audit", "verify", "--against", str(path))
    assert excinfo.value.returncode == 1
    assert AuditVerificationRun.objects.get().ok is False


def test_truncating_after_the_anchor_with_the_key_is_caught_by_the_anchor(tmp_path: Path) -> None:
    chain = _chain()
    _, path = audit_anchor(out=tmp_path / "a.json")
    kid, key = current_chain_key()
    truncate(chain, 3, key=key, key_id=kid)
    assert audit_verify().ok
    result = audit_verify_against(read_anchor(path))
    assert not result.ok and "截断" in result.reason


def test_an_edited_anchor_file_is_refused(tmp_path: Path) -> None:
    _chain(3)
    _, path = audit_anchor(out=tmp_path / "a.json")
    document = json.loads(path.read_text())
    document["payload"]["length"] = 1
    document["payload"]["heads"] = [h | {"length": 0} for h in document["payload"]["heads"]]
    path.write_text(json.dumps(document))
    with pytest.raises(AnchorInvalid, match="签名无效"):
        read_anchor(path)
    with pytest.raises(CommandError, match="审计锚点无效"):
        call_command("audit", "verify", "--against", str(path))


def test_an_anchor_signed_with_another_key_is_refused(tmp_path: Path) -> None:
    _chain(2)
    with override_settings(AUDIT_ANCHOR_KEY=_pem(Ed25519PrivateKey.generate())):
        _, path = audit_anchor(out=tmp_path / "forged.json")
    with pytest.raises(AnchorInvalid, match="不是用本平台的锚点密钥签发的"):
        read_anchor(path)


def test_a_public_key_verifies_but_cannot_sign(tmp_path: Path) -> None:
    _chain(2)
    _, path = audit_anchor(out=tmp_path / "a.json")
    public = (
        anchor_signing_key()
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    key_file = tmp_path / "anchor.pub.pem"
    key_file.write_bytes(public)
    with override_settings(AUDIT_ANCHOR_KEY=str(key_file)):
        assert audit_verify_against(read_anchor(path)).ok
        with pytest.raises(AuditKeyMissing):
            audit_anchor(out=tmp_path / "b.json")


def test_the_celery_task_writes_an_anchor(tmp_path: Path) -> None:
    _chain(2)
    written = Path(audit_anchor_task.delay(out_dir=str(tmp_path / "store")).get())
    assert written.parent == tmp_path / "store"
    assert read_anchor(written)["length"] == 2
