"""The fake WeCom (``bot.fakewecom``) in a process of its own, as WeCom is another machine in production: the
benchmarks measure the bot's CPU without the simulator's HTTP server work in it.

    python -m bot.fakewecom_process --corp-id wwbench000000001 --secret bench --agent-id 1000002

prints ``ready <API base URL>``, then answers each ``stats`` line read on stdin with one JSON line (messages
recorded, requests, this process's CPU seconds so far); it stops when stdin closes. :class:`FakeProcess`
starts and talks to it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import sys
from pathlib import Path
from typing import Any

from bot.fakewecom import FakeWeCom, serve

ROOT = Path(__file__).resolve().parent.parent  # where ``bot`` is imported from (the child imports the same)


def _stats(fake: FakeWeCom) -> dict[str, Any]:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {"sent": len(fake.sent), "send_requests": fake.send_requests, "token_requests": fake.token_requests,
            "cpu_user": usage.ru_utime, "cpu_system": usage.ru_stime}


async def _main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corp-id", required=True)
    ap.add_argument("--secret", required=True)
    ap.add_argument("--agent-id", type=int, required=True)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    args = ap.parse_args(argv)
    fake = FakeWeCom(corp_id=args.corp_id, secret=args.secret, agent_id=args.agent_id)
    runner, api_base = await serve(fake, args.host, args.port)
    loop = asyncio.get_running_loop()
    stdin = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(stdin), sys.stdin)
    print(f"ready {api_base}", flush=True)
    try:
        while line := await stdin.readline():
            if line.strip() == b"stats":
                print(json.dumps(_stats(fake)), flush=True)
    finally:
        await runner.cleanup()
    return 0


class FakeProcess:
    """A child process running the fake WeCom; :attr:`api_base` is its URL for the bot's settings."""

    def __init__(self, proc: asyncio.subprocess.Process, api_base: str) -> None:
        self._proc = proc
        self.api_base = api_base

    @classmethod
    async def start(cls, corp_id: str, secret: str, agent_id: int) -> FakeProcess:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, (str(ROOT), os.environ.get("PYTHONPATH"))))}
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.fakewecom_process", "--corp-id", corp_id, "--secret", secret,
            "--agent-id", str(agent_id), stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, env=env)
        assert proc.stdout is not None
        line = (await proc.stdout.readline()).decode().split()
        if line[:1] != ["ready"]:
            proc.kill()
            await proc.wait()
            raise RuntimeError(f"the fake WeCom did not start: {line!r}")
        return cls(proc, line[1])

    async def stats(self) -> dict[str, Any]:
        """Messages it recorded (``sent``), requests it answered, its CPU seconds so far (user, system)."""
        assert self._proc.stdin is not None and self._proc.stdout is not None
        self._proc.stdin.write(b"stats\n")
        await self._proc.stdin.drain()
        return dict(json.loads(await self._proc.stdout.readline()))

    async def stop(self) -> None:
        if self._proc.returncode is None:
            assert self._proc.stdin is not None
            self._proc.stdin.close()
            try:
                await asyncio.wait_for(self._proc.wait(), 10)
            except TimeoutError:
                self._proc.kill()
                await self._proc.wait()


if __name__ == "__main__":
    raise SystemExit(asyncio.run(_main()))
