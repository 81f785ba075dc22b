"""The sending half under faults, black-box: real ``sijing serve`` processes, the fake WeCom failing on demand.

Every scenario asserts with counts: every reply to an acknowledged message sent exactly once or listed
in doubt; in doubt only what was in flight (at most the sender's concurrency per crash); nothing
``sending`` after a graceful stop; at most 30 requests per person in any 60 s.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import Future
from pathlib import Path

import pytest

from tests.faults.conftest import outcome
from tests.faults.harness import CODE, HEAVY, Deployment, Server, deployment, report, scaled

pytestmark = pytest.mark.faults

CONCURRENCY = 4  # the sender's default: the most requests in flight, so the most a crash can leave in doubt


async def until(predicate, timeout: float = 30.0, every: float = 0.05) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not await predicate():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(every)
    return True


class Checks:
    """Every check of a scenario is evaluated and reported, then the failures raised together (so that a
    run against older code, SIJING_FAULTS_CODE, still measures every step)."""

    def __init__(self, scenario: str) -> None:
        self.scenario = scenario
        self.failed: list[str] = []

    def that(self, ok: bool, what: str) -> None:
        if not ok:
            self.failed.append(what)

    def done(self) -> None:
        if self.failed:
            raise AssertionError(f"{self.scenario}: " + "; ".join(self.failed))


def users(n: int, prefix: str = "u") -> list[str]:
    return [f"{prefix}{i:03d}" for i in range(n)]


async def _stop_then_crash(kind: str, folder: Path) -> None:
    """Two servers share the database; one is stopped (SIGTERM) while sending, then the other is killed
    (kill -9) while sending; a third, started after, recovers and sends the rest."""
    n = scaled(120)
    check = Checks(f"stop and crash ({kind})")
    async with deployment(kind, folder) as dep:
        dep.fake.faults.delay = 0.03  # each request takes a while: the stop and the crash land mid-send
        first, second = await asyncio.gather(dep.start(), dep.start())
        people = users(20)
        acked = await dep.drive(first, people, n // len(people))
        check.that(await until(lambda: _sending(dep, first)), "the first server never sent")
        code = await first.terminate()
        left = await dep.claimed_by(first)
        report(f"SIGTERM while sending ({kind})", await dep.ledger(), exit_code=code, left_by_stop=left)
        check.that(code == 0, f"SIGTERM exit code {code}")
        check.that(left == {}, f"left by the stop: {left}")  # nothing sending, nothing in doubt

        acked += await dep.drive(second, people, n // len(people))
        check.that(await until(lambda: _sending(dep, second)), "the second server never sent")
        await second.kill()  # kill -9
        crashed = await dep.claimed_by(second)
        check.that(crashed.get("sending", 0) <= CONCURRENCY, f"in flight at the kill: {crashed}")

        third = await dep.start()  # a restart: its start-up recovers what the killed one left
        dep.fake.faults.delay = 0.0
        await dep.settled(60 if not CODE else 150)  # (the old code waited out a 2-minute lease)
        ledger = await dep.ledger(third)
        report(f"SIGTERM then kill -9 while sending ({kind})", ledger, in_flight_at_kill=crashed.get("sending", 0))
        check.that(ledger.acked == acked == 2 * n, f"acknowledged {ledger.acked} of {2 * n}")
        check.that(ledger.lost == 0 and ledger.duplicated == 0, ledger.line())
        check.that(ledger.in_doubt <= CONCURRENCY and ledger.listed == ledger.in_doubt, ledger.line())
        check.that(ledger.rows["pending"] == ledger.rows["sending"] == ledger.rows["failed"] == 0, ledger.line())
    check.done()


async def _sending(dep: Deployment, server: Server) -> bool:
    return bool((await dep.claimed_by(server)).get("sending"))


async def _stop_then_crash_both(folder: Path) -> None:
    (folder / "sqlite").mkdir()
    (folder / "pg").mkdir()
    done = await asyncio.gather(_stop_then_crash("sqlite", folder / "sqlite"),
                                _stop_then_crash("postgresql", folder / "pg"), return_exceptions=True)
    for failure in done:
        if isinstance(failure, BaseException):
            raise failure


async def _wecom_errors(folder: Path) -> None:
    """WeCom busy (-1) for a while, then HTTP 502 pages from the gateway, then every token expires, then
    the API hangs."""
    n = scaled(40)
    check = Checks("WeCom errors")
    async with deployment("sqlite", folder) as dep:
        server = await dep.start(SIJING_HTTP_TIMEOUT="2")
        dep.fake.faults.fail_send(errcode=-1)  # until further notice
        acked = await dep.drive(server, users(20, "e"), n // 20)
        await until(lambda: _queued(dep, acked), timeout=60)  # every reply written, and refused
        await asyncio.sleep(3.0)
        dep.fake.faults.send.clear()
        dep.fake.faults.fail_send(http=502, seconds=3.0)
        await asyncio.sleep(3.0)
        dep.fake.expire_tokens()  # 42001: refetched once, resent
        acked += await dep.drive(server, users(5, "t"), 1)
        await dep.settled(60)
        ledger = await dep.ledger(server)
        report("WeCom -1 (≥ 3 s), then HTTP 502 for 3 s, then 42001 (sqlite)", ledger, injected=dep.fake.faults.injected)
        check.that(dep.fake.faults.injected >= n // 2, f"only {dep.fake.faults.injected} faults met")
        check.that(ledger.acked == acked and ledger.rows["sent"] == acked, ledger.line())
        check.that(ledger.lost == ledger.duplicated == ledger.in_doubt == 0, ledger.line())
        check.that((await server.health())["status"] == "ok", "healthz not ok after")

        # then the API hangs (longer than the 2 s client timeout): only what was in flight is in doubt
        dep.fake.faults.delay = 30.0
        hung = await dep.drive(server, users(12, "h"), 1)
        check.that(await until(lambda: _in_doubt(dep, 1), timeout=30), "no request timed out")
        await asyncio.sleep(0.5)
        dep.fake.faults.delay = 0.0
        await dep.settled(60)
        hang = await dep.ledger(server)
        report("then the API hangs past the client timeout (sqlite)", hang, messages=hung)
        check.that(hang.acked == acked + hung and hang.rows["sent"] + hang.in_doubt == hang.acked, hang.line())
        check.that(1 <= hang.in_doubt <= CONCURRENCY and hang.listed == hang.in_doubt, hang.line())
        check.that(hang.duplicated == 0, hang.line())
    check.done()


async def _in_doubt(dep: Deployment, count: int) -> bool:
    return (await dep.outbox())["in_doubt"] >= count


async def _queued(dep: Deployment, count: int) -> bool:
    return sum((await dep.outbox()).values()) >= count


async def _token_faults(folder: Path) -> None:
    """gettoken answers HTTP 500 for a while (nothing is claimed, nothing lost); then the secret is
    rotated in WeCom but not in the deployment (40001): /healthz says error with the reason, nothing is
    failed or in doubt, gettoken is not hammered; once fixed, everything goes."""
    n = scaled(20)
    check = Checks("token faults")
    async with deployment("postgresql", folder) as dep:
        server = await dep.start()
        dep.fake.faults.fail_token(http=500, seconds=3.0)
        acked = await dep.drive(server, users(10, "k"), n // 10)
        await asyncio.sleep(1.5)
        during = await dep.outbox()
        check.that(during["in_doubt"] == during["failed"] == during["sent"] == 0, f"during the outage: {dict(during)}")
        await dep.settled(30)
        outage = await dep.ledger()
        report("gettoken HTTP 500 for 3 s (postgresql)", outage)
        check.that(outage.rows["sent"] == acked, f"after the gettoken outage: {outage.line()}")

        dep.fake.secret = "rotated-in-wecom"
        dep.fake.expire_tokens()
        before = dep.fake.token_requests
        acked += await dep.drive(server, users(10, "w"), 1)
        check.that(await until(lambda: _health_error(server), timeout=20), "healthz never said error")
        health = await server.health()
        check.that("Secret" in str(health.get("sender_error")), f"healthz: {health}")
        await asyncio.sleep(3.0)
        stuck = await dep.outbox()
        asked = dep.fake.token_requests - before
        check.that(stuck["failed"] == stuck["in_doubt"] == 0 and stuck["pending"] >= 10, f"while refused: {dict(stuck)}")
        check.that(asked <= 6, f"gettoken called {asked} times in ~5 s")  # paused between tries
        dep.fake.secret = "fault-secret"  # fixed
        await dep.settled(30)
        ledger = await dep.ledger(server)
        report("then a wrong secret (40001) for ~5 s (postgresql)", ledger, healthz=health.get("status"),
               sender_error=health.get("sender_error"), gettoken_calls=asked)
        check.that(ledger.acked == acked and ledger.rows["sent"] == acked, ledger.line())
        check.that(ledger.lost == ledger.duplicated == ledger.in_doubt == 0, ledger.line())
        check.that((await server.health())["status"] == "ok", "healthz not ok after")
    check.done()


async def _frequency_limited(folder: Path) -> None:
    """WeCom answers 45009 (api freq out of limit) to the first message of each person: each refused message waits at least
    ``SIJING_SEND_FREQ_WAIT`` (a minute by default, 12 s here) and is not hammered meanwhile, then goes;
    nothing failed, lost, in doubt or sent twice."""
    n = scaled(10)
    check = Checks("45009 frequency limit")
    async with deployment("sqlite", folder) as dep:
        server = await dep.start(SIJING_SEND_FREQ_WAIT="12")
        # a count, not a time window: on a loaded machine the first attempts may come late, and a window
        # that closed before them would let them through (the check below would then see them sent)
        dep.fake.faults.fail_send(errcode=45009, times=n)
        started, before = time.monotonic(), dep.fake.send_requests
        acked = await dep.drive(server, users(n, "f"), 1)
        check.that(await until(lambda: _queued(dep, acked), timeout=20), "replies never written")
        await asyncio.sleep(max(0.0, 10.0 - (time.monotonic() - started)))
        waited = await dep.outbox()
        tried = dep.fake.send_requests - before
        check.that(waited["pending"] == acked and waited["failed"] == waited["in_doubt"] == 0,
                   f"10 s after the 45009s: {dict(waited)}")
        check.that(tried <= acked + 2, f"{tried} send requests for {acked} messages in 10 s")  # waited, not hammered
        await dep.settled(60)
        ledger = await dep.ledger(server)
        report("WeCom 45009 to each first attempt (sqlite)", ledger, requests_in_first_10_s=tried, injected=dep.fake.faults.injected)
        check.that(dep.fake.faults.injected >= 1, "no 45009 met")
        check.that(ledger.acked == acked and ledger.rows["sent"] == acked, ledger.line())
        check.that(ledger.lost == ledger.duplicated == ledger.in_doubt == 0, ledger.line())
    check.done()


async def _health_error(server: Server) -> bool:
    return (await server.health())["status"] == "error"


async def _one_person_flooded(folder: Path) -> None:
    """60 messages from one person in a few seconds, through two servers on one PostgreSQL database,
    while 10 others write too: at most 28 replies reach that person in any 60 s, across both processes,
    and the others are answered at once, not held behind."""
    async with deployment("postgresql", folder) as dep:
        a, b = await asyncio.gather(dep.start(), dep.start())
        boss = "boss"
        acked = sum(await asyncio.gather(dep.drive(a, [boss], 30), dep.drive(b, [boss], 30)))
        started = time.monotonic()
        acked += await dep.drive(a, users(10, "o"), 2)
        answered = await until(lambda: _others_answered(dep, 20), timeout=40)
        others_after = time.monotonic() - started
        boss_held = (await dep.query("SELECT count(*) FROM outbox WHERE recipient = 'boss' AND status = 'pending'"))[0][0]
        await until(lambda: _arrived_to(dep, boss, 28), timeout=20)
        await until(lambda: _queued(dep, 80), timeout=20)  # every reply written (under load it may lag)
        await asyncio.sleep(2.0)
        got = sum(1 for _, to in dep.arrivals if to == boss)
        held = (await dep.outbox())["pending"]
        if HEAVY:
            await dep.settled(200)
        ledger = await dep.ledger(a)
        report("60 messages to one person in a minute, two servers (postgresql)", ledger,
               boss_in_first_minute=got, max_per_minute=dep.max_per_minute(), others_answered_s=round(others_after, 1), boss_held_meanwhile=boss_held)
        check = Checks("one person flooded")
        check.that(acked == 80 and (HEAVY or (got == 28 and held == 60 - 28)), f"{acked} acked, {got} to the boss, {held} held")
        check.that(dep.max_per_minute() <= 28, f"{dep.max_per_minute()} in 60 s")
        check.that(answered and boss_held > 0, f"others answered: {answered}, the boss's held rows then: {boss_held}")
        check.that(ledger.duplicated == ledger.in_doubt == 0, ledger.line())
    check.done()


async def _others_answered(dep: Deployment, count: int) -> bool:
    return sum(1 for _, to in dep.arrivals if to.startswith("o")) >= count


async def _arrived_to(dep: Deployment, user: str, count: int) -> bool:
    return sum(1 for _, to in dep.arrivals if to == user) >= count


SCENARIOS: dict[str, Callable[[Path], Awaitable[None]]] = {
    "test_sigterm_and_kill_while_sending_lose_nothing": _stop_then_crash_both,
    "test_wecom_errors_are_retried_not_lost": _wecom_errors,
    "test_token_faults_claim_nothing_and_show_in_healthz": _token_faults,
    "test_one_person_flooded_is_rate_limited_across_processes": _one_person_flooded,
    "test_frequency_limit_waits_a_minute_and_loses_nothing": _frequency_limited,
}


def test_sigterm_and_kill_while_sending_lose_nothing(running: dict[str, Future[None]], request: pytest.FixtureRequest) -> None:
    outcome(running, request)


def test_wecom_errors_are_retried_not_lost(running: dict[str, Future[None]], request: pytest.FixtureRequest) -> None:
    outcome(running, request)


def test_token_faults_claim_nothing_and_show_in_healthz(running: dict[str, Future[None]], request: pytest.FixtureRequest) -> None:
    outcome(running, request)


def test_one_person_flooded_is_rate_limited_across_processes(running: dict[str, Future[None]], request: pytest.FixtureRequest) -> None:
    outcome(running, request)


def test_frequency_limit_waits_a_minute_and_loses_nothing(running: dict[str, Future[None]], request: pytest.FixtureRequest) -> None:
    outcome(running, request)
