"""Typed settings, read once from ``PLEDGEWATCH_*`` environment variables.

Nothing is needed to run the default: the warehouse is a SQLite file under ``./data``.
A malformed value is a ``SettingsError`` naming the variable, never a silent default.
"""

from __future__ import annotations

import math
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
    #: Each robot's pace, ``COUNT/SECONDS[,COUNT/SECONDS...]`` or ``off``; empty: the
    #: platform's documented limit (``alerts/platforms.yaml``).
    dingtalk_rate: str = ""
    wecom_rate: str = ""
    feishu_rate: str = ""
    slack_rate: str = ""
    #: How long one delivery may spend waiting for rate limits in all; the rest stays queued.
    alert_max_wait: float = 300.0
    #: A robot backlog larger than this goes out as digests of at most this many alerts.
    robot_digest_size: int = 10

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
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:  # a malformed URL (bad port, broken IPv6) is shown as nothing at all
        return "***"
    if parts.scheme and parts.netloc:
        host = parts.hostname or ""
        if port:
            host = f"{host}:{port}"
        if parts.username:
            host = f"{parts.username}:***@{host}" if parts.password else f"{parts.username}@{host}"
        query = "***" if parts.query else ""
        path = parts.path if parts.scheme.startswith(("sqlite", "postgres")) else (
            "/***" if parts.path not in ("", "/") else parts.path)
        return urlunsplit((parts.scheme, host, path, query, ""))
    return "***"


#: Settings holding a rate, and the robot each paces.
RATE_FIELDS = ("dingtalk_rate", "wecom_rate", "feishu_rate", "slack_rate")


def parse_rate(text: str) -> tuple[tuple[int, float], ...]:
    """``"100/60,5/1"`` -> ((100, 60.0), (5, 1.0)): at most COUNT messages in any SECONDS.

    ``off`` (or ``none``) is no pacing at all. Raises ``ValueError`` on anything else, so a
    typo cannot silently turn a limit off.
    """
    text = text.strip().lower()
    if text in ("off", "none"):
        return ()
    windows = []
    for part in text.split(","):
        count, sep, seconds = part.strip().partition("/")
        if not sep:
            raise ValueError(f"{part.strip()!r} is not COUNT/SECONDS")
        n, w = int(count), float(seconds)
        if n < 1 or not math.isfinite(w) or w <= 0:
            raise ValueError(f"{part.strip()!r} needs a count >= 1 and seconds > 0")
        windows.append((n, w))
    return tuple(windows)


def _convert(name: str, raw: str, kind: type) -> object:
    variable = f"{PREFIX}{name.upper()}"
    try:
        if kind is Path:
            return Path(raw)
        if kind is int:
            return int(raw)
        if kind is float:
            value = float(raw)
            if not math.isfinite(value):  # float() takes "nan" and "inf": no delay or timeout
                raise SettingsError(f"{variable}={raw!r} is not a finite number")
            return value
    except ValueError as exc:
        if isinstance(exc, SettingsError):
            raise
        raise SettingsError(f"{variable}={raw!r} is not a valid {kind.__name__}") from None
    return raw


#: URL settings and the schemes each accepts (the value is a secret: errors show it masked).
_URL_SCHEMES: dict[str, tuple[str, ...]] = {
    "db_url": ("sqlite", "postgresql"),
    "smtp_url": ("smtp", "smtp+starttls"),
    **dict.fromkeys(("webhook_url", "dingtalk_url", "wecom_url", "feishu_url", "slack_url"),
                    ("http", "https")),
}


def _check_url(name: str, value: str) -> None:
    variable = f"{PREFIX}{name.upper()}"
    schemes = _URL_SCHEMES[name]
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - a malformed port raises here
    except ValueError:
        raise SettingsError(f"{variable}={mask_secret(value)} is not a valid URL") from None
    scheme = parts.scheme.lower()
    base = scheme.split("+", 1)[0] if name == "db_url" else scheme
    # A database may be reached over a Unix socket (no host); a channel needs a host.
    if base not in schemes or (name != "db_url" and not parts.hostname):
        wanted = " or ".join(f"{s}://" for s in schemes)
        raise SettingsError(f"{variable} must be a {wanted} URL, got {mask_secret(value)}")


_KINDS: dict[str, type] = {"data_dir": Path, "download_delay": float, "site_stale_days": int,
                           "extraction_failure_ratio": float, "alert_timeout": float,
                           "alert_max_wait": float, "robot_digest_size": int}


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
    if settings.site_stale_days < 1:
        raise SettingsError(f"{PREFIX}SITE_STALE_DAYS must be >= 1, got {settings.site_stale_days}")
    if settings.alert_timeout <= 0:
        raise SettingsError(f"{PREFIX}ALERT_TIMEOUT must be > 0, got {settings.alert_timeout}")
    if settings.alert_max_wait < 0:
        raise SettingsError(f"{PREFIX}ALERT_MAX_WAIT must be >= 0, got {settings.alert_max_wait}")
    if settings.robot_digest_size < 1:
        raise SettingsError(f"{PREFIX}ROBOT_DIGEST_SIZE must be >= 1, "
                            f"got {settings.robot_digest_size}")
    for name in RATE_FIELDS:
        value = getattr(settings, name)
        if value:
            try:
                parse_rate(value)
            except ValueError as exc:
                raise SettingsError(f"{PREFIX}{name.upper()}={value!r} is not a rate like "
                                    f"'20/60' (count per seconds) or 'off': {exc}") from None
    if settings.db_url and "://" not in settings.db_url:
        raise SettingsError(f"{PREFIX}DB_URL={mask_secret(settings.db_url)} is not a database URL")
    for name in _URL_SCHEMES:
        value = getattr(settings, name)
        if value:
            _check_url(name, value)
    return settings


def get_settings() -> Settings:
    """Settings as the environment gives them now (cheap; no caching so tests can vary them)."""
    return load_settings()
