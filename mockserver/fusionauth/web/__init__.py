"""FusionAuth's hosted login pages, served by the mock (pages.py; templates/ and static/ beside it)."""
