"""Test set-up shared by every test.

Airflow reads its configuration at import time, so its environment is set here, before any
test module imports it: a private AIRFLOW_HOME with its own SQLite DB, our dags/ and plugins/.
The congkhai folders (inbox, archive, state) point into a per-session temp dir so no test writes
into the repository.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
_SESSION_TMP = Path(tempfile.mkdtemp(prefix="congkhai-tests-"))

os.environ["AIRFLOW_HOME"] = str(_SESSION_TMP / "airflow")
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(REPO / "dags")
os.environ["AIRFLOW__CORE__PLUGINS_FOLDER"] = str(REPO / "plugins")
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ["AIRFLOW__CORE__UNIT_TEST_MODE"] = "True"
os.environ["AIRFLOW__CORE__EXECUTOR"] = "LocalExecutor"
os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = f"sqlite:///{_SESSION_TMP}/airflow/airflow.db"
os.environ["AIRFLOW__CORE__DEFAULT_TIMEZONE"] = "Asia/Ho_Chi_Minh"
os.environ.setdefault("AIRFLOW__API_AUTH__JWT_SECRET", "x" * 64)
os.environ["CONGKHAI_DATA"] = str(_SESSION_TMP / "data")
os.environ.pop("GOTENBERG_URL", None) if not os.environ.get("CONGKHAI_TEST_LIVE") else None
(_SESSION_TMP / "airflow").mkdir(parents=True, exist_ok=True)


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture(scope="session")
def airflow_db():
    """A fresh, migrated Airflow metadata DB, once per test session."""
    from airflow.utils import db

    db.resetdb()
    yield


@pytest.fixture
def kep_inbox_settings(tmp_path, monkeypatch):
    """Settings whose data folders are in ``tmp_path`` (the repository's communes), Kép's inbox made."""
    from congkhai.config import settings

    monkeypatch.setenv("CONGKHAI_DATA", str(tmp_path / "data"))
    for var in ("CONGKHAI_INBOX", "CONGKHAI_ARCHIVE", "CONGKHAI_INDEX_URL", "CONGKHAI_COMMUNES"):
        monkeypatch.delenv(var, raising=False)
    s = settings()
    s.inbox_dir("kep").mkdir(parents=True)
    return s


# The test files that take longest (pytest --durations, 2026-12-03), run first: `make test` spreads the
# files over the cores (pytest-xdist, --dist loadfile, scripts/test.sh), and a long file started last
# would leave the other cores idle at the end. The other files keep their order, after these.
SLOW_FIRST = [
    "tests/test_pipeline_crash.py",
    "tests/test_intake_claim.py",
    "tests/test_pipeline_e2e.py",
    "tests/test_publish.py",
    "tests/test_intake_extract.py",
    "tests/test_evidence_standalone.py",
    "tests/test_extract_determinism.py",
    "tests/test_replay_evidence.py",
    "tests/test_signed_scans.py",
    "tests/test_cockpit_browser.py",
    "tests/test_one_schedule.py",
    "tests/test_verify_dossier.py",
    "tests/test_evidence_documents.py",
    "tests/test_cover_letter_documents.py",
    "tests/dags/test_evidence_dag.py",
    "tests/test_pipeline_actions.py",
    "tests/test_register_postgres.py",
    "tests/test_dossier_contents.py",
    "tests/test_review_counted.py",
    "tests/test_archive_browser.py",
    "tests/test_status.py",
    "tests/hostile/test_hostile_corpus.py",
    "tests/test_convert_local.py",
    "tests/test_profile_dated.py",
]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    rank = {name: i for i, name in enumerate(SLOW_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(rank)))  # stable within a file
