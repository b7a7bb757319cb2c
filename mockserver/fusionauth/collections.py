"""Names of the FusionAuth collections in the store (and of the fixture files that seed them)."""

from typing import Any

TENANTS = "fusionauth.tenants"
APPLICATIONS = "fusionauth.applications"
API_KEYS = "fusionauth.api-keys"
IDENTITY_PROVIDERS = "fusionauth.identityProviders"
LINKS = "fusionauth.links"
LAMBDAS = "fusionauth.lambdas"
USERS = "fusionauth.users"
KEYS = "fusionauth.keys"
USER_ACTIONS = "fusionauth.user-actions"
ACTIONS = "fusionauth.actions"  # actions taken on users
PENDING_LINKS = "fusionauth.pendingLinks"
REFRESH_TOKENS = "fusionauth.refreshTokens"
TWO_FACTOR_LOGINS = "fusionauth.twoFactorLogins"
CHANGE_PASSWORDS = "fusionauth.changePasswords"
VERIFICATIONS = "fusionauth.verifications"
LOGINS = "fusionauth.logins"  # login records (ipAddress, device)
THEMES = "fusionauth.themes"
SYSTEM_CONFIGURATION = "fusionauth.system-configuration"  # one document, id "system"
EVENT_LOGS = "fusionauth.eventLogs"  # lambda console output and exceptions (event_logs.py)
AUTHORIZATION_CODES = "fusionauth.oauthCodes"  # OAuth authorization codes, by code (oauth/codes.py)
SSO_SESSIONS = "fusionauth.ssoSessions"  # SSO sessions, by the fusionauth.sso cookie's value (oauth/sso.py)


def _user_keys(user: dict[str, Any]) -> None:
    # FusionAuth finds users by email and username regardless of case.
    for field, key in (("email", "_emailKey"), ("username", "_usernameKey")):
        value = user.get(field)
        if isinstance(value, str):
            user[key] = value.lower()
        else:
            user.pop(key, None)


# Fields looked up with Tx.find (see store.Indexes) and derived lookup fields.
INDEXES = {
    USERS: ("_emailKey", "_usernameKey"),
    LINKS: ("userId", "identityProviderUserId"),
    REFRESH_TOKENS: ("token",),
    ACTIONS: ("actioneeUserId",),
    VERIFICATIONS: ("userId",),
}
DERIVED = {USERS: _user_keys}
# Collections each process keeps in memory (store.Cached): the API keys, checked on every request; the
# lambdas, run on every token issued by an application with a populate lambda.
WATCHED = (API_KEYS, LAMBDAS)
