"""Loading 32-byte keys from the environment or the instance folder, generating them only where allowed."""

import base64
import binascii
import logging
import os
import re
from pathlib import Path

from models.crypto.errors import KeyMaterialError, MissingKeyError

KEY_SIZE = 32
logger = logging.getLogger("safecontext.keys")

_NAME = re.compile(r"[a-z][a-z0-9_]*")


def env_variable(name: str) -> str:
    """The environment variable that holds the key called name, e.g. master -> SAFECONTEXT_MASTER_KEY."""
    return f"SAFECONTEXT_{name.upper()}_KEY"


def decode_key(text: str, source: str) -> bytes:
    """Decode base64 (standard or URL-safe alphabet) to exactly 32 bytes; source names where it came from."""
    cleaned = "".join(text.split()).replace("-", "+").replace("_", "/")
    try:
        key = base64.b64decode(cleaned, validate=True)
    except (binascii.Error, ValueError):
        # The message names the source only: echoing even a malformed key would leak it into logs.
        raise KeyMaterialError(f"{source} is not valid base64; expected 32 random bytes, base64-encoded") from None
    if len(key) != KEY_SIZE:
        raise KeyMaterialError(f"{source} decodes to {len(key)} bytes; it must decode to exactly {KEY_SIZE} bytes")
    return key


def resolve_key(name: str, env_value: str | None, instance_path: str | Path, *, generate: bool) -> bytes:
    """The key from its env value, else from <instance_path>/<name>.key, else a generated file if allowed."""
    if not _NAME.fullmatch(name):
        raise ValueError(f"key name {name!r} must be lower-case letters, digits and underscores")
    variable = env_variable(name)
    if env_value is not None and env_value.strip():
        return decode_key(env_value, variable)
    path = Path(instance_path) / f"{name}.key"
    if path.exists():
        return decode_key(path.read_text(encoding="ascii", errors="replace"), f"key file {path}")
    if not generate:
        raise MissingKeyError(f"no {name} key: set {variable} (32 random bytes, base64-encoded) or create {path}")
    return _generate(path, name, variable)


def _generate(path: Path, name: str, variable: str) -> bytes:
    key = os.urandom(KEY_SIZE)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        # O_EXCL with mode 0600 at creation: the file is never readable by others, not even for an instant.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        # Another process generated it between our check and now: use theirs.
        return decode_key(path.read_text(encoding="ascii", errors="replace"), f"key file {path}")
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        os.fchmod(handle.fileno(), 0o600)
        handle.write(base64.b64encode(key).decode("ascii") + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    logger.warning("Generated a new %s key in %s; set %s in production instead", name, path, variable)
    return key


def parse_previous_keys(csv: str | None) -> list[bytes]:
    """Decode a comma-separated list of base64 keys (retired master keys still needed to unwrap); blanks skipped."""
    if not csv:
        return []
    entries = [entry.strip() for entry in csv.split(",")]
    return [decode_key(entry, f"previous key #{n}") for n, entry in enumerate(entries, start=1) if entry]
