"""Where a commune's site is written: ``$CONGKHAI_SITE/<commune>`` (default ``$CONGKHAI_DATA/site/<commune>``)."""

from __future__ import annotations

import os
from pathlib import Path

from congkhai.config import Settings, settings


def site_root(s: Settings | None = None) -> Path:
    value = os.environ.get("CONGKHAI_SITE")
    if value:
        return Path(value).expanduser().resolve()
    return (s or settings()).data_dir / "site"


def site_dir(commune: str, s: Settings | None = None) -> Path:
    return site_root(s) / commune
