"""Pages the mock serves for LootLocker browser flows (remote-session sign-in, White Label links)."""
