"""A Reply as plain text for a terminal (pure)."""

from __future__ import annotations

from bot.models import Reply
from bot.ports import OutgoingAlert


def render(reply: Reply) -> str:
    """Title, fields as 'name: value', lines (with their links), footer."""
    out = [reply.title]
    out += [f"  {f.name}: {f.value}" for f in reply.fields]
    out += [f"  - {line.text}" + (f" <{line.url}>" if line.url else "") for line in reply.lines]
    if reply.image_png is not None:
        out.append(f"  [chart: {len(reply.image_png)} bytes of PNG]")
    if reply.footer:
        out.append(f"  ({reply.footer})")
    return "\n".join(out)


def render_alert(alert: OutgoingAlert) -> str:
    """An alert, marked as such; an update says what it updates; a ping goes first."""
    level = "" if alert.significance == "normal" else f", {alert.significance}"
    head = f"[alert {alert.alert_id}{level}]"
    if alert.reply_to:
        head = f"[update to {alert.reply_to}]"
    ping = f"{alert.ping} " if alert.ping else ""
    return f"{ping}{head} {render(alert.reply)}"
