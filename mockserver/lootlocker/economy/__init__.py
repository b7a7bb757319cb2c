"""LootLocker's economy: currencies, wallets and balances, catalogs, purchases, entitlements (ECON-WALLETS);
assets, instances, inventory, items, loot boxes (ECON-ASSETS); rewards and triggers (ECON-TRIGGERS)."""
