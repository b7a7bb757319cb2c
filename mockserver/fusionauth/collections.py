"""Names of the FusionAuth collections in the store (and of the fixture files that seed them)."""

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
