"""Every page for every kind of viewer; filters, drill-downs, the secretary's actions, audited views."""

from __future__ import annotations

import html
import re
from urllib.parse import quote

from sqlalchemy import select

from bot import keys
from storage.models import AuditEntry, Item, OutboxRow
from tests.web.conftest import EMPLOYEE, MEMBER, SECRETARY, csrf_of, deed, login, page_text

OTHER_MEMBER, OTHER_EMPLOYEE = "zhangmin", "zhaoyufei"  # 运行二班: not in MEMBER's zone or team

# path -> expected status for (secretary, member, employee)
MATRIX = {
    "/web/": (303, 303, 303),
    "/web/overview": (200, 403, 403),
    "/web/items": (200, 200, 200),
    "/web/items?kind=incident&overdue=false": (200, 200, 200),
    "/web/care": (200, 200, 403),
    "/web/care?due=late": (200, 200, 403),
    "/web/care/visits": (200, 200, 403),
    f"/web/care/people/{EMPLOYEE}": (200, 200, 403),
    f"/web/care/people/{OTHER_EMPLOYEE}": (200, 403, 403),
    "/web/coverage": (200, 403, 403),
    "/web/zone": (200, 200, 403),
    f"/web/zone?member={OTHER_MEMBER}": (200, 403, 403),
    "/web/duty": (200, 200, 200),
    "/web/duty?month=2026-12": (200, 200, 200),
    "/web/assist": (200, 200, 403),
    "/web/assist/1": (200, 200, 403),
    "/web/gatherings": (200, 200, 200),
    "/web/gatherings/training/1": (200, 200, 200),
    "/web/talent": (200, 403, 403),
    "/web/talent/reserve": (200, 403, 403),
    "/web/talent/reserve/1": (200, 403, 403),
    "/web/teams": (200, 200, 200),
    "/web/teams/运行一班": (200, 200, 403),
    "/web/teams/运行二班": (200, 403, 403),
    "/web/surveys": (200, 403, 403),
    "/web/surveys/1": (200, 403, 403),
    "/web/audit": (200, 403, 403),
    "/web/inspection": (200, 403, 403),
    "/web/inspection/public.xlsx": (200, 403, 403),
    "/web/items?format=xlsx": (200, 200, 200),
    "/web/care?format=xlsx": (200, 200, 403),
}


async def test_every_page_for_every_viewer(seeded):
    own = await deed(seeded, EMPLOYEE, MEMBER)
    foreign = await deed(seeded, OTHER_EMPLOYEE, OTHER_MEMBER)
    matrix = dict(MATRIX)
    matrix[f"/web/items/{own}"] = (200, 200, 200)
    matrix[f"/web/items/{foreign}"] = (200, 403, 403)
    for i, who in enumerate((SECRETARY, MEMBER, EMPLOYEE)):
        await login(seeded, who)
        for path, expected in matrix.items():
            status, body = await page_text(seeded, path)
            assert status == expected[i], (who, path, status)
            if status == 403:
                assert "无权访问" in body and "返回工作台首页" in body, (who, path)


async def test_home_is_each_viewers_start_page(web):
    for who, target in ((SECRETARY, "/web/overview"), (MEMBER, "/web/zone"), (EMPLOYEE, "/web/items")):
        await login(web, who)
        r = await web.client.get("/web/", allow_redirects=False)
        assert r.headers["Location"] == target


async def test_unknown_objects_are_404_and_bad_filters_400(seeded):
    await login(seeded, SECRETARY)
    for path in ("/web/items/99999", "/web/items/abc", "/web/assist/77", "/web/surveys/9", "/web/nowhere",
                 "/web/care/people/nobody", "/web/gatherings/party/1", "/web/teams/没有这个班组"):
        status, body = await page_text(seeded, path)
        assert status == 404, path
        assert "没有" in body
    for path in ("/web/items?status=bogus", "/web/items?since=2026-13-01", "/web/items?since=2026-11-10&until=2026-11-01",
                 "/web/items?overdue=maybe", "/web/items?page=0", "/web/duty?month=11-2026", "/web/items?format=pdf",
                 "/web/items?status=closed&status=submitted", "/web/teams?month=2099-01"):
        status, body = await page_text(seeded, path)
        assert status in (400, 403), path
        assert ("请求有误" in body) or ("还没到" in body), path


