"""The command line: the demo end to end, migrations refused for a newer database."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from storage.db import create_database
from storage.migrate import MigrationRefused, upgrade

ROOT = Path(__file__).resolve().parent.parent


def sijing(*args: str, stdin: str = "", env: dict[str, str] | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], input=stdin, capture_output=True, text=True,
                          timeout=120, cwd=cwd, env=env)


def test_demo_chats_through_the_whole_pipeline(tmp_path: Path) -> None:
    out = sijing("demo", "--db", str(tmp_path / "demo.db"), stdin="你好\n/as stranger01\n我想反映个问题\n/quit\n")
    assert out.returncode == 0, out.stderr
    assert "四精助手 → " in out.stdout
    assert "名册" in out.stdout  # the stranger is told whom to ask


def test_demo_shows_login_links_and_saves_exported_files(tmp_path: Path) -> None:
    secretary = next(line.split(",")[0] for line in (ROOT / "bot" / "data" / "sample_roster.csv").read_text(
        encoding="utf-8").splitlines() if ",secretary," in line)
    out = sijing("demo", "--db", str(tmp_path / "demo.db"), stdin=f"/as {secretary}\n/后台\n/导出\n/quit\n")
    assert out.returncode == 0, out.stderr
    assert "/web/login/link/" in out.stdout  # the one-time link, to open in a browser
    assert "[文件]" in out.stdout and list(tmp_path.glob("*公开台账*.xlsx"))


async def test_newer_database_is_refused(tmp_path: Path) -> None:
    db = create_database(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    await upgrade(db)
    async with db.engine.begin() as conn:
        await conn.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    with pytest.raises(MigrationRefused, match="比本程序新"):
        await upgrade(db)
    await db.dispose()


def test_missing_settings_are_named(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "SIJING_DATABASE_URL": f"sqlite:///{tmp_path / 'y.db'}"}
    out = sijing("serve", env=env)
    assert out.returncode == 2
    for name in ("SIJING_WECOM_CORP_ID", "SIJING_WECOM_AGENT_ID", "SIJING_WECOM_SECRET", "SIJING_WECOM_TOKEN",
                 "SIJING_WECOM_AES_KEY"):
        assert name in out.stderr


def test_roster_import_reports_rows(tmp_path: Path) -> None:
    bad = tmp_path / "r.csv"
    bad.write_text("userid,name,role\nok1,甲,employee\n,乙,employee\n", encoding="utf-8")
    env = {"PATH": "/usr/bin:/bin", "SIJING_DATABASE_URL": f"sqlite:///{tmp_path / 'z.db'}"}
    out = sijing("roster", "import", str(bad), env=env)
    assert out.returncode == 1 and "第 3 行" in out.stderr and "账号为空" in out.stderr
