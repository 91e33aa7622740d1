"""A plain HTTP client for a real server: one connection per request, so a closed keep-alive connection can never
pass for a server fault."""

import http.client
import json
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Reply:
    status: int
    raw: bytes

    def json(self):
        return json.loads(self.raw)


def call(
    base_url: str,
    method: str,
    path: str,
    *,
    headers: dict | None = None,
    body: dict | None = None,
    timeout: float = 60,
    prefix: str = "/api/v1",
) -> Reply:
    """One request; connection errors and timeouts are raised as OSError."""
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    sent = {"Connection": "close", **(headers or {})}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        sent["Content-Type"] = "application/json"
    try:
        connection.request(method, prefix + path, body=data, headers=sent)
        response = connection.getresponse()
        return Reply(response.status, response.read())
    except http.client.HTTPException as exc:  # e.g. the server vanished mid-response
        raise ConnectionError(f"{type(exc).__name__}: {exc}") from exc
    finally:
        connection.close()
