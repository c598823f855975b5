"""The replay's arrival log (``samples/kep-2024/replay.yaml``): the day each sample is dropped.

It spares the replay reading every document (OCR of the scans: about 30 s) just to learn its drop day;
it must list every sample, and for the documents whose issue date can be read cheaply it must agree
with what intake reads."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from congkhai.airflow.replay import ARRIVALS, DOC_SUFFIXES, drop_dates, read_arrivals
from congkhai.intake.extract import inspect

SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "kep-2024"


def test_the_arrival_log_lists_every_sample_once():
    log = read_arrivals(SAMPLES)
    docs = sorted(p.name for p in SAMPLES.iterdir() if p.suffix.lower() in DOC_SUFFIXES)
    assert sorted(log) == docs
    assert all(d.year == 2024 for d in log.values())


def test_the_arrival_log_agrees_with_the_issue_dates_read():
    """Text PDFs and DOCX are read in milliseconds: each one's logged day is its issue date."""
    log = read_arrivals(SAMPLES)
    checked = 0
    for name, day in log.items():
        p = SAMPLES / name
        if p.suffix.lower() == ".docx" or (p.suffix.lower() == ".pdf" and not name.startswith(("scan", "2024"))):
            info = inspect(p, classify=False)
            issued = dt.date.fromisoformat(info.issued) if isinstance(info.issued, str) else info.issued
            assert issued == day, name
            checked += 1
    assert checked >= 25


def test_the_log_comes_before_sidecar_and_reading(tmp_path):
    (tmp_path / "a.pdf").write_bytes(b"not a pdf")  # never read: the log dates it
    (tmp_path / "b.docx").write_bytes(b"not a docx")
    (tmp_path / "b.yaml").write_text("dropped: 2024-03-04\n", encoding="utf-8")
    (tmp_path / "c.pdf").write_bytes(b"unreadable")
    (tmp_path / ARRIVALS).write_text('dropped:\n  "a.pdf": 2024-02-05\n', encoding="utf-8")
    by_day, undated = drop_dates(tmp_path, 2024)
    assert {d: [p.name for p in ps] for d, ps in by_day.items()} == {
        dt.date(2024, 2, 5): ["a.pdf"], dt.date(2024, 3, 4): ["b.docx"], dt.date(2024, 1, 2): ["c.pdf"]}
    assert undated == ["c.pdf"]


@pytest.mark.parametrize("text", ["dropped: [1, 2]\n", 'dropped:\n  "a.pdf": 2024-13-01\n', "other: 1\n", "a: [\n"])
def test_a_bad_arrival_log_is_refused_with_its_name(tmp_path, text):
    (tmp_path / ARRIVALS).write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match="sổ văn bản đến"):
        read_arrivals(tmp_path)


def test_the_replay_command_refuses_a_bad_log_before_any_dag_runs(tmp_path):
    from typer.testing import CliRunner

    from congkhai.cli import app

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / ARRIVALS).write_text("dropped: [1\n", encoding="utf-8")
    r = CliRunner().invoke(app, ["replay", "--commune", "kep", "--year", "2024", "--inbox", str(tmp_path / "in"),
                                 "--archive", str(tmp_path / "archive")])
    assert r.exit_code == 2 and "sổ văn bản đến không hợp lệ" in r.output
    assert not (tmp_path / "archive").exists()
