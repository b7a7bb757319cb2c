"""Names of the LootLocker collections in the store (games.json seeds the first one)."""

from collections.abc import Callable
from typing import Any

GAMES = "lootlocker.games"
PLAYERS = "lootlocker.players"
SEQUENCES = "lootlocker.sequences"  # per-game counters: legacy player ids, White Label user ids
ACCOUNTS = "lootlocker.accounts"  # connected accounts: (game, provider, subject) → player
SESSIONS = "lootlocker.sessions"
REFRESH_TOKENS = "lootlocker.refresh-tokens"
WL_USERS = "lootlocker.wl-users"
WL_SESSIONS = "lootlocker.wl-sessions"
WL_TOKENS = "lootlocker.wl-tokens"  # id: the token of a White Label verification or password-reset mail
LEASES = "lootlocker.leases"
STORAGE = "lootlocker.storage"
# The Admin API (mockserver/lootlocker/admin/): users, their organisations and auth tokens; bans; title config.
ADMIN_USERS = "lootlocker.admin-users"
ADMIN_TOKENS = "lootlocker.admin-tokens"
ORGANISATIONS = "lootlocker.organisations"
BANS = "lootlocker.bans"  # id: the player's ULID
TITLE_CONFIG = "lootlocker.title-config"  # id: "<game id>:<key>"
NOTIFICATIONS = "lootlocker.notifications"
FILES = "lootlocker.files"  # player files: metadata here, the bytes in FILE_BLOBS (read only for downloads)
FILE_BLOBS = "lootlocker.file-blobs"
PROGRESSIONS = "lootlocker.progressions"  # a game's progressions, each with its tiers
PLAYER_PROGRESSIONS = "lootlocker.player-progressions"
LEADERBOARDS = "lootlocker.leaderboards"  # id: the leaderboard's integer id (a global sequence)
SCORES = "lootlocker.leaderboard-scores"  # id: "<leaderboard id>:<member id>"; ranked (RANKED below)
LEADERBOARD_ARCHIVES = "lootlocker.leaderboard-archives"  # id: the archive key; a reset's frozen score list
FRIENDS = "lootlocker.friends"  # id: "<relation>:<owner ulid>:<other ulid>"; one document per side
FOLLOWS = "lootlocker.follows"  # id: "<follower ulid>:<followed ulid>"
BROADCASTS = "lootlocker.broadcasts"  # id: "<game>:<broadcast ulid>"; one document per game that shows it
# Money (economy/currencies.py, wallets.py, catalogs.py, purchases.py): ULID ids unless said.
CURRENCIES = "lootlocker.currencies"
DENOMINATIONS = "lootlocker.denominations"
WALLETS = "lootlocker.wallets"  # a player's wallet has the id of the player's `wallet_id`
BALANCES = "lootlocker.balances"  # id: "<wallet id>:<currency id>"
CATALOGS = "lootlocker.catalogs"
CATALOG_ITEMS = "lootlocker.catalog-items"  # id: the catalog item id (= the Game API's catalog_listing_id)
ENTITLEMENTS = "lootlocker.entitlements"  # a purchase: its status, items, rewards handed out, refund
STORE_RECEIPTS = "lootlocker.store-receipts"  # id: "<game id>:<store>:<receipt>"; a redeemed receipt
LEGACY_ORDERS = "lootlocker.legacy-orders"  # id: the order's integer id; a legacy v1/purchase order
# Content (economy/assets.py, instances.py, inventory.py, items.py): integer ids from global sequences, keyed as text.
ASSET_CONTEXTS = "lootlocker.asset-contexts"  # id: the context's integer id
ASSETS = "lootlocker.assets"  # id: the asset's integer id
ASSET_INSTANCES = "lootlocker.asset-instances"  # id: the instance's integer id; a player's inventory
ASSET_FAVOURITES = "lootlocker.asset-favourites"  # id: "<player ulid>:<asset id>"
ITEM_TEMPLATES = "lootlocker.item-templates"  # id: the template's ULID
PLAYER_ITEMS = "lootlocker.player-items"  # id: the item's ULID
# Content features (metadata.py, messages.py, feedback.py, reports.py, maps.py, ugc.py, collectables.py, missions.py).
METADATA = "lootlocker.metadata"  # id: "<game id>:<source>:<source id>"; a thing's entries by key
MESSAGES = "lootlocker.messages"  # id: ULID; a game's messages (set with the Admin API)
MESSAGE_READS = "lootlocker.message-reads"  # id: the player's ULID; the messages it has been shown
FEEDBACK_CATEGORIES = "lootlocker.feedback-categories"  # id: ULID
FEEDBACK = "lootlocker.feedback"  # id: ULID; feedback sent by players
REPORTS = "lootlocker.reports"  # id: the report's integer id; legacy player and asset reports
REPORT_TYPES = "lootlocker.report-types"  # id: the game id; the game's report types when changed from the defaults
REMOVED_UGC = "lootlocker.removed-ugc"  # id: the removed asset's integer id
ERROR_REPORTS = "lootlocker.error-reports"  # id: ULID; the SDKs' error reports
MAPS = "lootlocker.maps"  # id: the map's integer id
UGC_CANDIDATES = "lootlocker.ugc-candidates"  # id: the candidate's integer id
COLLECTABLES = "lootlocker.collectables"  # id: ULID; a collectable with its groups and items
COLLECTED = "lootlocker.collected"  # id: "<player ulid>:<collectable>.<group>.<item>"
MISSIONS = "lootlocker.missions"  # id: the mission's integer id
MISSION_RUNS = "lootlocker.mission-runs"  # id: the start signature; a started mission of a player
# Rewards and triggers (economy/rewards.py, triggers.py).
REWARDS = "lootlocker.rewards"  # id: the reward's ULID (a single entity or a group)
TRIGGERS = "lootlocker.triggers"  # id: "<game id>:<key>"
TRIGGER_CLAIMS = "lootlocker.trigger-claims"  # id: "<player ulid>:<game id>:<key>"; invocations so far
# Characters and heroes (characters.py, heroes.py): integer ids from global sequences, keyed as text.
CHARACTER_TYPES = "lootlocker.character-types"  # a game's character classes (the Game API's character types)
HEROES = "lootlocker.heroes"  # a game's heroes (templates: a name, a character class, an asset)
CHARACTERS = "lootlocker.characters"  # a player's characters (a player hero is a character with a hero_id)

