"""Roster import: CSV and XLSX, Chinese headers, idempotent, all-or-nothing with row errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from handlers.people.importer import RosterFileError, import_roster, read_roster
from storage import people
from storage.db import create_database
from storage.migrate import upgrade
from storage.people import Role, RosterEntry, role_of
from tests.conftest import Bot, Clock


def write(tmp_path: Path, text: str, name: str = "r.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


async def test_import_is_idempotent_and_updates(database_url: str, tmp_path: Path) -> None:
    db = create_database(database_url)
    await upgrade(db)
    src = write(tmp_path, "userid,name,role,team,zone_member\nm1,党员甲,member,一班,\ne1,职工乙,employee,一班,m1\n")
    now = Clock()()
    assert await import_roster(db, src, now) == (2, 0)
    assert await import_roster(db, src, now) == (0, 0)
    src2 = write(tmp_path, "userid,name,role,team,zone_member\ne1,职工乙,employee,二班,m1\n")
    assert await import_roster(db, src2, now) == (0, 1)  # m1 already in the database
    async with db.sessions() as session:
        e1 = await people.get(session, "e1")
    assert e1 is not None and e1.team == "二班" and e1.zone_member == "m1"
    await db.dispose()


async def test_roster_version_changes_with_every_write_to_people_and_only_then(database_url: str,
                                                                              tmp_path: Path) -> None:
    from sqlalchemy import update

    from storage.models import AuditEntry, Person

    db = create_database(database_url)
    await upgrade(db)
    now = Clock()()

    async def version() -> object:
        async with db.sessions() as session:
            return await people.version(session)

    seen = [await version()]
    src = write(tmp_path, "userid,name,role,team,zone_member\nm1,党员甲,member,一班,\ne1,职工乙,employee,一班,m1\n")
    await import_roster(db, src, now)  # bulk insert
    seen.append(await version())
    await import_roster(db, src, now)  # nothing changed, same instant: nothing to see
    assert await version() == seen[-1]
    await import_roster(db, write(tmp_path, "userid,name,role,team,zone_member\ne1,职工乙,employee,二班,m1\n"), now)
    seen.append(await version())  # a bulk update at the same instant as the insert
    async with db.session(1) as session, session.begin():
        session.add(Person(userid="e2", name="职工丙", role="employee", team="", updated_at=now))  # a flush
    seen.append(await version())
    async with db.session(1) as session, session.begin():
        (await session.get(Person, "e2")).name = "职工丁"  # type: ignore[union-attr]
    seen.append(await version())
    async with db.session(1) as session, session.begin():
        await session.execute(update(Person).where(Person.userid == "e2").values(team="三班"))  # a statement
    seen.append(await version())
    async with db.session(1) as session, session.begin():
        session.add(AuditEntry(at=now, actor="x", action="y", object_type="z", object_id="1", detail=""))
        (await session.get(Person, "e2")).name = "职工丁"  # type: ignore[union-attr]  # the same value: no write
    assert await version() == seen[-1]
    async with db.session(1) as session:
        async with session.begin():
            session.add(Person(userid="e3", name="职工戊", role="employee", team="", updated_at=now))
            await session.flush()
            await session.rollback()
    assert await version() == seen[-1]  # rolled back: the change and its version with it
    assert len(set(map(str, seen))) == len(seen), seen
    async with db.sessions() as session, session.begin():  # read along with the sender, then changed in there
        assert await people.get(session, "e1") is not None and await people.version(session) == seen[-1]
        (await session.get(Person, "e2")).team = "四班"  # type: ignore[union-attr]
        await session.flush()
        assert await people.version(session) != seen[-1]
    await db.dispose()


async def test_bad_rows_are_all_reported_and_nothing_imported(database_url: str, tmp_path: Path) -> None:
    db = create_database(database_url)
    await upgrade(db)
    src = write(
        tmp_path,
        "账号,姓名,角色,班组,联系党员\n"
        "m1,党员甲,党员,一班,\n"
        "e1,,员工,一班,m1\n"          # row 3: no name
        "e2,职工丙,老板,一班,m1\n"     # row 4: bad role
        "e3,职工丁,员工,一班,zz\n"     # row 5: unknown zone member
        "e4,职工戊,员工,一班,e3\n"     # row 6: zone member not a party member
        "m1,重复,党员,一班,\n"         # row 7: duplicate
        "bad id,某某,员工,一班,\n",    # row 8: bad userid
    )
    with pytest.raises(RosterFileError) as err:
        await import_roster(db, src, Clock()())
    rows = {e.row: e.reason for e in err.value.errors}
    assert sorted(rows) == [3, 4, 5, 6, 7, 8]
    assert "姓名为空" in rows[3] and "角色" in rows[4] and "不在名册" in rows[5]
    assert all(r.label in rows[4] for r in Role)  # the valid roles are named by their labels
    assert "不是党员" in rows[6] and "重复" in rows[7] and "账号" in rows[8]
    async with db.sessions() as session:
        assert await people.all_people(session) == []
    await db.dispose()


def test_xlsx_with_chinese_headers(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(["账号", "姓名", "角色", "班组", "联系党员"])
    ws.append(["sj", "书记甲", "书记", "办公室", None])
    ws.append(["e1", "职工乙", "职工", "一班", "sj"])
    path = tmp_path / "r.xlsx"
    wb.save(path)
    entries = read_roster(path)
    assert [(e.userid, e.role, e.zone_member) for e in entries] == [("sj", "secretary", None), ("e1", "employee", "sj")]


def test_missing_columns_are_named(tmp_path: Path) -> None:
    with pytest.raises(RosterFileError) as err:
        read_roster(write(tmp_path, "userid,name\nx,y\n"))
    assert "role" in str(err.value)


@pytest.mark.parametrize(("word", "role"), [
    ("employee", Role.EMPLOYEE), ("员工", Role.EMPLOYEE), ("职工", Role.EMPLOYEE), ("群众", Role.EMPLOYEE),
    ("Member", Role.MEMBER), ("党员", Role.MEMBER), ("secretary", Role.SECRETARY), ("书记", Role.SECRETARY),
    ("支部书记", Role.SECRETARY), (" 党员 ", Role.MEMBER), ("老板", None), ("", None),
])
def test_role_words(word: str, role: Role | None) -> None:
    assert role_of(word) == role


def test_roster_entry_role_properties() -> None:
    sec, member, emp = (RosterEntry("a", "甲", Role.SECRETARY), RosterEntry("b", "乙", Role.MEMBER, "一班"),
                        RosterEntry("c", "丙", Role.EMPLOYEE))
    assert (sec.is_secretary, sec.is_member, sec.is_staff, sec.is_employee) == (True, False, True, False)
    assert (member.is_secretary, member.is_member, member.is_staff, member.is_employee) == (False, True, True, False)
    assert (emp.is_secretary, emp.is_member, emp.is_staff, emp.is_employee) == (False, False, False, True)
    assert (sec.role_label, member.role_label, emp.role_label) == ("支部书记", "党员", "员工")
    assert member.label == "乙（一班）" and emp.label == "丙"


async def test_roster_roles_come_back_as_roles(bot: Bot) -> None:
    from bot import keys

    async with bot.app[keys.DB].sessions() as session:
        sec = await people.get(session, "wanghaiyan")
        leaders = await people.grid_leaders(session, "运行一班")
    assert sec is not None and sec.role is Role.SECRETARY and sec.role == "secretary"
    assert [p.userid for p in leaders] == ["liuzhiyong"]


async def test_someone_not_in_the_roster(bot: Bot) -> None:
    xml = ("<xml><ToUserName>c</ToUserName><FromUserName>nobody42</FromUserName><CreateTime>1700000000</CreateTime>"
           "<MsgType>event</MsgType><Event>enter_agent</Event><EventKey></EventKey><AgentID>1000002</AgentID></xml>")
    body, query = bot.crypto.sign_body(xml)
    assert (await bot.post(body, query)).status == 200
    await bot.flush()
    assert bot.fake.to("nobody42") == []  # opening the app says nothing
    replies = await bot.chat("nobody42", "/值班")
    assert len(replies) == 1 and "名册" in replies[0] and f"王海燕（{Role.SECRETARY.label}）" in replies[0]
