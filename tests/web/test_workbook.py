"""Inspection workbooks: print settings an inspector needs, nothing sensitive in the public one, files to chat."""

from __future__ import annotations

from datetime import datetime, timezone
from io import BytesIO
from zoneinfo import ZoneInfo

import aiohttp
from openpyxl import load_workbook
from sqlalchemy import select

from bot import keys
from bot.replies import File
from bot.registry import inspection_workbook
from bot.web.workbook import XLSX, Column, InspectionWorkbook
from bot.wecom.client import WeComClient
from storage.models import AuditEntry
from tests.web.conftest import EMPLOYEE, MEMBER, SECRETARY, STRANGER, csrf_of, login
from tests.web.seed import MARKER

TZ = ZoneInfo("Asia/Shanghai")


def _texts(data: bytes) -> str:
    wb = load_workbook(BytesIO(data))
    return "\n".join(str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v)


def test_every_sheet_prints_like_a_report() -> None:
    book = InspectionWorkbook("机关第一党支部", datetime(2026, 11, 25, 9, 40, tzinfo=TZ), TZ)
    sheet = book.sheet("走访记录", [Column("日期", "date"), Column("情况", "wrap", 20), Column("次数", "int")])
    sheet.append([datetime(2026, 11, 20, 8, 0, tzinfo=timezone.utc), "很长的一段说明" * 10, 3])
    sheet.append([None, "短", True])
    ws = load_workbook(BytesIO(book.to_bytes()))["走访记录"]
    assert ws["A1"].value.startswith("机关第一党支部走访记录") and "截至 2026年11月25日" in ws["A1"].value
    assert "A1:C1" in {str(r) for r in ws.merged_cells.ranges}
    assert [c.value for c in ws[2]] == ["日期", "情况", "次数"] and ws["A2"].font.bold
    assert ws.page_setup.orientation == "landscape" and str(ws.page_setup.paperSize) == "9"
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.print_title_rows == "$2:$2" and ws.freeze_panes == "A3" and ws.auto_filter.ref == "A2:C4"
    assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text
    assert ws["B3"].alignment.wrap_text and ws.row_dimensions[3].height > 3 * ws.row_dimensions[4].height
    assert ws["A3"].value == datetime(2026, 11, 20, 16, 0) and ws["C4"].value == "是"  # local time; Chinese yes/no


async def test_public_workbook_holds_no_sensitive_text(seeded):
    await login(seeded, SECRETARY)
    r = await seeded.client.get("/web/inspection/public.xlsx")
    assert r.status == 200 and r.content_type == XLSX
    data = await r.read()
    text = _texts(data)
    assert MARKER not in text  # care summaries, visit notes, tips, reserve review, wishes, free-text answers
    for word in ("住院", "家里老人", "同事反映", "考察意见", "后备人才"):
        assert word not in text, word
    wb = load_workbook(BytesIO(data))
    assert {"办实事清单", "事件记录", "重点关注台账", "走访记录", "责任区覆盖", "帮扶项目"} <= set(wb.sheetnames)
    for ws in wb.worksheets:
        assert ws.print_title_rows == "$2:$2" and ws.page_setup.orientation == "landscape", ws.title
        assert "截至" in ws["A1"].value and "内部资料" not in ws["A1"].value


async def test_internal_workbook_is_for_the_secretary_asked_explicitly_and_audited(seeded):
    await login(seeded, SECRETARY)
    token = csrf_of(await (await seeded.client.get("/web/inspection")).text())
    r = await seeded.client.post("/web/inspection/internal.xlsx", data={"_csrf": token})
    assert r.status == 403 and "勾选确认" in await r.text()
    r = await seeded.client.post("/web/inspection/internal.xlsx", data={"_csrf": token, "confirm": "yes"})
    assert r.status == 200
    data = await r.read()
    assert MARKER in _texts(data)
    wb = load_workbook(BytesIO(data))
    assert "后备人才" in wb.sheetnames and "内部资料" in wb.worksheets[0]["A1"].value
    async with seeded.app[keys.DB].session(1) as session:
        rows = (await session.execute(select(AuditEntry).where(AuditEntry.actor == SECRETARY))).scalars().all()
    assert any(a.action == "export" and a.object_id == "内部台账" for a in rows)
    assert any(a.action == "view" and a.detail == "via=export-internal" for a in rows)
    await login(seeded, MEMBER)
    token = csrf_of(await (await seeded.client.get("/web/items")).text())
    r = await seeded.client.post("/web/inspection/internal.xlsx", data={"_csrf": token, "confirm": "yes"})
    assert r.status == 403


async def test_workbook_for_the_chat_export(seeded):
    now, db = seeded.clock(), seeded.app[keys.DB]
    name, data = await inspection_workbook(db, seeded.settings, now, SECRETARY)
    assert name.endswith(".xlsx") and "公开台账" in name and MARKER not in _texts(data)
    for who, internal in ((STRANGER, False), (EMPLOYEE, True)):
        try:
            await inspection_workbook(db, seeded.settings, now, who, internal=internal)
        except PermissionError:
            continue
        raise AssertionError(f"{who} got a workbook")
    async with db.session(1) as session:
        exports = (await session.execute(select(AuditEntry).where(AuditEntry.action == "export"))).scalars().all()
    assert [(a.actor, a.object_id) for a in exports] == [(SECRETARY, "公开台账")]


async def test_upload_media_then_file_message(fake_wecom):
    fake, api_base = fake_wecom
    async with aiohttp.ClientSession() as http:
        client = WeComClient(http, api_base, fake.corp_id, fake.secret, fake.agent_id)
        token, _ = await client.get_token()
        media_id = await client.upload_media(token, "台账.xlsx", b"PK\x03\x04 workbook", content_type=XLSX)
        assert fake.web.media[media_id] == ("台账.xlsx", b"PK\x03\x04 workbook")
        await client.send(token, SECRETARY, File(media_id=media_id).payload())
    assert fake.to(SECRETARY)[-1]["file"] == {"media_id": media_id}
    assert fake.to(SECRETARY)[-1]["msgtype"] == "file"
