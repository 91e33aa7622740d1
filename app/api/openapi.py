"""The OpenAPI 3 document of /api/v1, assembled from small schema pieces."""

import re

from app.api.schemas import closed

ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {"type": "string"},
        "fields": {"type": "object", "additionalProperties": {"type": "string"}},
        "break_glass_allowed": {"type": "boolean"},
    },
}

STANDARD_ERRORS = {
    str(code): {
        "description": text,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    for code, text in (
        (400, "Unreadable body"),
        (401, "No, bad or expired token"),
        (403, "Not allowed"),
        (404, "Unknown id"),
        (409, "Stale version or illegal transition"),
        (413, "Body too large"),
        (422, "Invalid input"),
        (423, "Account locked"),
        (429, "Throttled"),
        # Fail-closed: the database would not take the audit event or the change, so nothing was returned or changed.
        (503, "The access could not be recorded or the change saved"),
    )
}


def _json(schema: dict) -> dict:
    return {"content": {"application/json": {"schema": schema}}}


def operation(summary: str, responses: dict, body: dict | None = None, params: list | None = None) -> dict:
    """An operation; its request body takes only the keys its schema names, as the API reads it (app.api.fields)."""
    op = {"summary": summary, "responses": {**responses, **STANDARD_ERRORS}}
    if body is not None:
        op["requestBody"] = {"required": True, **_json(closed(body))}
    if params:
        op["parameters"] = params
    return op


PATHS: dict[str, dict] = {
    "/tokens": {
        "post": {
            **operation(
                "Exchange username, password and TOTP code for a bearer token",
                {
                    "201": {
                        "description": "Token issued",
                        **_json(
                            {
                                "type": "object",
                                "required": ["token", "expires_at"],
                                "properties": {
                                    "token": {"type": "string"},
                                    "expires_at": {"type": "string", "format": "date-time"},
                                    "recovery_codes": {
                                        "type": "array",
                                        "items": {"type": "string"},
                                        "description": "Only when this first code set up the authenticator",
                                    },
                                },
                            }
                        ),
                    }
                },
                body={
                    "type": "object",
                    "required": ["username", "password", "totp"],
                    "properties": {
                        "username": {"type": "string"},
                        "password": {"type": "string"},
                        "totp": {"type": "string"},
                    },
                },
            ),
            "security": [],
        }
    },
    "/tokens/current": {
        "delete": operation(
            "End the token this request carries (the account's other tokens and sessions go on)",
            {"204": {"description": "The token no longer works"}},
        )
    },
    "/me": {
        "get": operation(
            "The signed-in user",
            {
                "200": {
                    "description": "The caller",
                    **_json(
                        {
                            "type": "object",
                            "properties": {
                                "id": {"type": "string"},
                                "username": {"type": "string"},
                                "display_name": {"type": "string"},
                                "role": {"type": "string"},
                                "agency": {"type": "object"},
                            },
                        }
                    ),
                }
            },
        )
    },
    "/openapi.json": {
        "get": {
            **operation(
                "This document (OpenAPI 3)",
                {"200": {"description": "The OpenAPI document", **_json({"type": "object"})}},
            ),
            "security": [],
        }
    },
}


SCHEMAS: dict[str, dict] = {"Error": ERROR}


def register(path: str, method: str, spec: dict) -> None:
    """Each API module adds its operations here, next to the routes they describe."""
    PATHS.setdefault(path, {})[method] = spec


def component(name: str, spec: dict) -> dict:
    """Register a named schema under components/schemas and return a $ref to it."""
    SCHEMAS[name] = spec
    return ref(name)


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def resolve(schema: dict) -> dict:
    """The schema a $ref names (among the named schemas), or the schema itself."""
    name = schema.get("$ref", "").removeprefix("#/components/schemas/")
    return SCHEMAS[name] if name else schema


def path_of(rule: str) -> str:
    """The document's path of a route of the API: /api/v1/people/<person_id> is /people/{person_id}."""
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.removeprefix("/api/v1"))


def request_body_schema(path: str, method: str) -> dict | None:
    """The schema of an operation's JSON request body, or None when the document gives it none."""
    body = PATHS.get(path, {}).get(method, {}).get("requestBody")
    return body["content"]["application/json"]["schema"] if body else None


def response(status: int, description: str, schema: dict) -> dict:
    return {str(status): {"description": description, **_json(schema)}}


def path_param(name: str, description: str = "The record's id (a UUID)") -> dict:
    return {"name": name, "in": "path", "required": True, "description": description, "schema": {"type": "string"}}


def query_param(name: str, schema: dict, description: str = "") -> dict:
    param = {"name": name, "in": "query", "required": False, "schema": schema}
    if description:
        param["description"] = description
    return param


def results_of(item: dict, **extra: dict) -> dict:
    """The list envelope of SPEC section 10: {"results": [...]} (plus any extra properties)."""
    return {
        "type": "object",
        "required": ["results", *extra],
        "properties": {"results": {"type": "array", "items": item}, **extra},
    }


def document(deployment: dict | None = None) -> dict:
    """The OpenAPI document; deployment: named schemas that depend on the app's configuration (flag codes)."""
    return {
        "openapi": "3.0.3",
        "info": {"title": "SafeContext API", "version": "1"},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": PATHS,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {**SCHEMAS, **(deployment or {})},
        },
    }
