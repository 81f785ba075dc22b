"""The aiohttp application factory; one cleanup context per resource."""

from __future__ import annotations

import asyncio
import functools
import gc
import json
import logging
import os
import pickle
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, timedelta

import aiohttp
from aiohttp import web

from bot import api, health, keys, logsafe, registry, sweeprun, webhook
from bot.config import Settings
from bot.gate import IdleGate
from bot.nlu import Parser
from bot.processor import Processor
from bot.sender import Clock, Sender, utcnow
from bot.wecom.errors import Policy
from bot.services import Services
from bot.wecom.client import WeComClient
from bot.wecom.crypto import WeComCrypto
from bot.wecom.directory import DirectoryReader, reader_for
from bot.wecom.token import TokenCache
from bot.web import setup as setup_workbench
from handlers.people import contacts, directory
from schedules.jobqueue import JobQueue
from schedules.config import from_settings
from schedules.lock import sweep_lock
from schedules.runner import HOLDER, SweepsBusy, run_due
from storage import migrate
from storage.db import Database, create_database
from storage.inbox import InboxWriter

log = logging.getLogger(__name__)

DirectoryWork = Callable[[Database, DirectoryReader, Settings, datetime], Awaitable[int]]


async def _database(app: web.Application) -> AsyncIterator[None]:
    db = create_database(app[keys.SETTINGS].database_url)
    try:
        await migrate.upgrade(db)
    except BaseException:
        await db.dispose()
        raise
    app[keys.DB] = db
    yield
    await db.dispose()


async def _http(app: web.Application) -> AsyncIterator[None]:
    session = aiohttp.ClientSession()
    app[keys.HTTP] = session
    yield
    await session.close()


def _role(app: web.Application) -> str:
    return app.get(_ROLE, ALL)


async def _sender(app: web.Application) -> AsyncIterator[None]:
    s = app[keys.SETTINGS]
    client = WeComClient(app[keys.HTTP], s.wecom_api_base, s.wecom_corp_id, s.wecom_secret,
                         s.wecom_agent_id, timeout=s.http_timeout)
    tokens = TokenCache(app[keys.DB], client, f"{s.wecom_corp_id}:{s.wecom_agent_id}",
                        cooldown=min(60.0, s.send_backoff_cap))
    sender = Sender(app[keys.DB], client, tokens, per_minute=s.rate_per_minute, per_hour=s.rate_per_hour,
                    clock=app[keys.CLOCK], gate=app[keys.GATE],  # type: ignore[arg-type]
                    attachments=functools.partial(registry.attachment, app[keys.DB], s),
                    policy=Policy(timedelta(hours=s.send_retry_hours), cap=float(s.send_backoff_cap),
                                  freq_wait=float(s.send_freq_wait)),
                    concurrency=s.send_concurrency, grace=float(s.send_grace), pause=min(60.0, s.send_backoff_cap))
    app[keys.TOKENS] = tokens
    app[keys.SENDER] = sender
    await logsafe.load_key(app[keys.DB], s.log_secret)
    if app.get(_RUN_SENDER, True) and _role(app) != WEB:
        await sender.start()
    yield
    await sender.stop()


async def _services(app: web.Application) -> AsyncIterator[None]:
    if _role(app) != WEB:  # the web role stores callbacks only: no parser to load
        app[keys.SERVICES] = await Services.load(app[keys.DB], app.get(_PARSER))
    yield


async def _pipeline(app: web.Application) -> AsyncIterator[None]:
    role = _role(app)
    writer = InboxWriter(app[keys.DB])
    processor = Processor(
        app[keys.DB],
        registry.build_dispatcher(),
        app[keys.SETTINGS],
        on_outbox=app[keys.SENDER].wake,
        enrichers=(app[keys.SERVICES].enrich,) if role != WEB else (),
        clock=app[keys.CLOCK],  # type: ignore[arg-type]
        gate=app[keys.GATE],
        active=role != WEB,
    )
    app[keys.WRITER] = writer
    app[keys.PROCESSOR] = processor
    await writer.start()
    if role == ALL:
        await processor.recover()
        processor.start()
    elif role == WORKER:  # no webhook here: poll the inbox for what the web processes stored
        processor.start(every=WORKER_POLL, older_than=0)
    yield
    await writer.stop()
    await processor.stop()


