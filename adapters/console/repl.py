"""Commands typed on stdin, answered on stdout: the console's CommandHandler front-end.

The console's user is whoever runs the process, so they are an admin.
"""

from __future__ import annotations

import asyncio
import os
import stat
import sys
from typing import TextIO

from adapters.console.render import render
from bot.ports import CommandHandler, CommandRequest


async def read_commands(handler: CommandHandler, lines: asyncio.StreamReader | None = None,
                        out: TextIO = sys.stdout) -> None:
    """Answer each line until end of input."""
    reader = lines or await _stdin_reader()
    if reader is None:
        return
    while line := await reader.readline():
        text = line.decode("utf-8", errors="replace").strip()
        if not text:
            continue
        reply = await handler.handle(CommandRequest(text=text, platform="console",
                                                    user_id="console", is_admin=True))
        print(render(reply), file=out, flush=True)


async def _stdin_reader() -> asyncio.StreamReader | None:
    """stdin as an async stream: a terminal or pipe is read as it comes, a file at once;
    None when there is nothing to read (closed, /dev/null)."""
    try:
        mode = os.fstat(sys.stdin.fileno()).st_mode
    except (OSError, ValueError, AttributeError):
        return None
    reader = asyncio.StreamReader()
    if stat.S_ISREG(mode):
        reader.feed_data(await asyncio.to_thread(sys.stdin.buffer.read))
        reader.feed_eof()
        return reader
    if not (stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode) or sys.stdin.isatty()):
        return None
    loop = asyncio.get_running_loop()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    return reader
