"""The VAPID key pair (RFC 8292) that identifies this server to browsers' push services.

``VAPID_PRIVATE_KEY`` accepts either form ``rongmei push_keys`` prints:

* a PEM private key (``-----BEGIN PRIVATE KEY-----`` …, PKCS#8 or SEC1; newlines may be
  written as ``\\n`` in an environment file), or
* the raw 32-byte P-256 private scalar, base64url without padding (43 characters).

Production must set it (without it the API answers 503 and ``broadcast`` refuses): every browser subscription is bound
to the public key, so changing the key silently orphans every subscriber. Development and
tests generate one key once and keep it in ``DATA_DIR/vapid_private.pem``.
"""

from __future__ import annotations

import base64
import os
import tempfile
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from py_vapid import Vapid02

KEY_FILE_NAME = "vapid_private.pem"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decode base64url with or without padding; raises ValueError on anything else."""
    text = text.strip()
    if not text or any(c not in _B64URL for c in text):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


_B64URL = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=")


def generate_private_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def private_pem(key: ec.EllipticCurvePrivateKey) -> str:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode("ascii")


def private_raw_b64url(key: ec.EllipticCurvePrivateKey) -> str:
    return b64url(key.private_numbers().private_value.to_bytes(32, "big"))


def public_key_b64url(key: ec.EllipticCurvePrivateKey) -> str:
    """The application server key browsers pass to ``pushManager.subscribe``: the
    uncompressed P-256 point (65 bytes), base64url."""
    return b64url(key.public_key().public_bytes(serialization.Encoding.X962,
                                                serialization.PublicFormat.UncompressedPoint))


def parse_private_key(value: str) -> ec.EllipticCurvePrivateKey:
    """A P-256 private key from PEM or base64url raw; ImproperlyConfigured if it is neither."""
    value = value.strip().replace("\\n", "\n")
    try:
        if value.startswith("-----BEGIN"):
            key = serialization.load_pem_private_key(value.encode("ascii"), password=None)
        else:
            raw = b64url_decode(value)
            if len(raw) != 32:
                raise ValueError("a raw P-256 private key is 32 bytes")
            key = ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(
            "VAPID_PRIVATE_KEY must be a PEM private key or a base64url raw P-256 key "
            f"(run `rongmei push_keys` for a new one): {exc}") from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
        raise ImproperlyConfigured("VAPID_PRIVATE_KEY must be a P-256 (prime256v1) key")
    return key


def _local_key_file() -> Path:
    return Path(settings.DATA_DIR) / KEY_FILE_NAME


def _load_or_create_local_key() -> ec.EllipticCurvePrivateKey:
    """Read DATA_DIR/vapid_private.pem, creating it first if missing. Safe when several
    processes (xdist workers, gunicorn workers) start at once: the key is written to a
    temporary file and hard-linked into place, so exactly one key ever wins."""
    path = _local_key_file()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".vapid-")
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(private_pem(generate_private_key()))
            os.chmod(tmp, 0o600)
            try:
                os.link(tmp, path)
            except FileExistsError:
                pass  # another process won: use its key
        finally:
            os.unlink(tmp)
    return parse_private_key(path.read_text())


@lru_cache(maxsize=4)
def _server_key(configured: str, data_dir: str) -> ec.EllipticCurvePrivateKey:
    if configured:
        return parse_private_key(configured)
    if settings.PRODUCTION:
        raise ImproperlyConfigured("VAPID_PRIVATE_KEY must be set in production "
                                   "(run `rongmei push_keys` for a new pair)")
    return _load_or_create_local_key()


def server_private_key() -> ec.EllipticCurvePrivateKey:
    return _server_key(settings.VAPID_PRIVATE_KEY or "", str(settings.DATA_DIR))


def require_server_key() -> ec.EllipticCurvePrivateKey:
    """The server key, or a 503 ServiceError in Chinese when it is not configured."""
    from rongmei.core.errors import ServiceError

    try:
        return server_private_key()
    except ImproperlyConfigured:
        raise ServiceError("push_unavailable", "推送服务尚未配置（缺少 VAPID 密钥），请联系管理员",
                           status=503) from None


def server_vapid() -> Vapid02:
    """A py-vapid signer (RFC 8292 ``vapid t=…, k=…`` scheme) for the server key."""
    return Vapid02(private_key=server_private_key())


def application_server_key() -> str:
    return public_key_b64url(require_server_key())
