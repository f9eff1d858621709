"""Typed settings, read once from ``PLEDGEWATCH_*`` environment variables.

Nothing is needed to run the default: the warehouse is a SQLite file under ``./data``.
A malformed value is a ``SettingsError`` naming the variable, never a silent default.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

PREFIX = "PLEDGEWATCH_"
SECRET_FIELDS = frozenset({"dingtalk_secret", "smtp_url", "webhook_url", "dingtalk_url",
                           "wecom_url", "feishu_url", "slack_url", "db_url"})


class SettingsError(ValueError):
    """A setting that cannot be used; the message names the variable."""


def _default_data_dir() -> Path:
    return Path.cwd() / "data"


@dataclass(frozen=True)
class Settings:
    data_dir: Path = field(default_factory=_default_data_dir)
    db_url: str = ""
    user_agent: str = ""
    contact: str = "mailto:pledgewatch@localhost"
    registry_path: str = ""
    download_delay: float | None = None  # None: each site's declared politeness delay
    site_stale_days: int = 7
    extraction_failure_ratio: float = 0.3
    outbox_dir: str = ""
    webhook_url: str = ""
    smtp_url: str = ""
    alert_email_from: str = "pledgewatch@localhost"
    alert_email_to: str = ""
    dingtalk_url: str = ""
    dingtalk_secret: str = ""
    wecom_url: str = ""
    feishu_url: str = ""
    slack_url: str = ""
    alert_timeout: float = 10.0

    @property
    def warehouse_url(self) -> str:
        """The warehouse URL; a SQLite file under the data directory unless set."""
        if self.db_url:
            return self.db_url
        return f"sqlite:///{(self.data_dir / 'pledgewatch.sqlite').resolve()}"

    @property
    def crawler_user_agent(self) -> str:
        """An identifying User-Agent with a contact, as polite crawlers send."""
        return self.user_agent or f"pledgewatch/0.1 (+{self.contact})"

    @property
    def outbox_path(self) -> Path:
        return Path(self.outbox_dir) if self.outbox_dir else self.data_dir / "outbox"

    def masked(self) -> dict[str, str]:
        """Every setting as text, secrets masked, for ``pledgewatch config``."""
        shown: dict[str, str] = {}
        for f in fields(self):
            value = str(getattr(self, f.name))
            if f.name in SECRET_FIELDS and value:
                value = mask_secret(value)
            shown[PREFIX + f.name.upper()] = value
        shown["(warehouse)"] = mask_secret(self.warehouse_url)
        return shown


def mask_secret(value: str) -> str:
    """Hide passwords and tokens in a URL or secret while keeping it recognisable."""
    if value.startswith("sqlite"):
        return value  # a file path holds no secret
    parts = urlsplit(value)
    if parts.scheme and parts.netloc:
        host = parts.hostname or ""
        if parts.port:
            host = f"{host}:{parts.port}"
        if parts.username:
            host = f"{parts.username}:***@{host}" if parts.password else f"{parts.username}@{host}"
        query = "***" if parts.query else ""
        path = parts.path if parts.scheme.startswith(("sqlite", "postgres")) else (
            "/***" if parts.path not in ("", "/") else parts.path)
        return urlunsplit((parts.scheme, host, path, query, ""))
    return "***"


def _convert(name: str, raw: str, kind: type) -> object:
    try:
        if kind is Path:
            return Path(raw)
        if kind is int:
            return int(raw)
        if kind is float:
            return float(raw)
    except ValueError:
        variable = f"{PREFIX}{name.upper()}"
        raise SettingsError(f"{variable}={raw!r} is not a valid {kind.__name__}") from None
    return raw


_KINDS: dict[str, type] = {"data_dir": Path, "download_delay": float, "site_stale_days": int,
                           "extraction_failure_ratio": float, "alert_timeout": float}


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    values: dict[str, object] = {}
    for f in fields(Settings):
        raw = env.get(PREFIX + f.name.upper())
        if raw is None or raw == "":
            continue
        values[f.name] = _convert(f.name, raw, _KINDS.get(f.name, str))
    settings = Settings(**values)  # type: ignore[arg-type]
    if settings.download_delay is not None and settings.download_delay < 0:
        raise SettingsError(f"{PREFIX}DOWNLOAD_DELAY must be >= 0, got {settings.download_delay}")
    if not 0 < settings.extraction_failure_ratio <= 1:
        raise SettingsError(f"{PREFIX}EXTRACTION_FAILURE_RATIO must be in (0, 1]")
    if settings.db_url and "://" not in settings.db_url:
        raise SettingsError(f"{PREFIX}DB_URL={settings.db_url!r} is not a database URL")
    return settings


def get_settings() -> Settings:
    """Settings as the environment gives them now (cheap; no caching so tests can vary them)."""
    return load_settings()
