"""Email and registration verifications: an id, a one-time code, and the mail FusionAuth would send."""

from __future__ import annotations

import secrets
from typing import Any

from .. import outbox
from ..clock import now_ms
from ..store import Tx
from .collections import VERIFICATIONS


def verification_id(tx: Tx, kind: str, user: dict[str, Any], application_id: str | None) -> str:
    """The user's open verification of that kind, or a new one (with a one-time code for FormField)."""
    for existing in tx.find(VERIFICATIONS, userId=user["id"], type=kind):
        if existing.get("applicationId") == application_id:
            return str(existing["id"])
    record = {
        "id": secrets.token_urlsafe(32),
        "type": kind,
        "userId": user["id"],
        "applicationId": application_id,
        "email": user.get("email"),
        "oneTimeCode": "".join(secrets.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(6)),
        "insertInstant": now_ms(),
    }
    tx.put(VERIFICATIONS, record["id"], record)
    if user.get("email"):  # FusionAuth mails the verification (FormField: with the one-time code)
        subject = "Verify your email address" if kind == "email" else "Verify your registration"
        outbox.send(
            tx,
            "email",
            user["email"],
            subject,
            f"Verification id {record['id']}, code {record['oneTimeCode']}",
            verificationId=record["id"],
            oneTimeCode=record["oneTimeCode"],
            template="EmailVerification" if kind == "email" else "RegistrationVerification",
        )
    return str(record["id"])
