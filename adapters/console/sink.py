"""The console's AlertSink: alerts printed on stdout."""

from __future__ import annotations

from typing import TextIO

from adapters.console.render import render_alert
from bot.ports import OutgoingAlert, Platform


class ConsoleSink:
    """Prints each alert; its reference is `console:<alert id>`."""

    platform: Platform = "console"

    def __init__(self, out: TextIO) -> None:
        self._out = out

    async def deliver(self, alert: OutgoingAlert) -> str:
        print(render_alert(alert), file=self._out, flush=True)
        return f"console:{alert.alert_id}"
