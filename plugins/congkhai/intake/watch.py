"""Poll the inbox root of every commune and report each new file once it is stable (no Airflow here).

``InboxWatcher.poll()`` is called every ~2 s by the Airflow trigger (``congkhai.intake.trigger``)
and returns the files that became stable since the last call: their size and mtime were the same
in polls spanning ``stable_seconds``. A file is reported once per (size, mtime); one that changes
again (a re-copy) is reported again. The watcher only *notices*: claiming happens in the DAG run
(``process_inbox``), which also rescans everything, so a missed or duplicated event loses nothing.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from congkhai.intake.scan import is_junk


@dataclass
class _Seen:
    size: int
    mtime_ns: int
    since: float
    reported: bool = False


@dataclass
class InboxWatcher:
    inbox_root: Path
    stable_seconds: float = 5.0
    _seen: dict[str, _Seen] = field(default_factory=dict)

    def _listing(self) -> dict[str, tuple[int, int, str, str]]:
        """rel path -> (size, mtime_ns, commune, rel-within-commune) for every candidate file."""
        out: dict[str, tuple[int, int, str, str]] = {}
        try:
            communes = [e for e in os.scandir(self.inbox_root) if e.is_dir(follow_symlinks=False)
                        and not is_junk(e.name)]
        except OSError:
            return out

        def visit(path: str, commune: str, prefix: str, depth: int) -> None:
            try:
                entries = list(os.scandir(path))
            except OSError:
                return
            for e in entries:
                if is_junk(e.name):
                    continue
                rel = f"{prefix}{e.name}"
                if e.is_dir(follow_symlinks=False):
                    if depth == 0:
                        visit(e.path, commune, rel + "/", 1)
                    continue
                # sidecars are reported too: one dropped alone retries a document set aside
                try:
                    st = e.stat(follow_symlinks=False)
                except OSError:
                    continue
                out[f"{commune}/{rel}"] = (st.st_size, st.st_mtime_ns, commune, rel)

        for c in communes:
            visit(c.path, c.name, "", 0)
        return out

    def poll(self, now: float | None = None) -> list[dict]:
        """Files that have just become stable: ``{"commune", "rel", "size", "mtime_ns"}`` each."""
        now = time.monotonic() if now is None else now
        listing = self._listing()
        for gone in set(self._seen) - set(listing):
            del self._seen[gone]
        events = []
        for key, (size, mtime_ns, commune, rel) in sorted(listing.items()):
            s = self._seen.get(key)
            if s is None or (s.size, s.mtime_ns) != (size, mtime_ns):
                self._seen[key] = s = _Seen(size, mtime_ns, now)
            if not s.reported and now - s.since >= self.stable_seconds:
                s.reported = True
                events.append({"commune": commune, "rel": rel, "size": size, "mtime_ns": mtime_ns})
        return events