async def test_items_filters_search_and_excel_keep_the_filters(seeded):
    await login(seeded, SECRETARY)
    status, body = await page_text(seeded, "/web/items?status=closed&kind=deed")
    assert status == 200
    shown = re.findall(r'data-label="状态" class="k-text">([^<]+)<', body)
    assert shown and set(shown) == {"已办结"}
    target = await deed(seeded, EMPLOYEE, MEMBER, "二号楼电梯按钮失灵，按了没反应")
    status, body = await page_text(seeded, "/web/items?q=电梯按钮")
    assert f"/web/items/{target}" in body and "共 1 条" in body
    status, body = await page_text(seeded, f"/web/items?q=%23{target}")
    assert "共 1 条" in body
    r = await seeded.client.get("/web/items?status=closed&kind=deed&format=xlsx")
    assert r.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    from io import BytesIO

    from openpyxl import load_workbook

    ws = load_workbook(BytesIO(await r.read())).active
    assert "办实事清单" in ws["A1"].value and "截至" in ws["A1"].value
    statuses = {row[8] for row in ws.iter_rows(min_row=3, values_only=True)}
    assert statuses == {"已办结"}


async def test_an_items_whole_history(seeded):
    n = await deed(seeded, EMPLOYEE, MEMBER)
    await seeded.chat(MEMBER, f"接单 #{n}")
    await seeded.chat(MEMBER, f"#{n} 已经联系后勤，明天来修")
    await login(seeded, EMPLOYEE)
    status, body = await page_text(seeded, f"/web/items/{n}")
    assert status == 200
    for step in ("提交", "接单", "进展", "已经联系后勤"):
        assert step in body
    assert "书记操作" not in body  # only the secretary acts


async def test_a_teams_figures_open_the_rows_behind_them(seeded):
    await deed(seeded, EMPLOYEE, MEMBER)  # 运行一班: an open item of one of its people
    await login(seeded, SECRETARY)
    checked = 0
    for team in ("运行一班", "运行二班", "检修班"):
        _, body = await page_text(seeded, f"/web/teams/{team}")
        figures = re.findall(r'<a class="kpi" href="([^"]+)"><b>(\d+)</b><span>([^<]+)</span>', body)
        assert len(figures) == 3, team
        for href, value, label in figures:
            status, rows = await page_text(seeded, html.unescape(href))
            total = re.search(r"共 (\d+) 条", rows)
            assert status == 200 and total and total.group(1) == value, (team, label, href)
            assert f"team={quote(team)}" in html.unescape(href), href  # the team's rows, not everyone's
            checked += int(value)
    assert checked > 3  # the figures are not all zero


async def test_member_sees_their_zone_not_others(seeded):
    mine = await deed(seeded, EMPLOYEE, MEMBER)
    theirs = await deed(seeded, OTHER_EMPLOYEE, OTHER_MEMBER)
    await login(seeded, MEMBER)
    _, body = await page_text(seeded, "/web/items?q=投影仪")
    assert f"/web/items/{mine}" in body and f"/web/items/{theirs}" not in body
    _, body = await page_text(seeded, "/web/care")
    async with seeded.app[keys.DB].session(1) as session:
        from storage.models import CareEntry, Person

        names = dict((await session.execute(select(Person.userid, Person.name))).all())
        entries = (await session.execute(select(CareEntry))).scalars().all()
    for e in entries:
        link = f"/web/care/people/{e.person}"
        assert (link in body) == (e.responsible == MEMBER), names[e.person]


async def _outbox(bot, recipient):
    async with bot.app[keys.DB].session(1) as session:
        rows = await session.execute(select(OutboxRow.body).where(OutboxRow.recipient == recipient))
        return [r for (r,) in rows]


