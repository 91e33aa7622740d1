"""Exceptions raised by the field-encryption layer; none of them ever carries key material or plaintext."""


class CryptoError(Exception):
    """Base class for every error raised by models.crypto."""


class DecryptionError(CryptoError):
    """A ciphertext failed its integrity check: tampered, moved, truncated, wrong key or unknown format."""


class KeyMaterialError(CryptoError, ValueError):
    """A configured key is malformed (not base64, or not exactly 32 bytes)."""


class MissingKeyError(KeyMaterialError):
    """A required key is neither in the environment nor in the instance folder."""


class UnknownMasterKey(CryptoError):
    """A data key is wrapped under a master key that is not configured (active or previous)."""


class KeyDestroyed(CryptoError):
    """The data key was destroyed (crypto-shredded) or never existed, so its data is gone."""


class KeyringNotConfigured(CryptoError, RuntimeError):
    """models.crypto.configure() has not been called in this process."""
