"""Encryption of personal data at rest and keyed hashes for lookups.

ID-card numbers are stored Fernet-encrypted (AES-128-CBC + HMAC). Where we must find equal
values without decrypting (one real identity, one account) we store an HMAC, never a plain
hash: ID numbers are too few to resist a dictionary attack on an unkeyed hash.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet
from django.conf import settings


def _fernet() -> Fernet:
    key = settings.FIELD_ENCRYPTION_KEY
    if not key:
        digest = hashlib.sha256(("rongmei-field-key:" + settings.SECRET_KEY).encode()).digest()
        key = base64.urlsafe_b64encode(digest).decode()
    return Fernet(key)


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode()


def keyed_hash(value: str, *, purpose: str) -> str:
    key = (purpose + ":" + settings.SECRET_KEY).encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()
