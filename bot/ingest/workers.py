"""Where feed documents are parsed: in worker processes, beside the event loop and the store.

feedparser is pure Python. Parsed in threads, it holds the GIL that the event loop and the
store's thread need, and each of their returns from I/O (a socket read, an SQLite step) waits
for it for up to the 5 ms switch interval: a poll cycle of 200 feeds took about twice as long
as parsing the same bytes alone. In a worker process parsing runs beside them, on another core
when there is one, and a slash command is answered while a cycle parses.

Workers start on the first parse (or `start()`), by `forkserver`, never `fork`: the bot runs
threads, and a forked child could inherit a lock one of them held. They ignore Ctrl-C (the bot
stops them when it stops). A worker that dies (killed, out of memory) fails the polls it was
running as ParseError; the next parse starts new workers.
`ParsePool(processes=0)` parses in threads instead: for tests and one-off tools.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime
from functools import partial

from bot.errors import ParseError
from bot.ingest.parser import ParsedFeed, TopicsOf, parse_feed


def default_processes() -> int:
    """One worker per core but one (left to the event loop and the store), from 1 to 4."""
    return max(1, min(4, (os.cpu_count() or 1) - 1))


def _start_method() -> str:
    return "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


def _ready() -> None:
    """Run by each worker at `start()`: importing this module imported the parser."""


def _ignore_interrupts() -> None:
    """Ctrl-C reaches the whole process group; stopping the workers is the bot's call."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class ParsePool:
    """Parses feed documents in `processes` worker processes (0: in threads)."""

    def __init__(self, processes: int | None = None) -> None:
        self._processes = default_processes() if processes is None else processes
        self._executor: ProcessPoolExecutor | None = None

    @property
    def processes(self) -> int:
        return self._processes

    async def parse(
        self,
        body: bytes,
        *,
        url: str,
        fetched_at: datetime,
        content_type: str | None = None,
        source: str | None = None,
        topics_of: TopicsOf | None = None,
    ) -> ParsedFeed:
        """`parse_feed` off the event loop. Raises ParseError (also when a worker dies)."""
        call = partial(parse_feed, body, url=url, fetched_at=fetched_at,
                       content_type=content_type, source=source, topics_of=topics_of)
        if not self._processes:
            return await asyncio.to_thread(call)
        executor = self._running()
        try:
            return await asyncio.get_running_loop().run_in_executor(executor, call)
        except BrokenProcessPool as exc:
            if self._executor is executor:
                self._executor = None
                executor.shutdown(wait=False, cancel_futures=True)
            raise ParseError("the parsing worker process stopped unexpectedly") from exc

    async def start(self) -> None:
        """Start the workers now rather than on the first parse, and wait until they are up."""
        if not self._processes:
            return
        executor = self._running()
        loop = asyncio.get_running_loop()
        await asyncio.gather(*(loop.run_in_executor(executor, _ready)
                               for _ in range(self._processes)))

    async def close(self) -> None:
        """Stop the workers, letting parses under way finish."""
        executor, self._executor = self._executor, None
        if executor is not None:
            await asyncio.to_thread(executor.shutdown, wait=True, cancel_futures=True)

    def _running(self) -> ProcessPoolExecutor:
        if self._executor is None:
            self._executor = ProcessPoolExecutor(
                self._processes, mp_context=multiprocessing.get_context(_start_method()),
                initializer=_ignore_interrupts)
        return self._executor
