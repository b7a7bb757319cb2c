"""FusionAuth Kickstart: a fresh install, then the file's API keys and requests, run in order through the mock's API.

As FusionAuth does (fusionauth.io/docs/get-started/download-and-install/development/kickstart):
- `variables`: `#{name}` anywhere in a string; `#{UUID()}` as a variable's value is generated once and keeps that
  value wherever the variable is used; `#{ENV.NAME}` reads the environment; `\\#{` escapes. Built-ins:
  FUSIONAUTH_APPLICATION_ID, FUSIONAUTH_TENANT_ID, TENANT_MANAGER_ID, FUSIONAUTH_DEFAULT_SIGNING_KEY_ID. The variables
  `defaultTenantId` and `tenantManagerApplicationId` set the ids of the Default tenant and Tenant Manager application.
- `"@{path}"`: the text of a file as a JSON string; `"&{path.json}"`: a parsed JSON file (as a request's body or a
  whole request). Paths are relative to the Kickstart file.
- `apiKeys`: created first; every request uses the first one. `requests[]`: `method`, `url` (with or without the
  leading slash), `tenantId` (sent as X-FusionAuth-TenantId), `body`, `contentType`.
FusionAuth logs a failed request and goes on; the mock stops at the first one that is not 2xx, so that a broken
file is noticed (KickstartError names the file, the request's index, method, URL, status and body).
"""

from __future__ import annotations

import json
import os
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

VARIABLE = re.compile(r"(\\?)#\{([^}]*)\}")
INCLUDE_TEXT = re.compile(r"^@\{(.+)\}$")
INCLUDE_JSON = re.compile(r"^&\{(.+)\}$")
UUID_CALL = "UUID()"
# A request runs against the app as an HTTP call: (method, url, headers, body bytes) → (status, body bytes).
Send = Callable[[str, str, dict[str, str], bytes | None], tuple[int, bytes]]


class KickstartError(Exception):
    """A Kickstart file that cannot be applied; the message says where and why."""


@dataclass
class Kickstart:
    path: Path
    variables: dict[str, str]
    api_keys: list[dict[str, Any]]
    requests: list[dict[str, Any]]

    @property
    def default_tenant_id(self) -> str | None:
        return self.variables.get("defaultTenantId")

    @property
    def tenant_manager_id(self) -> str | None:
        return self.variables.get("tenantManagerApplicationId")


