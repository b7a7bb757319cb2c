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

# Fields looked up with Tx.find (see store.Indexes).
INDEXES = {
    PLAYERS: ("public_uid", "legacy_id"),
    ACCOUNTS: ("player_id",),
    STORAGE: ("player_id",),
    WL_USERS: ("email", "user_id"),
}
# Collections each process keeps in memory (store.Cached): the games, looked up by every session request.
WATCHED = (GAMES,)