async def test_secretary_reassigns_and_closes_with_the_chats_notices(seeded):
    n = await deed(seeded, EMPLOYEE, MEMBER)
    await login(seeded, SECRETARY)
    token = csrf_of(await (await seeded.client.get(f"/web/items/{n}")).text())
    r = await seeded.client.post(f"/web/items/{n}/assign", data={"owner": "chenjunjie", "_csrf": token})
    assert r.status == 200 and f"已将 #{n} 改派给陈俊杰，已通知本人。" in await r.text()
    await seeded.flush()
    assert any(f"改派给您 #{n}" in str(m) for m in seeded.fake.to("chenjunjie"))
    assert any("接单" in t and f"#{n}" in t for t in seeded.fake.texts("chenjunjie"))  # the card's text fallback
    assert any("已由支部书记改派给陈俊杰，您不用再跟进了" in t for t in seeded.fake.texts(MEMBER))
    assert any(f"您反映的 #{n}「" in t and "改由陈俊杰负责跟进" in t for t in seeded.fake.texts(EMPLOYEE))
    r = await seeded.client.post(f"/web/items/{n}/assign", data={"owner": "chenjunjie", "_csrf": token})
    assert f"#{n} 本来就由陈俊杰负责。" in await r.text()
    r = await seeded.client.post(f"/web/items/{n}/close", data={"reason": "好", "_csrf": token})
    assert "手工销号必须写明原因" in await r.text()
    r = await seeded.client.post(f"/web/items/{n}/close", data={"reason": "已当面沟通，本人同意销号", "_csrf": token})
    body = await r.text()
    assert f"已销号 #{n}，原因已记录：已当面沟通，本人同意销号" in body and "已办结" in body and "书记销号" in body
    await seeded.flush()
    assert any("已由支部书记销号，原因：已当面沟通" in t for t in seeded.fake.texts(EMPLOYEE))
    assert any("已由支部书记销号" in t for t in seeded.fake.texts("chenjunjie"))
    async with seeded.app[keys.DB].session(1) as session:
        item = (await session.execute(select(Item).where(Item.number == n))).scalar_one()
        kinds = (await session.execute(select(AuditEntry.action).where(AuditEntry.object_id == str(item.id)))).scalars()
        assert {"item_assigned", "item_closed_by_hand"} <= set(kinds)
    assert item.status == "closed" and item.closed_by == SECRETARY
    r = await seeded.client.post(f"/web/items/{n}/assign", data={"owner": MEMBER, "_csrf": token},
                                 allow_redirects=False)
    assert r.status == 303  # refused with a notice: the form is gone for a closed item
    _, body = await page_text(seeded, f"/web/items/{n}")
    assert f"#{n} 已办结，不能再改派。" in body and "书记操作" not in body


async def test_only_the_secretary_acts(seeded):
    n = await deed(seeded, EMPLOYEE, MEMBER)
    await login(seeded, MEMBER)
    token = csrf_of(await (await seeded.client.get(f"/web/items/{n}")).text())
    for action, data in (("assign", {"owner": "chenjunjie"}), ("close", {"reason": "已当面沟通"})):
        r = await seeded.client.post(f"/web/items/{n}/{action}", data={**data, "_csrf": token})
        assert r.status == 403
    assert await _outbox(seeded, "chenjunjie") == []


async def test_sensitive_views_are_audited_and_masked_in_public(seeded):
    await login(seeded, SECRETARY)
    _, body = await page_text(seeded, "/web/care")
    assert "机密标记词" in body  # the secretary sees the summaries...
    async with seeded.app[keys.DB].session(1) as session:
        views = (await session.execute(select(AuditEntry).where(
            AuditEntry.action == "view", AuditEntry.actor == SECRETARY))).scalars().all()
    assert views and all(v.detail == "via=web" for v in views)  # ...and each view is on record
    _, body = await page_text(seeded, f"/web/care/people/{EMPLOYEE}")
    async with seeded.app[keys.DB].session(1) as session:
        details = set((await session.execute(select(AuditEntry.detail).where(AuditEntry.action == "view"))).scalars())
    assert "via=web" in details
    await page_text(seeded, "/web/assist/1")
    await page_text(seeded, "/web/surveys/1")
    _, body = await page_text(seeded, "/web/audit")  # the log reads in Chinese: actions and object types
    for code in ("project_view", "survey_results_view", "care_entry", "web_login"):
        assert f">{code}<" not in body and f" {code} " not in body, code
    assert "查看结果" in body and "帮扶项目" in body and "工作台登录" in body


