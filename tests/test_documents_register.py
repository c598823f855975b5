"""The register of official numbers: unique, stable, per year and type, concurrent-safe."""

from __future__ import annotations

import multiprocessing as mp
from pathlib import Path

import pytest

from congkhai.documents.register import Register
from congkhai.errors import PermanentError, UsageError


def test_numbers_start_at_one_per_year_and_series(tmp_path: Path) -> None:
    reg = Register("kep", path=tmp_path / "r.sqlite")
    assert reg.number_for(2024, "BB", "a") == 1
    assert reg.number_for(2024, "BB", "b") == 2
    assert reg.number_for(2024, "KH", "a") == 1  # another type code: its own counter
    assert reg.number_for(2025, "BB", "c") == 1  # 1 January: starts again at 01
    assert reg.number_for(2024, "BC-ĐTT", "a") == 1


def test_same_key_same_number(tmp_path: Path) -> None:
    reg = Register("kep", path=tmp_path / "r.sqlite")
    first = reg.number_for(2024, "BB", "20240105-15-qd-ubnd/posting_start_ubnd/")
    reg.number_for(2024, "BB", "other")
    again = Register("kep", path=tmp_path / "r.sqlite").number_for(2024, "BB", "20240105-15-qd-ubnd/posting_start_ubnd/")
    assert first == again == 1
    assert reg.lookup(2024, "BB", "other") == 2 and reg.lookup(2024, "BB", "missing") is None
    assert [i.number for i in reg.issued(2024, "BB")] == [1, 2]


def test_set_next_continues_from_paper(tmp_path: Path) -> None:
    reg = Register("kep", path=tmp_path / "r.sqlite")
    reg.set_next(2024, "BB", 12)
    assert reg.peek(2024, "BB") == 12
    assert reg.number_for(2024, "BB", "x") == 12
    assert reg.number_for(2024, "BB", "y") == 13
    with pytest.raises(PermanentError):
        reg.set_next(2024, "BB", 13)  # already issued: would duplicate
    with pytest.raises(UsageError):
        reg.set_next(2024, "BB", 0)


def test_blank_numbers(tmp_path: Path) -> None:
    reg = Register("kep", path=tmp_path / "r.sqlite")
    assert reg.number_for(2024, "BB", "numbered") == 1
    reg.set_blank_numbers(True)
    assert reg.blank_numbers
    assert reg.number_for(2024, "BB", "new") is None
    assert reg.number_for(2024, "BB", "numbered") == 1  # already printed: keeps its number
    reg.set_blank_numbers(False)
    assert reg.number_for(2024, "BB", "new") == 2


def test_default_path_is_state_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONGKHAI_DATA", str(tmp_path))
    reg = Register("kep")
    reg.number_for(2024, "TB", "k")
    assert (tmp_path / "state" / "kep" / "register.sqlite").is_file()


def _worker(args: tuple[str, int]) -> list[int]:
    path, w = args
    reg = Register("kep", path=Path(path))
    return [reg.number_for(2024, "BB", f"w{w}-{i}") or 0 for i in range(15)]


def test_concurrent_processes_get_unique_numbers(tmp_path: Path) -> None:
    path = str(tmp_path / "r.sqlite")
    Register("kep", path=Path(path)).peek(2024, "BB")  # create the schema first
    with mp.get_context("spawn").Pool(4) as pool:
        results = pool.map(_worker, [(path, w) for w in range(4)])
    numbers = sorted(n for r in results for n in r)
    assert numbers == list(range(1, 61))
    # and again: every key keeps its number
    assert pool is not None
    reg = Register("kep", path=Path(path))
    assert {reg.lookup(2024, "BB", f"w{w}-{i}") for w in range(4) for i in range(15)} == set(range(1, 61))


def test_paper_numbers_are_never_given_again(tmp_path: Path) -> None:
    """GIVEN a notice numbered 03/TB-UBND on paper and dropped in the inbox WHEN the register records it
    THEN the product's own notices skip 03, the same record twice is harmless, and a number the
    register already gave to another document is reported as a collision."""
    reg = Register("kep", path=tmp_path / "r.sqlite")
    assert reg.number_for(2024, "TB", "a") == 1
    assert reg.record_external(2024, "TB", 3, "external/x") is None
    assert reg.record_external(2024, "TB", 3, "external/x") is None
    assert reg.number_for(2024, "TB", "b") == 4
    assert reg.record_external(2024, "TB", 1, "external/y") == "a"
