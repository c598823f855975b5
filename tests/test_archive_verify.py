"""``verify`` re-hashes the tree: a flipped byte, a deleted file and a stray file are all reported."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from congkhai.archive import verify
from tests.archive_support import populate, sample_files


@pytest.fixture
def root(tmp_path: Path) -> Path:
    populate(tmp_path / "archive", sample_files(tmp_path / "src"))
    return tmp_path / "archive"


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "congkhai.cli", "archive", *args],
                          capture_output=True, text=True, timeout=120)


def test_intact_archive_verifies(root: Path) -> None:
    report = verify(root)
    assert report.ok and report.checked == 9
    r = _cli("verify", "--archive", str(root))
    assert r.returncode == 0, r.stderr
    assert "toàn vẹn" in r.stdout


def test_flipped_byte_deleted_file_and_stray_file_are_reported(root: Path) -> None:
    """GIVEN a filed PDF with one byte flipped, another deleted and a file dropped in by hand
    WHEN verify runs THEN each is reported under its own heading and the CLI exits 1."""
    case_dir = next((root / "kep/2024/02/02").iterdir())
    flipped = case_dir / "03_bien-ban-niem-yet-ubnd_so-05-BB-UBND_v1.pdf"
    data = bytearray(flipped.read_bytes())
    data[len(data) // 2] ^= 0x01
    flipped.write_bytes(bytes(data))
    deleted = case_dir / "00_van-ban-goc_15-QD-UBND_v1.pdf"
    deleted.unlink()
    (root / "kep/2024/01/scan-chua-xu-ly.pdf").write_bytes(b"%PDF-1.4")
    report = verify(root, "kep")
    rel = lambda p: p.relative_to(root).as_posix()  # noqa: E731
    assert report.changed == [rel(flipped)]
    assert report.missing == [rel(deleted)]
    assert report.unknown == ["kep/2024/01/scan-chua-xu-ly.pdf"]
    assert not report.ok
    r = _cli("verify", "--archive", str(root), "--commune", "kep", "--json")
    assert r.returncode == 1
    out = json.loads(r.stdout)
    assert out["changed"] == [rel(flipped)] and out["missing"] == [rel(deleted)] and out["ok"] is False


def test_damaged_manifest_and_index_is_ignored(root: Path) -> None:
    (root / "kep/2024/00_ca-nam/manifest.json").write_text("{", encoding="utf-8")
    report = verify(root)
    assert report.damaged == ["kep/2024/00_ca-nam/manifest.json"]
    assert report.unknown == ["kep/2024/00_ca-nam/08_danh-muc-cong-khai-quy_2024-q1_so-01-TB-UBND_v1.pdf"]
    assert not any(".index" in p for p in report.unknown)  # the derived index is never "unknown"