async def _scheduler(app: web.Application) -> AsyncIterator[None]:
    settings = app[keys.SETTINGS]
    if not (settings.scheduler and app.get(_RUN_SENDER, True)) or _role(app) == WEB:
        yield
        return
    queue = JobQueue(settings.tz, app)
    # every ten minutes, never at :00 or :30 (WeCom congestion), with a little jitter
    queue.run_cron(sweep_job, name="sweeps", minute="3,13,23,33,43,53", jitter=60)
    if settings.directory_mapping:  # the WeCom directory: its change events as they come, all of it nightly
        queue.run_repeating(directory_changes_job, name="directory-changes", seconds=15, jitter=5)
        if settings.directory_nightly:
            queue.run_cron(directory_sync_job, name="directory-sync", hour=2, minute=17, jitter=600)
    queue.start()
    yield
    await queue.stop()


async def sweep_job(app: web.Application) -> None:
    """The in-process scheduler's job: run what is due now, then wake the sender.

    On PostgreSQL, an app that owns its process (``sijing serve``, ``sijing worker``: :func:`owns_process`) runs
    them in a child process (``bot.sweeprun``: its memory and CPU are not the worker's); otherwise here."""
    settings = app[keys.SETTINGS]
    now = app[keys.CLOCK]().astimezone(settings.tz)  # type: ignore[operator]
    if app.get(_SWEEPS_APART) and app[keys.DB].dialect == "postgresql":
        sent = await _sweep_apart(settings, now)
    else:
        try:
            sent = len(await run_due(app[keys.DB], now, registry.sweeps(), config=from_settings(settings)))
        except SweepsBusy:
            return
    if sent:
        app[keys.SENDER].wake()


SWEEP_TIMEOUT = 30 * 60  # seconds a child run of the sweeps may take before it is stopped (the lock's lease: 1 h)


async def _sweep_apart(settings: Settings, now: datetime) -> int:
    """Run the sweeps in ``python -m bot.sweeprun`` and wait for it; the nudges it queued (0 if it failed,
    was busy or took too long: logged; the next run does what it did not)."""
    child = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot.sweeprun", now.isoformat(),
                                                 stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
    try:
        out, _ = await asyncio.wait_for(child.communicate(pickle.dumps(settings)), SWEEP_TIMEOUT)
    except asyncio.TimeoutError:
        child.kill()
        await child.wait()
        log.error("the sweeps' run as of %s took over %d s and was stopped", now.isoformat(), SWEEP_TIMEOUT)
        return 0
    except asyncio.CancelledError:  # the app is stopping: the run ends with it (its transactions roll back)
        child.kill()
        await child.wait()
        raise
    lines = out.decode(errors="replace").strip().splitlines()
    try:
        result = json.loads(lines[-1]) if lines else {}
    except ValueError:
        result = {}
    if child.returncode not in (0, sweeprun.BUSY) or not isinstance(result, dict):
        log.error("the sweeps' run as of %s failed (exit status %s)", now.isoformat(), child.returncode)
        return 0
    return int(result.get("nudges", 0))


async def directory_changes_job(app: web.Application) -> None:
    """Apply the queued ``change_contact`` events (``handlers.people.contacts``)."""
    if await contacts.has_pending(app[keys.DB]):
        await _directory_job(app, contacts.apply_queued)


async def directory_sync_job(app: web.Application) -> None:
    """The nightly directory sync, for the whole deployment (not a per-branch sweep: it needs the API)."""
    await _directory_job(app, directory.nightly)


