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

State several hosts share (the register of official numbers) goes to PostgreSQL when
``CONGKHAI_STATE_URL`` is a ``postgresql://`` URL, or, when that is unset, when ``CONGKHAI_INDEX_URL``
is one (one database for the province); ``CONGKHAI_STATE_URL=sqlite`` keeps it in ``state/`` even then.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from congkhai.errors import ConfigError

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
    #: PostgreSQL URL of the shared state (see ``state_url_from_env``); None: SQLite under state_dir.
    state_url: str | None = None

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
        state_url=state_url_from_env(),
    )


def is_postgres_url(url: str | None) -> bool:
    return bool(url) and str(url).startswith(("postgresql://", "postgres://"))


def state_url_from_env() -> str | None:
    """Where the shared state lives: ``CONGKHAI_STATE_URL``, else a PostgreSQL ``CONGKHAI_INDEX_URL``.

    ``None`` means SQLite files under ``CONGKHAI_DATA/state`` (one host, or a shared filesystem with
    reliable POSIX locks). ``CONGKHAI_STATE_URL=sqlite`` forces that. Any other value is returned as
    given: the register refuses it (``check_state_url``) rather than silently falling back to SQLite.
    """
    explicit = (os.environ.get("CONGKHAI_STATE_URL") or "").strip()
    if explicit:
        return None if explicit.lower() == "sqlite" else explicit
    index = os.environ.get("CONGKHAI_INDEX_URL") or None
    return index if is_postgres_url(index) else None


def check_state_url(url: str) -> str:
    """``url`` when it is a PostgreSQL URL, else ConfigError (a typo must not split the register)."""
    if not is_postgres_url(url):
        raise ConfigError(
            "CONGKHAI_STATE_URL phải là địa chỉ postgresql://… hoặc 'sqlite'",
            f"CONGKHAI_STATE_URL must be a postgresql:// URL or 'sqlite' (got {url.split('@')[-1]!r})",
            kind="bad_setting", field="CONGKHAI_STATE_URL")
    return url


def list_communes(s: Settings | None = None) -> list[str]:
    """The communes configured in this installation: every folder of the communes dir with a commune.yaml."""
    s = s or settings()
    if not s.communes_dir.is_dir():
        return []
    found = sorted(p.name for p in s.communes_dir.iterdir() if (p / "commune.yaml").is_file())
    # CONGKHAI_ONLY_COMMUNES=kep,tan-hoa: this installation (or a replay) serves only these.
    only = {c.strip() for c in os.environ.get("CONGKHAI_ONLY_COMMUNES", "").split(",") if c.strip()}
    return [c for c in found if c in only] if only else found
