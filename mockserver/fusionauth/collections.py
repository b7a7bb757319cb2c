"""Names of the FusionAuth collections in the store (and of the fixture files that seed them)."""

TENANTS = "fusionauth.tenants"
APPLICATIONS = "fusionauth.applications"
API_KEYS = "fusionauth.api-keys"
IDENTITY_PROVIDERS = "fusionauth.identityProviders"
LINKS = "fusionauth.links"
LAMBDAS = "fusionauth.lambdas"
