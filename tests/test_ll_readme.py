"""README.md lists every served LootLocker operation: the block between its lootlocker-operations markers is
exactly what tools/ll_operations.py renders from the OpenAPI documents (run `python tools/ll_operations.py
--write` after adding or removing an operation)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("ll_operations", ROOT / "tools" / "ll_operations.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_lists_every_served_lootlocker_operation() -> None:
    tool = _tool()
    readme = (ROOT / "README.md").read_text()
    assert tool.current_block(readme) == tool.render(), "README is stale: run python tools/ll_operations.py --write"


def test_every_operation_appears_once_and_the_count_is_stated() -> None:
    tool = _tool()
    from mockserver.lootlocker.admin.routes import admin_spec
    from mockserver.openapi import specs

    block = tool.render()
    for spec in (specs().lootlocker, admin_spec(specs())):
        for operation_id in spec.operations:
            assert block.count(f"| `{operation_id}` |") == 1, operation_id
    assert f"of the {len(tool.navigation())} entries" in block


def test_the_navigation_map_names_real_entries() -> None:
    tool = _tool()
    entries = set(tool.navigation())
    assert len(tool.navigation()) == 224
    mapping = tool.navigation_map()  # from tools/ll_coverage.py: our method + path list of the navigation
    assert mapping and set(mapping) <= entries, set(mapping) - entries


def test_write_replaces_only_the_block() -> None:
    tool = _tool()
    text = f"before\n{tool.BEGIN}\nold\n{tool.END}\nafter\n"
    assert tool.replace_block(text, "NEW") == "before\nNEW\nafter\n"
