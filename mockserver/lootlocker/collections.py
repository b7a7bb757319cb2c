"""Names of the LootLocker collections in the store (games.json seeds the first one)."""

GAMES = "lootlocker.games"
PLAYERS = "lootlocker.players"
SEQUENCES = "lootlocker.sequences"  # per-game counters: legacy player ids, White Label user ids
ACCOUNTS = "lootlocker.accounts"  # connected accounts: (game, provider, subject) → player
SESSIONS = "lootlocker.sessions"
REFRESH_TOKENS = "lootlocker.refresh-tokens"
WL_USERS = "lootlocker.wl-users"
WL_SESSIONS = "lootlocker.wl-sessions"
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

# Fields looked up with Tx.find (see store.Indexes).
INDEXES = {
    PLAYERS: ("public_uid", "legacy_id"),
    ACCOUNTS: ("player_id",),
    STORAGE: ("player_id",),
    NOTIFICATIONS: ("player_id",),
    FILES: ("player_id",),
    PROGRESSIONS: ("game_id",),
    PLAYER_PROGRESSIONS: ("player_id",),
    WL_USERS: ("email", "user_id"),
    ADMIN_USERS: ("email",),
}
# Collections each process keeps in memory (store.Cached): the games, looked up by every session request.
WATCHED = (GAMES,)
