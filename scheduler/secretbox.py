"""Tokens at rest: encrypted with a key derived from SIAR_SECRET_KEY (Fernet: AES-128-CBC
with an HMAC-SHA256, from `cryptography`).

The encryption key is derived from the secret with HKDF-SHA256 under its own label, so
the same secret can keep signing media addresses without the two uses ever sharing a
key. Earlier secrets (SIAR_SECRET_KEYS_OLD, comma-separated) still open what they
sealed until `siar secrets rotate` has sealed everything again with the current one.

Without SIAR_SECRET_KEY nothing can be stored: a key kept in the same database as the
tokens would protect nothing.
"""

import base64
import json
import secrets
from collections.abc import Mapping, Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from scheduler.errors import ConfigError

_LABEL = b"siar: account tokens at rest, v1"
MIN_SECRET_LENGTH = 32


class SecretKeyMissing(ConfigError):
    """Tokens cannot be stored or read: SIAR_SECRET_KEY is not set."""


class SealedTokenUnreadable(ConfigError):
    """A stored token cannot be opened with the configured secrets (a settings problem:
    the key was changed without a rotation)."""

    error_code = "token_unreadable"


def _fernet(secret: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_LABEL).derive(
        secret.encode("utf-8"))
    return Fernet(base64.urlsafe_b64encode(key))


def check_secret(secret: str, name: str = "SIAR_SECRET_KEY") -> None:
    """A secret strong enough to derive a key from (the value itself is never shown)."""
    if len(secret) < MIN_SECRET_LENGTH:
        raise ConfigError(
            f"{name} terlalu pendek ({len(secret)} karakter; minimal {MIN_SECRET_LENGTH}). "
            "Buat yang baru dengan `siar secrets new-key`.")


class SecretBox:
    """Seals credential fields into one opaque text and opens it again."""

    def __init__(self, current: str, previous: Sequence[str] = ()) -> None:
        if not current:
            raise SecretKeyMissing(
                "SIAR_SECRET_KEY belum disetel: token akun tidak dapat disimpan atau dibaca "
                "(buat dengan `siar secrets new-key`, simpan di .env atau lingkungan)")
        check_secret(current)
        for secret in previous:
            check_secret(secret, "SIAR_SECRET_KEYS_OLD")
        self._current = _fernet(current)
        self._all = MultiFernet([self._current, *(_fernet(s) for s in previous)])

    def seal(self, fields: Mapping[str, str]) -> str:
        return self._current.encrypt(json.dumps(dict(fields), sort_keys=True).encode()).decode()

    def open(self, sealed: str) -> dict[str, str]:
        try:
            data = json.loads(self._all.decrypt(sealed.encode()))
        except InvalidToken:
            raise SealedTokenUnreadable(
                "token tersimpan tidak dapat dibuka dengan SIAR_SECRET_KEY maupun "
                "SIAR_SECRET_KEYS_OLD (kunci diganti tanpa `siar secrets rotate`?)") from None
        return {str(k): str(v) for k, v in data.items()}

    def reseal(self, sealed: str) -> str:
        """The same fields sealed with the current secret (for rotation)."""
        try:
            return self._all.rotate(sealed.encode()).decode()
        except InvalidToken:
            raise SealedTokenUnreadable(
                "token tersimpan tidak dapat dibuka dengan SIAR_SECRET_KEY maupun "
                "SIAR_SECRET_KEYS_OLD; rotasi dibatalkan, tidak ada yang diubah") from None


def new_secret() -> str:
    """A fresh random secret for SIAR_SECRET_KEY (43 URL-safe characters, 256 bits)."""
    return secrets.token_urlsafe(32)
