"""OAuth 2.0 error bodies as FusionAuth writes them: {error, error_reason, error_description}."""

from __future__ import annotations

from ...routing import Reply, VendorError

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def oauth_body(error: str, reason: str, description: str) -> dict[str, str]:
    return {"error": error, "error_description": description, "error_reason": reason}


class OAuthError(VendorError):
    """Raised by the JSON endpoints (token, introspect, userinfo, logout) to answer with an OAuth error."""

    def __init__(
        self, error: str, reason: str, description: str, status: int = 400, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(Reply(status, oauth_body(error, reason, description), {**NO_STORE, **(headers or {})}))
        self.error = error
        self.reason = reason
