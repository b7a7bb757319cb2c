"""The identity providers a LootLocker player can have connected: wire names, display names, aliases, and
which provider of the shared identity registry (mockserver/identities.py) stands behind each."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Provider:
    name: str  # LootLocker's wire name (the SDKs' LootLockerAccountProvider)
    display: str  # provider_name
    registry: str | None = None  # provider name in the shared identity registry, when upstream accounts exist


PROVIDERS = {
    p.name: p
    for p in (
        Provider("guest", "Guest"),
        Provider("google", "Google", "google"),
        Provider("apple", "Apple", "apple"),
        Provider("steam", "Steam", "steam"),
        Provider("epic_games", "Epic Games", "epic"),
        Provider("credentials", "White Label"),
        Provider("nintendo", "Nintendo", "nintendo"),
        Provider("xbox", "Xbox", "xbox"),
        Provider("playstation", "PlayStation", "playstation"),
        Provider("twitch", "Twitch", "twitch"),
        Provider("discord", "Discord", "discord"),
        Provider("google_play_games", "Google Play Games", "google_play_games"),
        Provider("meta", "Meta", "meta"),
        Provider("apple_game_center", "Apple Game Center", "apple_game_center"),
        # Platforms of the generic session (/game/v2/session) without a provider of their own.
        Provider("android", "Android"),
        Provider("ios", "iOS"),
        Provider("amazon_luna", "Amazon Luna"),
    )
}

# Other spellings accepted where a provider is named in a path or a transfer request.
ALIASES = {"epic": "epic_games", "psn": "playstation", "apple-rest": "apple"}

# The generic session's `platform` values and the provider each signs in with.
GENERIC_PLATFORMS = {
    "guest": "guest",
    "steam": "steam",
    "psn": "playstation",
    "xbox_one": "xbox",
    "nintendo_switch": "nintendo",
    "android": "android",
    "ios": "ios",
    "amazon_luna": "amazon_luna",
}


def resolve(name: str) -> Provider | None:
    """The provider a wire name or alias names; None when unknown."""
    return PROVIDERS.get(ALIASES.get(name, name))


def for_registry(registry_name: str) -> Provider | None:
    """The LootLocker provider of a provider of the shared identity registry (e.g. epic → epic_games)."""
    registry_name = registry_name.lower()
    return next((p for p in PROVIDERS.values() if p.registry == registry_name), None)


def view(provider: Provider) -> dict[str, str]:
    return {"provider": provider.name, "provider_name": provider.display}
