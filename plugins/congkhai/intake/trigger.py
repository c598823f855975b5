"""Airflow event trigger: one ``TriggerEvent`` per new stable file in any commune's inbox.

Used by the intake DAG as ``Asset(..., watchers=[AssetWatcher(name=..., trigger=InboxTrigger())])``.
It must live in an importable package (the triggerer cannot import from ``dags/``). Polling with
``os.scandir`` every ``poll_interval`` seconds works on local disks and on network shares, where
inotify sends nothing. Several events may be collapsed into one DAG run, and a restarted triggerer
forgets what it saw: the DAG must process the whole inbox each run (``process_inbox`` does), and a
periodic rescan is the safety net.

This is the only intake module that imports Airflow.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from airflow.triggers.base import BaseEventTrigger, TriggerEvent

CLASSPATH = "congkhai.intake.trigger.InboxTrigger"


class InboxTrigger(BaseEventTrigger):
    """Watch ``inbox_root`` (default: the configured inbox root) for new stable files."""

    def __init__(self, inbox_root: str | None = None, poll_interval: float = 2.0,
                 stable_seconds: float = 5.0) -> None:
        super().__init__()
        self.inbox_root = inbox_root
        self.poll_interval = float(poll_interval)
        self.stable_seconds = float(stable_seconds)

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return CLASSPATH, {"inbox_root": self.inbox_root, "poll_interval": self.poll_interval,
                           "stable_seconds": self.stable_seconds}

    def _root(self) -> Path:
        if self.inbox_root:
            return Path(self.inbox_root)
        from congkhai.config import settings

        return settings().inbox_root

    async def run(self) -> AsyncIterator[TriggerEvent]:
        from congkhai.intake.watch import InboxWatcher

        watcher = InboxWatcher(self._root(), stable_seconds=self.stable_seconds)
        while True:
            # scandir blocks: keep the triggerer's event loop free for the other triggers
            events = await asyncio.to_thread(watcher.poll)
            for ev in events:
                yield TriggerEvent(ev)
            await asyncio.sleep(self.poll_interval)
