"""Where the schemas and fixtures live: the repository's top-level folders, or the copies in the wheel."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _find(name: str) -> Path:
    # An editable install or a checkout reads the top-level folder (the single source of truth);
    # a wheel carries a copy under mockserver/_data/.
    for candidate in (_PACKAGE.parent / name, _PACKAGE / "_data" / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"mockserver cannot find its {name}/ folder next to {_PACKAGE}")


SCHEMAS_DIR = _find("schemas")
DEFAULT_FIXTURES_DIR = _find("fixtures")