async def test_duty_calendar_edit(web):
    await login(web, SECRETARY)
    body = await (await web.client.get("/web/duty?month=2026-11")).text()
    token = csrf_of(body)
    r = await web.client.post("/web/duty", data={"day": "2026-11-28", "userid": MEMBER, "phone": "13800000002",
                                                 "_csrf": token})
    body = await r.text()
    assert "已排班：11月28日 刘志勇" in body and "13800000002" in body
    r = await web.client.post("/web/duty", data={"day": "2026-11-28", "userid": MEMBER, "phone": "call me",
                                                 "_csrf": token})
    assert "格式不对" in await r.text()
    assert "刘志勇" in "".join(await web.chat(EMPLOYEE, "11月28日谁值班"))
    r = await web.client.post("/web/duty/remove", data={"day": "2026-11-28", "userid": MEMBER, "_csrf": token})
    assert "已取消" in await r.text()
    r = await web.client.post("/web/duty", data={"day": "2026-11-28", "userid": "nobody", "_csrf": token})
    assert r.status == 400
    await login(web, EMPLOYEE)
    token = csrf_of(await (await web.client.get("/web/items")).text())
    r = await web.client.post("/web/duty", data={"day": "2026-11-28", "userid": EMPLOYEE, "_csrf": token})
    assert r.status == 403


async def test_survey_results_hide_names_when_anonymous(seeded):
    await login(seeded, SECRETARY)
    _, body = await page_text(seeded, "/web/surveys/1")
    assert "匿名" in body and "希望多一些面食" in body and 'data-chart="chart-q1-data"' in body
    for name in ("孙鹏", "李雪梅", "吴涛"):
        assert f"<td data-label=\"答复人\" class=\"k-text\">{name}" not in body


async def test_every_page_refuses_strangers_and_needs_a_session(seeded):
    from tests.web.conftest import STRANGER, forge_session

    for path in MATRIX:
        if path == "/web/":
            continue
        seeded.client.session.cookie_jar.clear()
        r = await seeded.client.get(path, allow_redirects=False)
        assert r.status == 303 and r.headers["Location"].startswith("/web/login"), path
        forge_session(seeded, STRANGER)  # someone from another branch: not in this branch's roster
        status, body = await page_text(seeded, path)
        assert status == 403 and ("不在本支部的名册中" in body or not body), path


async def test_a_programmers_error_is_a_chinese_500_page(web, monkeypatch, caplog):
    from storage.deeds import queries

    async def broken(*args, **kwargs):
        raise RuntimeError("boom")
    monkeypatch.setattr(queries, "items", broken)
    await login(web, SECRETARY)
    status, body = await page_text(web, "/web/items")
    assert status == 500 and "页面出了点问题" in body
    assert any("workbench page /web/items failed" in r.getMessage() for r in caplog.records)


async def test_the_overviews_figures_open_the_rows_behind_them(seeded):
    await deed(seeded, EMPLOYEE, MEMBER)  # an open item
    await login(seeded, SECRETARY)
    _, body = await page_text(seeded, "/web/overview")
    figures = re.findall(r'<a class="kpi[^"]*" href="([^"]+)"><b>(\d+)</b><span>([^<]+)</span>', body)
    assert {label for _, _, label in figures} >= {"未办结事项", "逾期事项", "本月办结", "本月突发事件", "回访已逾期"}
    for href, value, label in figures:
        status, rows = await page_text(seeded, html.unescape(href))
        total = re.search(r"共 (\d+) 条", rows)
        assert status == 200 and total and total.group(1) == value, (label, href, value)
    assert any(int(value) for _, value, _ in figures)  # not all zero
