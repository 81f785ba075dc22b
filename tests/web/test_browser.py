"""Real-browser tests: headless Chromium from the distribution, driven by Playwright, against one live server.

Logs in through the fake WeCom's OAuth2 endpoint and clicks through the overview, a drill-down from a
chart to its rows, a filter, an item's history, a secretary action and the refusals, at a phone and a
desktop viewport; every chart's canvas must be painted and no console error may occur. Screenshots go
to ``$SIJING_SCREENSHOTS`` or, by default, the ``web-screenshots`` folder of pytest's base temp dir.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import web

from bot import keys
from bot.app import create_app
from bot.fakewecom import FakeWeCom, oauth_base, serve
from handlers.people.importer import import_roster
from tests.conftest import SAMPLE_ROSTER, Clock, make_settings
from tests.web.conftest import EMPLOYEE, MEMBER, SECRETARY, STRANGER, deed
from tests.web.seed import grow, seed

CHROMIUM = os.environ.get("SIJING_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]

if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        pytest.fail(f"Chromium not found at {CHROMIUM} (.ci/run installs it with apt)", pytrace=False)
    pytest.skip(f"Chromium not found at {CHROMIUM}: apt-get install chromium", allow_module_level=True)

PAINTED = """el => {
  const c = el.querySelector('canvas');
  if (!c || !c.width) return 0;
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 3; i < d.length; i += 28) if (d[i] > 0) n++;
  return n;
}"""


@dataclass
class Live:
    base: str
    app: web.Application
    fake: FakeWeCom
    shots: Path
    browser: Any
    deeds: dict[str, int] = field(default_factory=dict)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def live(tmp_path_factory: pytest.TempPathFactory, parser: Any) -> AsyncIterator[Live]:
    from playwright.async_api import async_playwright

    fake = FakeWeCom(corp_id="wwtestcorp000001", secret="test-secret", agent_id=1000002)
    fake_runner, api_base = await serve(fake)
    db = tmp_path_factory.mktemp("browser") / "bot.db"
    clock = Clock()
    settings = make_settings(f"sqlite+aiosqlite:///{db}", api_base, wecom_oauth_base=oauth_base(api_base),
                             scheduler=False)
    app = create_app(settings, clock=clock, run_sender=False, parser=parser)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    await import_roster(app[keys.DB], SAMPLE_ROSTER, clock())
    await grow(app[keys.DB], 120, clock())
    await seed(app[keys.DB], clock().astimezone(settings.tz))
    shots = Path(os.environ.get("SIJING_SCREENSHOTS") or tmp_path_factory.getbasetemp() / "web-screenshots")
    shots.mkdir(parents=True, exist_ok=True)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        state = Live(f"http://127.0.0.1:{port}", app, fake, shots, browser)
        bot = type("B", (), {"app": app, "clock": clock, "settings": settings})()
        for name in VIEWPORTS:
            state.deeds[name] = await deed(bot, EMPLOYEE, MEMBER, f"{name}：二楼饮水机不出热水")  # type: ignore[arg-type]
        yield state
        await browser.close()
    await runner.cleanup()
    await fake_runner.cleanup()


class Page:
    """A browser tab that records console errors (and allows the HTTP refusals a test expects)."""

    def __init__(self, live: Live, page: Any, viewport: str) -> None:
        self.live, self.page, self.viewport = live, page, viewport
        self.errors: list[str] = []
        self.allowed: tuple[str, ...] = ()
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("dialog", lambda d: d.accept())

    async def login(self, userid: str, path: str = "/web/") -> None:
        self.live.fake.login_as(userid)
        await self.page.goto(self.live.base + path)
        await self.page.click("#oauth")  # a desktop browser is not the WeCom client: the login page first
        await self.page.wait_for_load_state()

    async def shot(self, name: str) -> None:
        await self.page.screenshot(path=str(self.live.shots / f"{self.viewport}-{name}.png"), full_page=True)

    def clean(self) -> list[str]:
        return [e for e in self.errors if not any(a in e for a in self.allowed)]


async def _tab(live: Live, viewport: str) -> Page:
    context = await live.browser.new_context(viewport=VIEWPORTS[viewport], locale="zh-CN",
                                             device_scale_factor=2 if viewport == "phone" else 1)
    context.set_default_timeout(10_000)
    return Page(live, await context.new_page(), viewport)


async def _click_bar(tab: Page, chart: str, index: int) -> None:
    """Click the bar of category ``index`` in a drawn ECharts bar chart."""
    el = tab.page.locator(f"#{chart}")
    x, y = await el.evaluate(f"""el => {{
        const c = echarts.getInstanceByDom(el), o = c.getOption();
        return c.convertToPixel({{seriesIndex: 0}}, [{index}, o.series[0].data[{index}] / 2]);
    }}""")
    box = await el.bounding_box()
    await tab.page.mouse.click(box["x"] + x, box["y"] + y)
    await tab.page.wait_for_url("**/web/items?**")


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
async def test_secretary_clicks_through(live: Live, viewport: str) -> None:
    tab = await _tab(live, viewport)
    page = tab.page
    await tab.login(SECRETARY)
    assert page.url.split("#")[0].endswith("/web/overview") and await page.locator("h1").inner_text() == "总览"
    charts = page.locator(".chart")
    for _ in range(20):  # the first view may still be computing the team scores (a notice says so)
        if await charts.count() == 6:
            break
        await page.wait_for_timeout(200)
        await page.reload()
    assert await charts.count() == 6
    for i in range(await charts.count()):
        assert await charts.nth(i).get_attribute("data-drawn") == "1"
        assert await charts.nth(i).evaluate(PAINTED) > 50, f"chart {i} is blank"
    await tab.shot("overview")
    active = int(await page.locator(".kpi").first.locator("b").inner_text())

    await _click_bar(tab, "chart-items", 0)  # 未办结 -> the rows behind it
    assert "status=active" in page.url and f"共 {active} 条" in await page.locator("#t-items h2").inner_text()
    statuses = await page.locator('td[data-label="状态"]').all_inner_texts()
    assert statuses and "已办结" not in statuses
    await tab.shot("drilldown")

    if not await page.locator("details.filter-box").evaluate("d => d.open"):
        await page.click("details.filter-box > summary")  # folded on a phone when no filter is set
    await page.select_option('select[name="status"]', "accepted")
    await page.click('form.filters button[type="submit"]')
    await page.wait_for_url("**status=accepted**")
    assert "kind=deed" in page.url  # the drill-down's other filter is kept
    assert set(await page.locator('td[data-label="状态"]').all_inner_texts()) <= {"已接单"}
    assert "format=xlsx" in (await page.locator("#t-items a[download]").get_attribute("href") or "")

    n = live.deeds[viewport]
    await page.goto(f"{live.base}/web/items?q={n}")
    await page.click(f'a[href="/web/items/{n}"] >> nth=0')
    assert "办理记录" in await page.content() and "提交" in await page.locator("#t-history").inner_text()
    await page.select_option('#assign-form select[name="owner"]', "chenjunjie")
    await page.click("#assign-form button")
    await page.wait_for_selector(".notice")
    assert f"已将 #{n} 改派给陈俊杰" in await page.locator(".notice").inner_text()
    await page.fill('#close-form textarea[name="reason"]', "已当面沟通，本人同意销号")
    await page.click("#close-form button")  # a confirm() dialog, accepted
    await page.wait_for_selector(".notice >> text=已销号")
    assert "改派" in await page.locator("#t-history").inner_text()
    await tab.shot("item")
    assert await live.app[keys.SENDER].run_once() > 0  # the notices went through the outbox
    assert any(f"#{n}" in t for t in live.fake.texts(EMPLOYEE))
    assert tab.clean() == []
    await page.context.close()


async def test_refusals(live: Live) -> None:
    tab = await _tab(live, "phone")
    tab.allowed = ("status of 403",)  # Chromium logs the refused document itself
    page = tab.page
    await tab.login(EMPLOYEE)
    assert page.url.split("#")[0].endswith("/web/items")
    nav = await page.locator("nav.tabs a").all_inner_texts()
    assert "总览" not in nav and "审计" not in nav
    for path, words in (("/web/overview", "总览只有支部书记可以查看"), ("/web/care", "仅限党员"),
                        ("/web/audit", "审计日志只有支部书记")):
        response = await page.goto(live.base + path)
        assert response.status == 403 and words in await page.locator(".error").inner_text()
    await tab.shot("refused")
    await page.context.close()
    tab = await _tab(live, "desktop")
    tab.allowed = ("status of 403",)
    await tab.login(STRANGER)
    assert "不在本支部的名册中" in await tab.page.locator(".error").inner_text()
    await tab.login(MEMBER)  # a member starts on their zone
    assert tab.page.url.split("#")[0].endswith("/web/zone") and "我的责任区" in await tab.page.locator("h1").inner_text()
    await tab.shot("zone")
    assert tab.clean() == []
    await tab.page.context.close()