# Fields looked up with Tx.find (see store.Indexes).
INDEXES = {
    PLAYERS: ("public_uid", "legacy_id", "wallet_id"),
    ACCOUNTS: ("player_id",),
    STORAGE: ("player_id",),
    NOTIFICATIONS: ("player_id",),
    FILES: ("player_id",),
    PROGRESSIONS: ("game_id",),
    PLAYER_PROGRESSIONS: ("player_id",),
    WL_USERS: ("email", "user_id"),
    WL_SESSIONS: ("user_key",),
    WL_TOKENS: ("user_key",),
    BROADCASTS: ("game", "broadcast_id"),
    ADMIN_USERS: ("email",),
    LEADERBOARDS: ("game_id",),
    SCORES: ("leaderboard_id",),
    LEADERBOARD_ARCHIVES: ("leaderboard_id",),
    FRIENDS: ("owner",),
    FOLLOWS: ("follower", "followed"),
    CURRENCIES: ("game_id",),
    DENOMINATIONS: ("currency_id",),
    WALLETS: ("holder_id", "owner_player_id"),
    BALANCES: ("wallet_id",),
    CATALOGS: ("game_id",),
    CATALOG_ITEMS: ("catalog_id",),
    ENTITLEMENTS: ("player_id",),
    LEGACY_ORDERS: ("player_id",),
    ASSET_CONTEXTS: ("game_id",),
    ASSETS: ("game_id", "ulid"),
    ASSET_INSTANCES: ("player_id",),
    ASSET_FAVOURITES: ("player_id",),
    ITEM_TEMPLATES: ("game_id",),
    PLAYER_ITEMS: ("player_id", "item_template_id"),
    REWARDS: ("game_id",),
    TRIGGERS: ("game_id",),
    TRIGGER_CLAIMS: ("player_id",),
    MESSAGES: ("game_id",),
    FEEDBACK_CATEGORIES: ("game_id",),
    FEEDBACK: ("game_id",),
    REPORTS: ("game_id",),
    REMOVED_UGC: ("player_id",),
    ERROR_REPORTS: ("game_id",),
    MAPS: ("game_id",),
    UGC_CANDIDATES: ("player_id",),
    COLLECTABLES: ("game_id",),
    COLLECTED: ("player_id",),
    MISSIONS: ("game_id",),
    MISSION_RUNS: ("player_id",),
    CHARACTER_TYPES: ("game_id",),
    HEROES: ("game_id",),
    CHARACTERS: ("player_id", "type_id"),
}
# Collections each process keeps in memory (store.Cached): the games, looked up by every session request.
WATCHED = (GAMES,)


def _score_place(doc: dict[str, Any]) -> tuple[str, int] | None:
    # The board name is stored in every count of the tree (millions of rows on a big board): kept short.
    return f"lb:{doc['leaderboard_id']}", int(doc["sort_key"])


# Collections ranked by the store (store.Rankings): a leaderboard's scores, by their sort key.
RANKED: dict[str, Callable[[dict[str, Any]], tuple[str, int] | None]] = {SCORES: _score_place}
