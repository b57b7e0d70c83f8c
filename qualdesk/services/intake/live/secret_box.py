"""Intake secrets at rest: AES-256-GCM under a key kept in ``intake_keys``.

The receiver must recompute each sender's HMAC, so a secret cannot be stored as a
one-way hash; it is encrypted instead. The key lives in its own table, which a rep's or
a sales login may not SELECT (``pg_roles``): they can list sources but never read a
secret. Team leads and admins (who create and rotate secrets) and the receiver's group
can. The stored text is ``v1:`` + base64(nonce | ciphertext+tag); the source's name is
the associated data, so a ciphertext copied onto another source does not decrypt.
"""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import select
from sqlalchemy.orm import Session

from qualdesk import clock
from qualdesk.db.models import IntakeKey
from qualdesk.errors import KnownError

_PREFIX = "v1:"


class SecretUnreadable(KnownError):
    """The stored secret does not decrypt (wrong key, tampered row)."""


def current_key(s: Session) -> IntakeKey:
    """The newest key, made on first use."""
    key = s.scalar(select(IntakeKey).order_by(IntakeKey.id.desc()).limit(1))
    if key is None:
        key = IntakeKey(key=base64.b64encode(AESGCM.generate_key(bit_length=256)).decode(),
                        created_at=clock.now())
        s.add(key)
        s.flush()
    return key


def seal(key: IntakeKey, source_name: str, secret: str) -> str:
    nonce = os.urandom(12)
    box = AESGCM(base64.b64decode(key.key)).encrypt(nonce, secret.encode(), source_name.encode())
    return _PREFIX + base64.b64encode(nonce + box).decode()


def open_secret(raw_key: str, source_name: str, sealed: str) -> bytes:
    if not sealed.startswith(_PREFIX):
        raise SecretUnreadable(f"source {source_name}: its stored secret is in an unknown form; "
                               "rotate it")
    data = base64.b64decode(sealed[len(_PREFIX):])
    try:
        return AESGCM(base64.b64decode(raw_key)).decrypt(data[:12], data[12:],
                                                         source_name.encode())
    except InvalidTag:
        raise SecretUnreadable(f"source {source_name}: its stored secret does not decrypt; "
                               "rotate it") from None
