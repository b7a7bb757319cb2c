"""The LootLocker Game API: sessions, connected accounts, remote-session leases, player basics."""
