"""The messages outbox: every email or SMS the mock would send, readable like an inbox.

Tests and QA read codes from here as a person would from their mail (GET /_mock/messages).
"""

from __future__ import annotations

import uuid
from typing import Any

from .clock import now_ms
from .store import Store, Tx

MESSAGES = "mock.messages"
SEQUENCES = "mock.sequences"  # counters of the mock's own collections, by collection


def send(tx: Tx, channel: str, to: str, subject: str, body: str, **data: Any) -> dict[str, Any]:
    """Queue a message in the caller's transaction (it is only "sent" if the transaction commits)."""
    # The order of queueing, across workers and nodes: the instant repeats within a millisecond ("newest first" was a
    # coin toss between two mails of one request after another).
    counter = tx.get(SEQUENCES, MESSAGES) or {"n": 0}
    sequence = counter["n"] + 1
    tx.put(SEQUENCES, MESSAGES, {"n": sequence})
    message = {
        "id": str(uuid.uuid4()),
        "sequence": sequence,
        "channel": channel,
        "to": to,
        "subject": subject,
        "body": body,
        "data": data,
        "instant": now_ms(),
    }
    tx.put(MESSAGES, message["id"], message)
    return message


def read(store: Store, to: str | None = None) -> list[dict[str, Any]]:
    """Newest first; `to` filters by recipient (case-insensitive)."""
    messages = store.read().all(MESSAGES)
    if to:
        messages = [m for m in messages if m["to"].lower() == to.lower()]
    return sorted(messages, key=lambda m: (m.get("sequence", 0), m["instant"], m["id"]), reverse=True)


def clear(store: Store) -> int:
    with store.write() as tx:
        return tx.delete_where(MESSAGES)
