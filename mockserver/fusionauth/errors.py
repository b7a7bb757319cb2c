"""FusionAuth's error answers: an Errors body (fieldErrors map + generalErrors list) or an empty body.

Codes follow FusionAuth's `[rule]fieldPath` convention. Message texts follow FusionAuth's wording where
it is known (prime-mvc's templates); clients key on codes, not messages.
"""

from __future__ import annotations

from typing import Any

from ..openapi import Issue


class FusionAuthError(Exception):
    """An answer other than success: a status and an optional Errors body."""

    def __init__(self, status: int, body: dict[str, Any] | None = None) -> None:
        super().__init__(status, body)
        self.status = status
        self.body = body


class Errors:
    """Collects field and general errors, then raises them as one 400 (FusionAuth reports all at once)."""

    def __init__(self) -> None:
        self.field_errors: dict[str, list[dict[str, Any]]] = {}
        self.general_errors: list[dict[str, Any]] = []

    def field(self, path: str, code: str, message: str) -> Errors:
        self.field_errors.setdefault(path, []).append({"code": code, "message": message})
        return self

    def general(self, code: str, message: str) -> Errors:
        self.general_errors.append({"code": code, "message": message})
        return self

    def __bool__(self) -> bool:
        return bool(self.field_errors or self.general_errors)

    def body(self) -> dict[str, Any]:
        # FusionAuth omits empty collections.
        body: dict[str, Any] = {}
        if self.field_errors:
            body["fieldErrors"] = self.field_errors
        if self.general_errors:
            body["generalErrors"] = self.general_errors
        return body

    def raise_if_any(self, status: int = 400) -> None:
        if self:
            raise FusionAuthError(status, self.body())


def bad_request(code: str, message: str, field: str | None = None) -> FusionAuthError:
    errors = Errors()
    if field is None:
        errors.general(code, message)
    else:
        errors.field(field, code, message)
    return FusionAuthError(400, errors.body())


def not_found() -> FusionAuthError:
    return FusionAuthError(404)


def unauthorized() -> FusionAuthError:
    return FusionAuthError(401)


def must_specify(path: str) -> str:
    return f"You must specify the [{path}] property."


def invalid_json_message(prop: str, error: str, detail: str) -> str:
    return (
        f"Invalid JSON in the request body. The property was [{prop}]. The error was [{error}]. "
        f"The detailed exception was [{detail}]."
    )


def malformed_json(detail: str) -> FusionAuthError:
    return bad_request("[invalidJSON]", invalid_json_message("unknown", "Unexpected processing exception", detail))


def invalid_content_type(value: str | None, allowed: list[str]) -> FusionAuthError:
    if not value:
        return bad_request("[MissingContentType]", "Missing required [Content-Type] HTTP request header.")
    return bad_request(
        "[InvalidContentType]",
        f"Invalid [Content-Type] HTTP request header value of [{value}]. "
        f"Supported values for this request include [{', '.join(allowed)}].",
    )


def invalid_tenant(value: str) -> FusionAuthError:
    return bad_request(
        "[InvalidTenantIdException]",
        f"The tenant Id [{value}] provided in the X-FusionAuth-TenantId header is invalid.",
    )


def _dotted(path: tuple[str | int, ...]) -> str:
    return ".".join(str(p) for p in path)


def from_issues(issues: list[Issue]) -> FusionAuthError:
    """Schema failures in FusionAuth's words.

    Jackson deserialization problems (wrong type, bad enum, bad UUID, unknown property) come back as
    `[invalidJSON]`; missing or blank values as `[blank]` (strings) or `[missing]` (objects, UUIDs,
    numbers), as FusionAuth's validators report them.
    """
    errors = Errors()
    # FusionAuth deserializes first and validates after: a body that cannot be deserialized gets only
    # the [invalidJSON] errors, never the [blank]/[missing] ones of its validator.
    rules = {"required", "pattern", "minLength", "maxLength", "const"}
    deserialization = [i for i in issues if i.kind not in rules]
    for issue in deserialization or issues:
        path = _dotted(issue.path)
        if issue.kind == "required":
            full = f"{path}.{issue.property}" if path else str(issue.property)
            blank = issue.expected_type == "string" and issue.expected_format != "uuid"
            errors.field(full, f"[{'blank' if blank else 'missing'}]{full}", must_specify(full))
        elif issue.kind in {"pattern", "minLength"} and issue.path:
            errors.field(path, f"[blank]{path}", must_specify(path))
        elif issue.kind == "additionalProperties":
            prop = f"{path}.{issue.property}" if path else str(issue.property)
            errors.general("[invalidJSON]", invalid_json_message(prop, "Unrecognized property", issue.message))
        elif issue.kind == "maxLength":
            errors.field(path, f"[tooLong]{path}", f"The [{path}] property is too long.")
        elif issue.kind == "const" and issue.path:
            errors.field(path, f"[invalid]{path}", f"Invalid value for the [{path}] property: {issue.message}")
        elif issue.path:
            errors.field(path, "[invalidJSON]", invalid_json_message(path, "Possible conversion error", issue.message))
        else:
            errors.general("[invalidJSON]", invalid_json_message("unknown", "Possible conversion error", issue.message))
    return FusionAuthError(400, errors.body())


def parameter_error(name: str, value: str) -> FusionAuthError:
    return bad_request(
        f"[couldNotConvert]{name}",
        f"Invalid value [{value}] for the [{name}] parameter. It could not be converted.",
        field=name,
    )
