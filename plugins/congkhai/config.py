"""Where things live: one place that turns environment variables into paths.

Every path is per commune, so several communes work side by side in one installation:

    $CONGKHAI_COMMUNES/<commune>/            the commune's profile and yearly plans (configuration)
    $CONGKHAI_INBOX/<commune>/               staff drop newly issued documents here
    $CONGKHAI_DATA/errors/<commune>/         documents set aside, each with a .txt saying what to fix
    $CONGKHAI_DATA/review/<commune>/         documents waiting for a person to confirm their plan item
    $CONGKHAI_DATA/processing/<commune>/     claimed documents (same filesystem as the inbox)
    $CONGKHAI_ARCHIVE/<commune>/             the archive tree (the durable record)
    $CONGKHAI_DATA/state/<commune>/          the register of official numbers and other state

Defaults put everything under the repository (``communes/`` and ``data/``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
#: The repository root when running from a checkout (plugins/congkhai -> repo).
REPO_ROOT = PACKAGE_DIR.parent.parent


def _path(env: str, default: Path) -> Path:
    value = os.environ.get(env)
    return Path(value).expanduser().resolve() if value else default


@dataclass(frozen=True)
class Settings:
    communes_dir: Path
    data_dir: Path
    inbox_root: Path
    archive_root: Path
    templates_dir: Path
    gotenberg_url: str | None
    converter_instances: int
    index_url: str | None

    def commune_dir(self, commune: str) -> Path:
        return self.communes_dir / commune

    def inbox_dir(self, commune: str) -> Path:
        return self.inbox_root / commune

    def errors_dir(self, commune: str) -> Path:
        return self.data_dir / "errors" / commune

    def review_dir(self, commune: str) -> Path:
        return self.data_dir / "review" / commune

    def processing_dir(self, commune: str) -> Path:
        return self.data_dir / "processing" / commune

    def archive_dir(self, commune: str) -> Path:
        return self.archive_root / commune

    def state_dir(self, commune: str) -> Path:
        return self.data_dir / "state" / commune


def settings() -> Settings:
    """Read the settings from the environment (cheap; call it where needed, never cache globally)."""
    data = _path("CONGKHAI_DATA", REPO_ROOT / "data")
    return Settings(
        communes_dir=_path("CONGKHAI_COMMUNES", REPO_ROOT / "communes"),
        data_dir=data,
        inbox_root=_path("CONGKHAI_INBOX", data / "inbox"),
        archive_root=_path("CONGKHAI_ARCHIVE", data / "archive"),
        templates_dir=_path("CONGKHAI_TEMPLATES", REPO_ROOT / "templates_docx"),
        gotenberg_url=os.environ.get("GOTENBERG_URL") or None,
        converter_instances=int(os.environ.get("CONGKHAI_CONVERTERS", "2")),
        index_url=os.environ.get("CONGKHAI_INDEX_URL") or None,
    )


def list_communes(s: Settings | None = None) -> list[str]:
    """The communes configured in this installation: every folder of the communes dir with a commune.yaml."""
    s = s or settings()
    if not s.communes_dir.is_dir():
        return []
    found = sorted(p.name for p in s.communes_dir.iterdir() if (p / "commune.yaml").is_file())
    # CONGKHAI_ONLY_COMMUNES=kep,tan-hoa: this installation (or a replay) serves only these.
    only = {c.strip() for c in os.environ.get("CONGKHAI_ONLY_COMMUNES", "").split(",") if c.strip()}
    return [c for c in found if c in only] if only else found
