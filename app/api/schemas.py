"""Small JSON-schema pieces shared by the API modules' OpenAPI entries."""


def text(max_length: int, *, nullable: bool = False, min_length: int | None = None) -> dict:
    schema = {"type": "string", "maxLength": max_length}
    if min_length:
        schema["minLength"] = min_length
    if nullable:
        schema["nullable"] = True
    return schema


def enum(options, *, nullable: bool = False) -> dict:
    schema = {"type": "string", "enum": list(options)}
    if nullable:
        schema["nullable"] = True
        schema["enum"].append(None)
    return schema


def obj(properties: dict, required=(), *, closed: bool = False) -> dict:
    schema = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    if closed:
        schema["additionalProperties"] = False
    return schema


def closed(schema):
    """A copy of a request body's schema in which every object that names its properties takes no others
    (additionalProperties: false): the API refuses any key its schema does not name (app.api.fields)."""
    if not isinstance(schema, dict):
        return schema
    copy = dict(schema)
    if "properties" in copy:
        copy["properties"] = {name: closed(part) for name, part in copy["properties"].items()}
        copy.setdefault("additionalProperties", False)
    for key in ("items", "additionalProperties"):
        if isinstance(copy.get(key), dict):
            copy[key] = closed(copy[key])
    for key in ("oneOf", "anyOf", "allOf"):
        if key in copy:
            copy[key] = [closed(part) for part in copy[key]]
    return copy


def nullable(schema: dict) -> dict:
    return {**schema, "nullable": True}


ID = {"type": "string", "format": "uuid"}
STRING = {"type": "string"}
DATE = {"type": "string", "format": "date"}
DATETIME = {"type": "string", "format": "date-time"}
BOOLEAN = {"type": "boolean"}
INTEGER = {"type": "integer"}
VERSION = {"type": "integer", "minimum": 1}
AGENCY = obj({"id": ID, "name": STRING}, ["id", "name"])
# A record named where the caller may know its name (null where it is not known or not shown).
NAMED = obj({"id": ID, "name": nullable(STRING)}, ["id", "name"])
SUBJECT = obj({"type": enum(("person", "place", "group")), "id": ID}, ["type", "id"])
