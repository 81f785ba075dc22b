"""Settings: environment variables, optionally overridden by a TOML file."""

from __future__ import annotations

import base64
import binascii
import dataclasses
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from storage.db import DEFAULT_DATABASE_URL, normalise_database_url

DEFAULT_API_BASE = "https://qyapi.weixin.qq.com/cgi-bin/"
DEFAULT_OAUTH_BASE = "https://open.weixin.qq.com/"


class ConfigError(Exception):
    """Raised with one line per missing or malformed setting."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("配置有误 / invalid configuration:\n" + "\n".join(f"  - {p}" for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class Settings:
    """Validated runtime settings. Build with :func:`load_settings`."""

    wecom_corp_id: str
    wecom_agent_id: int
    wecom_secret: str
    wecom_token: str
    wecom_aes_key: str
    database_url: str = DEFAULT_DATABASE_URL
    wecom_api_base: str = DEFAULT_API_BASE
    timezone: str = "Asia/Shanghai"
    admin_token: str | None = None
    redis_url: str | None = None
    max_body_bytes: int = 64 * 1024
    rate_per_minute: int = 28
    rate_per_hour: int = 900
    http_timeout: float = 10.0
    scheduler: bool = True  # run the sweeps in this process (see README: several web processes)
    team_weights: str | None = None  # JSON object overriding the team score weights
    branch_weights: str | None = None  # JSON object overriding the 支部争先 weights (docs/BRANCH_SCORE.md)
    public_url: str | None = None  # where people can open the read pages; used for links in digests
    web_secret: str | None = None  # workbench session key material; unset: derived from the app's secrets
    wecom_oauth_base: str = DEFAULT_OAUTH_BASE  # OAuth2 authorize host (the fake WeCom in tests and the demo)
    web_idle_minutes: int = 30  # a workbench session ends after this long without a request
    branch_name: str = "党支部"  # shown in the workbench and in the inspection workbooks' title rows
    wecom_contact_secret: str | None = None  # 通讯录同步 Secret: user/list_id needs it (default: the app's)
    directory_mapping: str | None = None  # the department -> branch/team mapping file (directory sync)
    directory_nightly: bool = True  # sync the directory every night (when a mapping file is set)
    send_retry_hours: int = 24  # retryable send errors are retried this long, then the row fails
    send_backoff_cap: int = 300  # seconds: the longest wait between two tries of one message
    send_concurrency: int = 4  # requests in flight at once (the most that can ever be in doubt)
    send_grace: int = 10  # seconds a stop waits for requests in flight
    send_freq_wait: int = 60  # seconds a message refused with 45009 (frequency limit) waits at least
    log_secret: str | None = None  # keys the log pseudonyms; unset: generated once, kept in the database
    nlu_examples: bool = False  # keep the clarification card's answers as labelled examples (names redacted)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def aes_key_bytes(self) -> bytes:
        return base64.b64decode(self.wecom_aes_key + "=")

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)


# setting name -> (env var, required, kind)
_FIELDS: dict[str, tuple[str, bool, str]] = {
    "database_url": ("SIJING_DATABASE_URL", False, "db"),
    "wecom_corp_id": ("SIJING_WECOM_CORP_ID", True, "str"),
    "wecom_agent_id": ("SIJING_WECOM_AGENT_ID", True, "int"),
    "wecom_secret": ("SIJING_WECOM_SECRET", True, "str"),
    "wecom_token": ("SIJING_WECOM_TOKEN", True, "token"),
    "wecom_aes_key": ("SIJING_WECOM_AES_KEY", True, "aes"),
    "wecom_api_base": ("SIJING_WECOM_API_BASE", False, "url"),
    "timezone": ("SIJING_TIMEZONE", False, "tz"),
    "admin_token": ("SIJING_ADMIN_TOKEN", False, "secret"),
    "redis_url": ("SIJING_REDIS_URL", False, "str"),
    "max_body_bytes": ("SIJING_MAX_BODY_BYTES", False, "int"),
    "rate_per_minute": ("SIJING_RATE_PER_MINUTE", False, "int"),
    "rate_per_hour": ("SIJING_RATE_PER_HOUR", False, "int"),
    "scheduler": ("SIJING_SCHEDULER", False, "bool"),
    "team_weights": ("SIJING_TEAM_WEIGHTS", False, "json"),
    "branch_weights": ("SIJING_BRANCH_WEIGHTS", False, "json"),
    "public_url": ("SIJING_PUBLIC_URL", False, "url"),
    "web_secret": ("SIJING_WEB_SECRET", False, "secret"),
    "wecom_oauth_base": ("SIJING_WECOM_OAUTH_BASE", False, "url"),
    "web_idle_minutes": ("SIJING_WEB_IDLE_MINUTES", False, "int"),
    "branch_name": ("SIJING_BRANCH_NAME", False, "str"),
    "wecom_contact_secret": ("SIJING_WECOM_CONTACT_SECRET", False, "secret"),
    "directory_mapping": ("SIJING_DIRECTORY_MAPPING", False, "str"),
    "directory_nightly": ("SIJING_DIRECTORY_NIGHTLY", False, "bool"),
    "http_timeout": ("SIJING_HTTP_TIMEOUT", False, "int"),
    "send_retry_hours": ("SIJING_SEND_RETRY_HOURS", False, "int"),
    "send_backoff_cap": ("SIJING_SEND_BACKOFF_CAP", False, "int"),
    "send_concurrency": ("SIJING_SEND_CONCURRENCY", False, "int"),
    "send_grace": ("SIJING_SEND_GRACE", False, "int"),
    "send_freq_wait": ("SIJING_SEND_FREQ_WAIT", False, "int"),
    "log_secret": ("SIJING_LOG_SECRET", False, "secret"),
    "nlu_examples": ("SIJING_NLU_EXAMPLES", False, "bool"),
}


def _flatten_toml(data: Mapping[str, Any]) -> dict[str, Any]:
    """Accept flat keys (``wecom_corp_id``) and tables (``[wecom] corp_id``)."""
    flat: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, Mapping):
            for sub, subvalue in value.items():
                flat[f"{key}_{sub}".lower()] = subvalue
        else:
            flat[key.lower()] = value
    return flat


def _check(name: str, env: str, kind: str, raw: Any, problems: list[str]) -> Any:
    text = str(raw).strip()
    label = f"{env} ({name})"
    if kind == "bool":
        if isinstance(raw, bool):
            return raw
        if text.lower() in ("1", "true", "yes", "on"):
            return True
        if text.lower() in ("0", "false", "no", "off"):
            return False
        problems.append(f"{label}: must be on/off, got {text!r}")
        return None
    if kind == "int":
        try:
            value = int(text)
        except ValueError:
            problems.append(f"{label}: must be an integer, got {text!r}")
            return None
        if value <= 0:
            problems.append(f"{label}: must be positive, got {value}")
        return value
    if not text:
        problems.append(f"{label}: is empty")
        return None
    if kind == "json":
        import json

        try:
            value = json.loads(text)
        except ValueError:
            problems.append(f"{label}: must be a JSON object, got {text!r}")
            return None
        if not isinstance(value, dict) or not all(isinstance(v, (int, float)) for v in value.values()):
            problems.append(f"{label}: must be a JSON object of numbers")
        return text
    if kind == "aes":
        if len(text) != 43:
            problems.append(f"{label}: EncodingAESKey must be 43 characters, got {len(text)}")
            return None
        try:
            key = base64.b64decode(text + "=", validate=True)
        except (binascii.Error, ValueError):
            problems.append(f"{label}: EncodingAESKey is not valid base64")
            return None
        if len(key) != 32:
            problems.append(f"{label}: EncodingAESKey must decode to 32 bytes")
        return text
    if kind == "token" and not text.isalnum():
        problems.append(f"{label}: Token must be letters and digits only")
    if kind == "url":
        parsed = urlparse(text)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            problems.append(f"{label}: must be an http(s) URL, got {text!r}")
        return text if text.endswith("/") else text + "/"
    if kind == "tz":
        try:
            ZoneInfo(text)
        except (ZoneInfoNotFoundError, ValueError):
            problems.append(f"{label}: unknown time zone {text!r}")
    if kind == "db" and not (text.startswith("sqlite") or text.startswith("postgresql")):
        problems.append(f"{label}: only sqlite+aiosqlite:// and postgresql+asyncpg:// URLs are supported")
    if kind == "db":
        text = normalise_database_url(text)
    return text


def load_settings(
    env: Mapping[str, str] | None = None,
    config_file: str | Path | None = None,
    *,
    need_wecom: bool = True,
    **overrides: Any,
) -> Settings:
    """Read settings from ``env`` (default ``os.environ``), then the TOML file, then overrides.

    Raises:
        ConfigError: naming every missing or malformed setting.
    """
    env = os.environ if env is None else env
    raw: dict[str, Any] = {}
    for name, (var, _req, _kind) in _FIELDS.items():
        if env.get(var) not in (None, ""):
            raw[name] = env[var]
    problems: list[str] = []
    if config_file is not None:
        path = Path(config_file)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError([f"--config {path}: file not found"]) from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError([f"--config {path}: not valid TOML ({exc})"]) from None
        for key, value in _flatten_toml(data).items():
            if key not in _FIELDS:
                problems.append(f"--config {path}: unknown setting {key!r}")
            else:
                raw[key] = value
    raw.update({k: v for k, v in overrides.items() if v is not None})
    if not need_wecom:
        placeholders = {"wecom_corp_id": "unset", "wecom_agent_id": 1, "wecom_secret": "unset",
                        "wecom_token": "unset", "wecom_aes_key": "A" * 43}
        for key, value in placeholders.items():
            raw.setdefault(key, value)
    values: dict[str, Any] = {}
    for name, (var, required, kind) in _FIELDS.items():
        if name not in raw:
            if required:
                problems.append(f"{var} ({name}): missing")
            continue
        values[name] = _check(name, var, kind, raw[name], problems)
    if problems:
        raise ConfigError(problems)
    return Settings(**values)
