"""LootLocker's Admin API (under /admin/…): what test suites set up their world with. routes.py is the vendor
(x-auth-token, LootLocker's error bodies) and joins the feature modules listed in its FEATURES."""
