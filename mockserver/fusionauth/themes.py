"""The Theme API on the store, without HTTP: themes are stored and returned, never rendered.

FusionAuth's default theme (fixed id) always exists and is read-only; it is not stored, so that a state
without it (fixtures, an import) still has it.
"""

from __future__ import annotations

import copy
import uuid
from typing import Any

from ..clock import now_ms
from ..openapi import SchemaCheck
from ..routing import Call, Handler, Reply
from ..store import Store, Tx
from . import patching
from .collections import THEMES
from .errors import Errors, FusionAuthError, from_issues, must_specify, not_found
from .features import Feature

DEFAULT_THEME_ID = "75a068fd-e94b-451a-9aeb-3ddb9a3b5987"
DEFAULT_THEME: dict[str, Any] = {
    "id": DEFAULT_THEME_ID,
    "name": "FusionAuth",
    "type": "advanced",
    "data": {},
    "defaultMessages": "",
    "localizedMessages": {},
    "stylesheet": "",
    "templates": {},
    "insertInstant": 0,
    "lastUpdateInstant": 0,
}
_READ_ONLY = ("id", "insertInstant", "lastUpdateInstant")


def theme_exists(tx: Tx, theme_id: str) -> bool:
    return theme_id == DEFAULT_THEME_ID or tx.get(THEMES, theme_id) is not None


def _read_only() -> FusionAuthError:
    return FusionAuthError(
        400,
        Errors()
        .field("themeId", "[readOnly]themeId", "The default FusionAuth theme is read-only and cannot be modified.")
        .body(),
    )


def _required(request: dict[str, Any]) -> dict[str, Any]:
    value = request.get("theme")
    if not isinstance(value, dict):
        raise FusionAuthError(400, Errors().field("theme", "[missing]theme", must_specify("theme")).body())
    return value


def new_theme(fields: dict[str, Any], theme_id: str | None = None, now: int | None = None) -> dict[str, Any]:
    now = now if now is not None else now_ms()
    theme = {"data": {}, "localizedMessages": {}, "templates": {}, "type": "advanced"}
    theme.update({k: copy.deepcopy(v) for k, v in fields.items() if k not in _READ_ONLY})
    theme.update(id=theme_id or str(uuid.uuid4()), insertInstant=now, lastUpdateInstant=now)
    return theme


class Themes:
    def __init__(self, store: Store, request_check: SchemaCheck) -> None:
        self.store = store
        self.request_check = request_check

    @staticmethod
    def _get(tx: Tx, theme_id: str) -> dict[str, Any]:
        if theme_id == DEFAULT_THEME_ID:
            return copy.deepcopy(DEFAULT_THEME)
        found = tx.get(THEMES, theme_id)
        if found is None:
            raise not_found()
        return found

    def retrieve(self, theme_id: str) -> dict[str, Any]:
        return self._get(self.store.read(), theme_id)

    def list(self) -> list[dict[str, Any]]:
        return [copy.deepcopy(DEFAULT_THEME), *self.store.read().all(THEMES)]

    def create(self, request: dict[str, Any], url_id: str | None) -> dict[str, Any]:
        with self.store.write() as tx:
            given = _required(request)
            source_id = request.get("sourceThemeId")
            if source_id is not None:
                if not theme_exists(tx, source_id):
                    raise FusionAuthError(
                        400,
                        Errors()
                        .field(
                            "sourceThemeId",
                            "[invalid]sourceThemeId",
                            f"The [sourceThemeId] [{source_id}] does not exist.",
                        )
                        .body(),
                    )
                base = {k: v for k, v in self._get(tx, source_id).items() if k not in _READ_ONLY}
                given = {**base, **given}
            theme = new_theme(given, url_id)
            errors = Errors()
            if theme_exists(tx, theme["id"]):
                errors.field("themeId", "[duplicate]themeId", f"A Theme with Id [{theme['id']}] already exists.")
            _validate(tx, theme, errors)
            errors.raise_if_any()
            tx.put(THEMES, theme["id"], theme)
            return theme

    def update(self, theme_id: str, request: dict[str, Any]) -> dict[str, Any]:
        with self.store.write() as tx:
            return self._update(tx, theme_id, _required(request))

    def patch(self, theme_id: str, content_type: str, patch: Any) -> dict[str, Any]:
        with self.store.write() as tx:
            current = self._get(tx, theme_id)
            if theme_id == DEFAULT_THEME_ID:
                raise _read_only()
            if content_type != patching.JSON_PATCH and "theme" not in patch:  # an empty patch: 400
                raise FusionAuthError(400, Errors().field("theme", "[missing]theme", must_specify("theme")).body())
            patched = patching.apply(content_type, {"theme": current}, patch)
            if not self.request_check.is_valid(patched):
                raise from_issues(self.request_check.issues(patched))
            return self._update(tx, theme_id, _required(patched))

    def delete(self, theme_id: str) -> None:
        with self.store.write() as tx:
            self._get(tx, theme_id)
            if theme_id == DEFAULT_THEME_ID:
                raise _read_only()
            tx.delete(THEMES, theme_id)

    def _update(self, tx: Tx, theme_id: str, given: dict[str, Any]) -> dict[str, Any]:
        current = self._get(tx, theme_id)
        if theme_id == DEFAULT_THEME_ID:
            raise _read_only()
        theme = new_theme(given, theme_id, max(now_ms(), current["lastUpdateInstant"]))
        theme["insertInstant"] = current["insertInstant"]
        errors = Errors()
        _validate(tx, theme, errors)
        errors.raise_if_any()
        tx.put(THEMES, theme_id, theme)
        return theme


def _validate(tx: Tx, theme: dict[str, Any], errors: Errors) -> None:
    name = theme.get("name", "")
    if not name.strip():
        errors.field("theme.name", "[blank]theme.name", must_specify("theme.name"))
    elif name == DEFAULT_THEME["name"] or any(t["name"] == name and t["id"] != theme["id"] for t in tx.all(THEMES)):
        errors.field("theme.name", "[duplicate]theme.name", f"A Theme with name [{name}] already exists.")


# -- HTTP ----------------------------------------------------------------------------------------------
def handlers(feature: Feature) -> dict[str, Handler]:
    service = Themes(feature.store, feature.schema("fusionauth/ThemeRequest.json"))

    def one(theme: dict[str, Any]) -> Reply:
        return Reply(200, {"theme": theme})

    def create(call: Call) -> Reply:
        return one(service.create(call.body, call.path.get("themeId")))

    def retrieve_all(call: Call) -> Reply:
        return Reply(200, {"themes": service.list()})

    def retrieve(call: Call) -> Reply:
        return one(service.retrieve(call.path["themeId"]))

    def update(call: Call) -> Reply:
        return one(service.update(call.path["themeId"], call.body))

    def patch(call: Call) -> Reply:
        assert call.content_type is not None
        return one(service.patch(call.path["themeId"], call.content_type, call.body))

    def delete(call: Call) -> Reply:
        service.delete(call.path["themeId"])
        return Reply(200)

    return {
        "createTheme": create,
        "createThemeWithId": create,
        "retrieveThemes": retrieve_all,
        "retrieveTheme": retrieve,
        "updateTheme": update,
        "patchTheme": patch,
        "deleteTheme": delete,
    }