def _read_json(path: Path, what: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise KickstartError(f"{what}: cannot read {path}: {error.strerror}") from error
    except ValueError as error:
        raise KickstartError(f"{what}: {path} is not valid JSON: {error}") from error


def load(path: str | Path) -> Kickstart:
    """Read and check a Kickstart file; variables that generate values (UUID()) get them now, once."""
    file = Path(path).resolve()
    document = _read_json(file, "Kickstart file")
    if not isinstance(document, dict):
        raise KickstartError(f"{file}: a Kickstart file is a JSON object")
    variables: dict[str, str] = {}
    for name, value in (document.get("variables") or {}).items():
        if not isinstance(value, str | int | float | bool):
            raise KickstartError(f"{file}: variables.{name} must be a string")
        text = str(value).lower() if isinstance(value, bool) else str(value)
        # A value may itself read the environment or generate a UUID (once: the variable keeps it).
        variables[name] = _Expander(Kickstart(file, {}, [], []), {}).text(text, f"variables.{name}")
    api_keys = document.get("apiKeys") or []
    requests = document.get("requests") or []
    if not isinstance(api_keys, list) or not all(isinstance(k, dict) for k in api_keys):
        raise KickstartError(f"{file}: apiKeys must be a list of objects")
    if not isinstance(requests, list):
        raise KickstartError(f"{file}: requests must be a list")
    return Kickstart(file, variables, api_keys, requests)


class _Expander:
    """Replaces variables and includes in a Kickstart value."""

    def __init__(self, kickstart: Kickstart, builtins: dict[str, str]) -> None:
        self.base = kickstart.path.parent
        self.values = {**builtins, **kickstart.variables}
        self.file = kickstart.path

    def text(self, value: str, where: str) -> str:
        def replace(match: re.Match[str]) -> str:
            escaped, name = match.group(1), match.group(2).strip()
            if escaped:
                return "#{" + match.group(2) + "}"
            if name.startswith("ENV."):
                env = os.environ.get(name[4:])
                if env is None:
                    raise KickstartError(f"{self.file}: {where}: environment variable {name[4:]} is not set")
                return env
            if name == UUID_CALL:
                return str(uuid.uuid4())
            if name not in self.values:
                raise KickstartError(f"{self.file}: {where}: unknown variable #{{{name}}}")
            return self.values[name]

        return VARIABLE.sub(replace, value)

    def value(self, value: Any, where: str) -> Any:
        if isinstance(value, str):
            if match := INCLUDE_TEXT.match(value):
                target = self._file(match.group(1), where)
                try:
                    return self.text(target.read_text(encoding="utf-8"), f"{where} ({target.name})")
                except OSError as error:
                    raise KickstartError(f"{self.file}: {where}: cannot read {target}: {error.strerror}") from error
            if match := INCLUDE_JSON.match(value):
                target = self._file(match.group(1), where)
                return self.value(_read_json(target, f"{self.file}: {where}"), f"{where} ({target.name})")
            return self.text(value, where)
        if isinstance(value, list):
            return [self.value(item, f"{where}[{i}]") for i, item in enumerate(value)]
        if isinstance(value, dict):
            return {self.text(k, where): self.value(v, f"{where}.{k}") for k, v in value.items()}
        return value

    def _file(self, name: str, where: str) -> Path:
        return (self.base / self.text(name.strip(), where)).resolve()


def _api_key_document(given: dict[str, Any]) -> dict[str, Any]:
    """An `apiKeys[]` entry as the store keeps API keys."""
    return {"id": str(uuid.uuid4()), **given}


def api_keys(kickstart: Kickstart, builtins: dict[str, str]) -> dict[str, dict[str, Any]]:
    """The file's API keys as store documents by id (created before any request, as FusionAuth does)."""
    expand = _Expander(kickstart, builtins)
    documents = {}
    for index, given in enumerate(kickstart.api_keys):
        key = _api_key_document(expand.value(given, f"apiKeys[{index}]"))
        if not isinstance(key.get("key"), str) or not key["key"]:
            raise KickstartError(f"{kickstart.path}: apiKeys[{index}].key is required")
        documents[key["id"]] = key
    return documents


def run(kickstart: Kickstart, builtins: dict[str, str], api_key: str, send: Send) -> int:
    """Send every request in order with `api_key`; returns how many ran. Stops at the first failure."""
    expand = _Expander(kickstart, builtins)
    for index, raw in enumerate(kickstart.requests):
        request = expand.value(raw, f"requests[{index}]")
        if not isinstance(request, dict):
            raise KickstartError(f"{kickstart.path}: requests[{index}] must be an object")
        method = str(request.get("method", "POST")).upper()
        url = str(request.get("url", ""))
        if not url:
            raise KickstartError(f"{kickstart.path}: requests[{index}] has no url")
        url = "/" + url.lstrip("/")
        headers = {"Authorization": api_key}
        if request.get("tenantId"):
            headers["X-FusionAuth-TenantId"] = str(request["tenantId"])
        body: bytes | None = None
        if "body" in request:
            body = json.dumps(request["body"]).encode()
            headers["Content-Type"] = str(request.get("contentType") or "application/json")
        status, answer = send(method, url, headers, body)
        if not 200 <= status < 300:
            text = answer.decode(errors="replace")[:2000] or "(empty)"
            raise KickstartError(
                f"{kickstart.path}: request {index} [{method} {url}] failed with status {status}: {text}"
            )
    return len(kickstart.requests)
