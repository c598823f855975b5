"""``congkhai archive find|reindex`` from the command line: JSON shape, defaults, errors (exit 2)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.archive_support import populate, sample_files

CASE_KEYS = {"case_id", "issued", "item", "doc_number", "doc_code", "subject", "path", "files"}
FILE_KEYS = {"kind", "path", "sha256", "version", "doc_date", "number", "code", "state"}


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("cli")
    populate(tmp / "archive", sample_files(tmp / "src"))
    return tmp / "archive"


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "congkhai.cli", "archive", *args], capture_output=True,
                          text=True, timeout=120, env={**os.environ, **(env or {})})


def test_find_json_shape(root: Path) -> None:
    r = run("find", "--from", "2024-01-01", "--to", "2024-12-31", "--text", "dong quan", "--commune", "kep",
            "--archive", str(root), "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    # With a text, the best match first: "Đồng Quan" is in the road case's subject, in the others' minutes.
    assert out[0]["case_id"] == "20240306-07-kh-ubnd"
    assert sorted(e["case_id"] for e in out[1:]) == ["20240110-20-qd-ubnd", "20240202-15-qd-ubnd"]
    for e in out:
        assert set(e) == CASE_KEYS
        assert e["path"].startswith("kep/2024/") and (root / e["path"] / "manifest.json").is_file()
        for f in e["files"]:
            assert set(f) == FILE_KEYS and (root / f["path"]).is_file() and len(f["sha256"]) == 64
    c = next(e for e in out if e["case_id"] == "20240202-15-qd-ubnd")
    assert (c["issued"], c["item"], c["doc_number"], c["doc_code"]) == ("2024-02-02", "Q1-7", "15", "QĐ-UBND")
    assert [f["kind"] for f in c["files"]] == ["original", "posting_start_ubnd", "posting_start_ubnd",
                                               "posting_end"]


def test_find_defaults_to_configured_archive_and_prints_vietnamese(root: Path) -> None:
    r = run("find", "--on", "2024-04-02", env={"CONGKHAI_ARCHIVE": str(root)})
    assert r.returncode == 0, r.stderr
    assert "Danh mục thông tin đã công khai quý I năm 2024" in r.stdout and "Tổng: 1 kết quả." in r.stdout
    r = run("find", "--item", "khong-co", "--archive", str(root))
    assert r.returncode == 0 and "Không tìm thấy" in r.stdout


def test_usage_errors_exit_2_in_one_line(root: Path, tmp_path: Path) -> None:
    for args in (["--on", "2024-02-30"], ["--on", "2024-02-02", "--from", "2024-01-01"],
                 ["--from", "2024-03-01", "--to", "2024-02-01"], ["--kind", "bien-ban"]):
        r = run("find", *args, "--archive", str(root))
        assert r.returncode == 2, (args, r.stdout)
        assert r.stderr.startswith("lỗi: ") and "Traceback" not in r.stderr and r.stderr.count("\n") == 1
    r = run("find", "--archive", str(tmp_path / "khong-co"))
    assert r.returncode == 2 and "Không có thư mục lưu trữ" in r.stderr


def test_reindex_command(root: Path) -> None:
    r = run("reindex", "--archive", str(root))
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("kep: 5 thư mục, 5 mục, 9 tệp")
