"""FusionAuth's three PATCH modes, chosen by Content-Type."""

from __future__ import annotations

import copy
from typing import Any

import json_merge_patch
import jsonpatch

from .errors import Errors, FusionAuthError

JSON = "application/json"
MERGE_PATCH = "application/merge-patch+json"
JSON_PATCH = "application/json-patch+json"


def fusionauth_merge(target: Any, patch: Any) -> Any:
    """FusionAuth's application/json PATCH: objects merge recursively, null removes a value, and arrays
    are APPENDED to the existing array (a documented limitation of FusionAuth's implementation)."""
    if not isinstance(patch, dict) or not isinstance(target, dict):
        return copy.deepcopy(patch)
    merged = copy.deepcopy(target)
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, list) and isinstance(merged.get(key), list):
            merged[key] = merged[key] + copy.deepcopy(value)
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = fusionauth_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def apply(content_type: str, document: dict[str, Any], patch: Any) -> Any:
    """The patched document, or a FusionAuth 400 when the patch cannot be applied."""
    if content_type == MERGE_PATCH:
        return json_merge_patch.merge(copy.deepcopy(document), patch)  # RFC 7396
    if content_type == JSON_PATCH:
        try:
            return jsonpatch.apply_patch(document, patch)  # RFC 6902; returns a copy
        except jsonpatch.JsonPatchTestFailed as error:
            raise FusionAuthError(400, Errors().general("[JSONPatchTestFailed]", str(error)).body()) from error
        except (jsonpatch.JsonPatchException, jsonpatch.JsonPointerException) as error:
            raise FusionAuthError(
                400, Errors().general("[invalidJSONPatch]", f"The JSON Patch could not be applied: {error}").body()
            ) from error
    return fusionauth_merge(document, patch)
