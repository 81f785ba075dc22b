"""Settings validation names every missing or malformed setting."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings

GOOD = {
    "SIJING_WECOM_CORP_ID": "ww1",
    "SIJING_WECOM_AGENT_ID": "1000002",
    "SIJING_WECOM_SECRET": "s",
    "SIJING_WECOM_TOKEN": "tok",
    "SIJING_WECOM_AES_KEY": "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C",
}


def test_defaults() -> None:
    s = load_settings(GOOD)
    assert s.database_url == "sqlite+aiosqlite:///./data/sijing.db"
    assert s.wecom_api_base == "https://qyapi.weixin.qq.com/cgi-bin/"
    assert s.timezone == "Asia/Shanghai" and s.wecom_agent_id == 1000002


def test_every_problem_is_named() -> None:
    env = dict(GOOD, SIJING_WECOM_AGENT_ID="abc", SIJING_WECOM_AES_KEY="short", SIJING_TIMEZONE="Mars/Base",
               SIJING_WECOM_API_BASE="ftp://x")
    del env["SIJING_WECOM_SECRET"]
    with pytest.raises(ConfigError) as err:
        load_settings(env)
    text = str(err.value)
    for name in ("SIJING_WECOM_AGENT_ID", "SIJING_WECOM_AES_KEY", "SIJING_TIMEZONE", "SIJING_WECOM_API_BASE",
                 "SIJING_WECOM_SECRET"):
        assert name in text
    assert len(err.value.problems) == 5


def test_toml_overrides_environment(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text('database_url = "postgresql://u@h/db"\n[wecom]\nagent_id = 7\n', encoding="utf-8")
    s = load_settings(GOOD, cfg)
    assert s.wecom_agent_id == 7 and s.database_url == "postgresql+asyncpg://u@h/db"
    cfg.write_text("nonsense = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown setting"):
        load_settings(GOOD, cfg)
