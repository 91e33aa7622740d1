"""GET /api/v1/openapi.json describes every API route (itself included), and its references resolve."""

import re


def documented_operations(document) -> set[tuple[str, str]]:
    return {(path, method.upper()) for path, item in document["paths"].items() for method in item}


def api_routes(app) -> set[tuple[str, str]]:
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
            routes |= {(path, method) for method in rule.methods - {"HEAD", "OPTIONS"}}
    return routes


def refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from refs(item)


def test_every_api_route_is_in_the_openapi_document(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    assert api_routes(app) - documented_operations(document) == set()
    assert documented_operations(document) - api_routes(app) == set()


def test_every_reference_in_the_document_resolves_and_every_operation_has_responses(client):
    document = client.get("/api/v1/openapi.json").get_json()
    schemas = document["components"]["schemas"]
    for ref in refs(document):
        assert ref.startswith("#/components/schemas/") and ref.rsplit("/", 1)[1] in schemas, ref
    for path, item in document["paths"].items():
        for method, operation in item.items():
            assert operation["summary"] and any(code.startswith("2") for code in operation["responses"]), path
            if method in ("post", "patch"):
                assert operation["requestBody"]["content"]["application/json"]["schema"], (method, path)
            declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert declared == set(re.findall(r"{([^}]+)}", path)), (method, path)


def object_schemas(node, schemas, seen=()):
    """Every object schema in a request body's schema, following references."""
    if not isinstance(node, dict):
        return
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[1]
        if name not in seen:
            yield from object_schemas(schemas[name], schemas, (*seen, name))
        return
    if node.get("type") == "object":
        yield node
    for part in (*node.get("properties", {}).values(), node.get("items"), node.get("additionalProperties")):
        yield from object_schemas(part, schemas, seen)
    for part in (*node.get("oneOf", []), *node.get("anyOf", []), *node.get("allOf", [])):
        yield from object_schemas(part, schemas, seen)


def test_every_request_body_takes_only_the_keys_it_names(client):
    """As the API reads them: a key a body's schema does not name is refused (422), so the document says so."""
    document = client.get("/api/v1/openapi.json").get_json()
    schemas = document["components"]["schemas"]
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if "requestBody" not in operation:
                continue
            body = operation["requestBody"]["content"]["application/json"]["schema"]
            for schema in object_schemas(body, schemas):
                if "properties" in schema:
                    assert schema.get("additionalProperties") is False, (method, path, schema)
                else:  # a map of any keys (a person's identifiers), whose values have a schema
                    assert isinstance(schema.get("additionalProperties"), dict), (method, path, schema)
