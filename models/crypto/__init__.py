"""Field encryption: AES-256-GCM values bound to table, column and row, under per-person envelope keys."""

from models.crypto.aead import associated_data, blob_key_id, decrypt, encrypt
from models.crypto.data_keys import DataKey, KeyRing
from models.crypto.errors import (
    CryptoError,
    DecryptionError,
    KeyDestroyed,
    KeyMaterialError,
    KeyringNotConfigured,
    MissingKeyError,
    UnknownMasterKey,
)
from models.crypto.fields import UNREADABLE, EncryptedField
from models.crypto.key_material import env_variable, parse_previous_keys, resolve_key
from models.crypto.master_keys import MasterKeys, master_key_id
from models.crypto.registry import configure, current_keyring

__all__ = [
    "UNREADABLE",
    "CryptoError",
    "DataKey",
    "DecryptionError",
    "EncryptedField",
    "KeyDestroyed",
    "KeyMaterialError",
    "KeyRing",
    "KeyringNotConfigured",
    "MasterKeys",
    "MissingKeyError",
    "UnknownMasterKey",
    "associated_data",
    "blob_key_id",
    "configure",
    "current_keyring",
    "decrypt",
    "encrypt",
    "env_variable",
    "master_key_id",
    "parse_previous_keys",
    "resolve_key",
]
