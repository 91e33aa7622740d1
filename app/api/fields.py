"""The keys a JSON request body may hold: those its schema in the OpenAPI document names. A key it does not name is
refused by its path, never ignored: a misspelt optional field (frist_seen) would otherwise lose its value silently."""

from app.api.openapi import resolve


def unknown_fields(value, schema: dict, path: str = "$") -> dict[str, str]:
    """Every key in the value that its schema closes out (additionalProperties: false), by JSON path, with the keys
    that object does take; nested objects and list items are checked against their own schemas."""
    schema = resolve(schema)
    choices = schema.get("oneOf") or schema.get("anyOf")
    if choices:
        return _nearest(value, choices, path)
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        return _merged(unknown_fields(item, schema["items"], f"{path}[{i}]") for i, item in enumerate(value))
    if not isinstance(value, dict):
        return {}
    named, others = schema.get("properties", {}), schema.get("additionalProperties")
    problems = _merged(unknown_fields(item, named[key], f"{path}.{key}") for key, item in value.items() if key in named)
    if isinstance(others, dict):  # a map, such as a person's identifiers: any key, each value of one schema
        problems |= _merged(unknown_fields(item, others, f"{path}.{key}") for key, item in value.items())
    elif others is False:
        problems |= {f"{path}.{key}": _refusal(named) for key in value if key not in named}
    return problems


def _nearest(value, choices: list, path: str) -> dict[str, str]:
    """One of several shapes (a case closed, or reassessed): the keys refused are those of the shape that refuses
    the fewest (the first such shape on a tie)."""
    return min((unknown_fields(value, choice, path) for choice in choices), key=len)


def _merged(parts) -> dict[str, str]:
    merged: dict[str, str] = {}
    for part in parts:
        merged |= part
    return merged


def _refusal(named: dict) -> str:
    if not named:
        return "Leave this out: nothing is taken here"
    return f"Not a field taken here: check its name (the fields here are {', '.join(named)})"
