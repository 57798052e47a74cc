"""Configuration from the environment (``KOSHI_*``), in one typed class.

Development and tests run with no configuration at all: an SQLite file under
``./var`` and a fixed signing key.  Production refuses to start without a real
secret, so a forgotten variable never ships a guessable key.
"""

from __future__ import annotations

import functools
from typing import Literal

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

MIN_SECRET_BYTES = 32  # HS256 keys shorter than the hash are refused by PyJWT too
_DEV_SECRET = "koshi-development-only-signing-key-not-for-production"


class Settings(BaseSettings):
    """Every setting, read from ``KOSHI_<NAME>`` environment variables."""

    model_config = SettingsConfigDict(env_prefix="KOSHI_", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    database_url: str = "sqlite:///var/koshi.db"
    secret_key: SecretStr | None = None
    token_minutes: int = 15
    log_level: str = "INFO"

    def signing_key(self) -> str:
        """The token signing key; outside production a fixed development key stands in."""
        if self.secret_key is not None and self.secret_key.get_secret_value():
            key = self.secret_key.get_secret_value()
            if len(key.encode()) < MIN_SECRET_BYTES:
                raise RuntimeError(f"KOSHI_SECRET_KEY must be at least {MIN_SECRET_BYTES} bytes")
            return key
        if self.env == "production":
            raise RuntimeError("KOSHI_SECRET_KEY must be set when KOSHI_ENV=production")
        return _DEV_SECRET


@functools.cache
def settings() -> Settings:
    """The process-wide settings (read once)."""
    return Settings()
