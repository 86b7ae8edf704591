"""Commands read from a stream are answered through the command layer."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime

from adapters.console.repl import read_commands
from adapters.console.sink import ConsoleSink
from bot.commands.handler import Commands, LiveConfig
from bot.models import Reply
from bot.ports import OutgoingAlert
from bot.settings import LoadedConfig
from bot.store import SqlStore
from tests.tracking_factories import Clock, article, development, record, settings

NOW = datetime(2024, 5, 10, tzinfo=UTC)


async def test_each_line_is_answered_until_the_input_ends(store: SqlStore) -> None:
    """Two commands in, two answers out, blank lines ignored."""
    conf = settings()
    await record(store, article("a1"), [development("proposal_rejected", "Israel")], conf, NOW)
    commands = Commands(store, LiveConfig(LoadedConfig(path="x.yaml", settings=conf)),  # type: ignore[arg-type]
                        Clock(NOW))
    reader = asyncio.StreamReader()
    reader.feed_data(b"status talks\n\nmute talks 1h\n")
    reader.feed_eof()
    out = io.StringIO()
    await read_commands(commands, reader, out)
    text = out.getvalue()
    assert "Gaza talks: stalled since 9 May 2024" in text
    assert "Alerts for talks muted until" in text  # the console user is the admin


async def test_the_console_sink_prints_and_returns_a_reference() -> None:
    """deliver prints the alert and answers console:<id>."""
    out = io.StringIO()
    ref = await ConsoleSink(out).deliver(OutgoingAlert(alert_id=7, channel="console",
                                                       reply=Reply(title="Hello")))
    assert (ref, out.getvalue()) == ("console:7", "[alert 7] Hello\n")
