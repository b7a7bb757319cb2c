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
}
# Collections each process keeps in memory (store.Cached): the games, looked up by every session request.
WATCHED = (GAMES,)
