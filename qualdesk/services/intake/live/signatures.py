"""Checking a sender's signature over the RAW body bytes, in constant time.

Never over re-encoded JSON: Mautic's PHP writes ``/`` as ``\\/`` and ``é`` as ``\\u00e9``,
so parsing and re-encoding would change the bytes the sender signed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

MAX_SKEW_S = 300


class BadSignature(Exception):
    """Why a signature was refused (never contains the secret)."""


def mautic_signature(secret: bytes, body: bytes) -> str:
    """Mautic's ``Webhook-Signature``: base64 of HMAC-SHA256 over the raw body."""
    return base64.b64encode(hmac.new(secret, body, hashlib.sha256).digest()).decode()


def check_mautic(secret: bytes, body: bytes, header: str | None) -> None:
    if not header:
        raise BadSignature("no Webhook-Signature header")
    if not hmac.compare_digest(mautic_signature(secret, body).encode(), header.strip().encode()):
        raise BadSignature("Webhook-Signature does not match the body and the source's secret")


def qualdesk_signature(secret: bytes, body: bytes, t: int) -> str:
    """Our ``X-QualDesk-Signature`` value: ``t=UNIX,v1=HEX`` with HEX the hex HMAC-SHA256
    over ``"{t}."`` followed by the raw body."""
    mac = hmac.new(secret, f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def check_qualdesk(secret: bytes, body: bytes, header: str | None, now: float) -> None:
    if not header:
        raise BadSignature("no X-QualDesk-Signature header")
    parts: dict[str, list[str]] = {}
    for item in header.split(","):
        k, sep, v = item.strip().partition("=")
        if sep:
            parts.setdefault(k.strip(), []).append(v.strip())
    if "t" not in parts or "v1" not in parts:
        raise BadSignature("X-QualDesk-Signature needs t=UNIX,v1=HEX")
    try:
        t = int(parts["t"][0])
    except ValueError:
        raise BadSignature("X-QualDesk-Signature: t is not a UNIX time") from None
    if abs(now - t) > MAX_SKEW_S:
        raise BadSignature(f"X-QualDesk-Signature: t is {int(now - t)} s from the receiver's "
                           f"clock (at most {MAX_SKEW_S} s): check the sender's clock")
    want = hmac.new(secret, f"{t}.".encode() + body, hashlib.sha256).hexdigest().encode()
    # Any of the v1 values may match (a sender rolling its secret sends two).
    ok = False
    for v in parts["v1"]:
        ok |= hmac.compare_digest(want, v.lower().encode())
    if not ok:
        raise BadSignature("X-QualDesk-Signature does not match the body and the source's secret")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