async def _directory_job(app: web.Application, work: DirectoryWork) -> None:
    db, settings = app[keys.DB], app[keys.SETTINGS]
    now = app[keys.CLOCK]().astimezone(settings.tz)  # type: ignore[operator]
    # one run at a time, whichever job or process (a full sync of 100,000 takes minutes)
    async with sweep_lock(db, directory.LOCK, f"{HOLDER}:{work.__name__}", lease=directory.LEASE) as got:
        if not got:
            return
        notices = await work(db, reader_for(settings, app[keys.HTTP], db), settings, now)
    if notices:
        app[keys.SENDER].wake()


_RUN_SENDER = web.AppKey("run_sender", bool)
_SWEEPS_APART = web.AppKey("sweeps_apart", bool)
_ROLE = web.AppKey("role", str)
ALL, WEB, WORKER = "all", "web", "worker"
WORKER_POLL = 0.2  # seconds between a worker's looks at the inbox
_PARSER = web.AppKey("parser", Parser)


def create_app(settings: Settings, *, clock: Clock = utcnow, run_sender: bool = True,
               parser: Parser | None = None, role: str = ALL) -> web.Application:
    """Build the bot.

    Args:
        settings: validated settings.
        clock: the time source (tests pass a controllable one).
        run_sender: ``False`` leaves delivery to explicit ``Sender.run_once`` calls (tests).
        parser: an already loaded parser to reuse (tests); by default one is loaded at start-up.
        role: ``"all"`` (one process does everything), ``"web"`` (store and acknowledge callbacks, serve
            the API and the workbench; no processing, sending or sweeps) or ``"worker"`` (process, send and
            sweep; finds new callbacks by polling the inbox: ``run_worker``, ``sijing worker``).
    """
    app = web.Application(client_max_size=settings.max_body_bytes)
    app[keys.SETTINGS] = settings
    app[keys.CLOCK] = clock
    app[keys.GATE] = IdleGate()
    app[keys.CRYPTO] = WeComCrypto(settings.wecom_token, settings.wecom_aes_key, settings.wecom_corp_id)
    app[_RUN_SENDER] = run_sender
    app[_ROLE] = role
    if parser is not None:
        app[_PARSER] = parser
    app.cleanup_ctx.extend([_database, _http, _sender, _services, _pipeline, _scheduler])
    webhook.setup(app)
    health.setup(app)
    api.setup(app)
    for feature in registry.features():
        if feature.api is not None:
            feature.api(app)
    setup_workbench(app, registry.workbench())
    return app


def owns_process(app: web.Application) -> web.Application:
    """``app`` is its process's one app (``sijing serve``, ``sijing worker``, a bench's server): once it has
    started, what it loaded for good (the parser's dictionary and names: millions of objects) is moved out of
    the collector's sight, which would otherwise walk all of it again at every full collection. Not for an app
    among many in one process (tests): what it froze would never be collected after it stops. On PostgreSQL
    its scheduler runs the sweeps in a child process (:func:`sweep_job`)."""
    app.on_startup.append(_freeze)  # after the cleanup contexts' start-up halves (registered first)
    app[_SWEEPS_APART] = True  # (see sweep_job)
    return app


async def _freeze(_app: web.Application) -> None:
    gc.collect()  # garbage of the start-up is not frozen with the rest
    gc.freeze()


async def run_worker(settings: Settings, stop: asyncio.Event, *, parent: int | None = None) -> None:
    """``sijing worker``: the app in the worker role, never served, until ``stop`` is set (or, with
    ``parent``, until that process is gone: a web process killed with -9 takes its worker along)."""
    runner = web.AppRunner(owns_process(create_app(settings, role=WORKER)), handle_signals=False)
    await runner.setup()  # runs the cleanup contexts' start-up halves: database, sender, processor, scheduler
    log.info("worker started (pid %d)", os.getpid())
    try:
        while not stop.is_set():
            if parent is not None and os.getppid() != parent:
                log.warning("the web process that started this worker is gone; stopping")
                break
            try:
                await asyncio.wait_for(stop.wait(), timeout=1.0)
            except TimeoutError:
                pass
    finally:
        await runner.cleanup()
        log.info("worker stopped")
