"""Safe claiming: hostile inputs, overrides, duplicates, crash-safety, 500 files at once.

Real files, real archive (congkhai.archive), real plan of Kép 2024; all paths in tmp_path.
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
import unicodedata
import zipfile
from pathlib import Path

import pytest

from congkhai.config import settings
from congkhai.intake.claim import IntakeOptions, acknowledge, is_junk, process_inbox, safe_name

sys.path.insert(0, str(Path(__file__).parent))
from corpus import make_corpus  # noqa: E402

FAST = IntakeOptions(stable_seconds=0, settle_seconds=0, review_threshold=0.5)
D = make_corpus.D


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("CONGKHAI_DATA", str(tmp_path / "data"))
    monkeypatch.delenv("CONGKHAI_INBOX", raising=False)
    monkeypatch.delenv("CONGKHAI_ARCHIVE", raising=False)
    monkeypatch.delenv("CONGKHAI_INDEX_URL", raising=False)
    s = settings()
    s.inbox_dir("kep").mkdir(parents=True)
    return s


@pytest.fixture(scope="session")
def template_docx(tmp_path_factory) -> bytes:
    """One real Nghị định 30 .docx (Q4-8 list of conscripts, clearly classified)."""
    spec = make_corpus.Spec("t.docx", "docx", "220", "QĐ-UBND", D(2024, 12, 10), "QUYẾT ĐỊNH",
                            ["Về việc phê duyệt danh sách công dân đủ điều kiện nhập ngũ năm 2025"],
                            "Đặng Minh Khôi", item="Q4-8")
    p = tmp_path_factory.mktemp("tpl") / "t.docx"
    make_corpus.write_docx(spec, p)
    return p.read_bytes()


def variant(template: bytes, number: int, *, day: int = 10, extra: str = "") -> bytes:
    """The template with another number (and day): distinct bytes, distinct case, in ~1 ms."""
    src = zipfile.ZipFile(io.BytesIO(template))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "word/document.xml":
                data = data.replace("Số: 220/".encode(), f"Số: {number}/".encode())
                data = data.replace("ngày 10 tháng 12".encode(), f"ngày {day:02d} tháng 12".encode())
                data = data.replace("Đặng Minh Khôi".encode(), f"Đặng Minh Khôi{extra}".encode())
            z.writestr(info, data)
    return out.getvalue()


def drop(s, name: str, data: bytes, sub: str | None = None, age: float = 60) -> Path:
    folder = s.inbox_dir("kep") / sub if sub else s.inbox_dir("kep")
    folder.mkdir(parents=True, exist_ok=True)
    p = folder / name
    p.write_bytes(data)
    t = time.time() - age
    os.utime(p, (t, t))
    return p


def archived_originals(s) -> list[Path]:
    root = s.archive_dir("kep")
    return sorted(p for p in root.rglob("00_van-ban-goc*")) if root.exists() else []


def note_of(p: Path) -> str:
    return Path(str(p) + ".txt").read_text(encoding="utf-8")


# ------------------------------------------------------------------ the happy path


def test_dropped_document_becomes_an_archived_case(env, template_docx):
    """GIVEN a docx in the inbox WHEN processed THEN one case, original byte-identical in the archive."""
    drop(env, "Document1.docx", template_docx)
    r = process_inbox("kep", env, options=FAST)
    assert r.new == ["20241210-220-qd-ubnd"]
    case = r.cases[0]
    assert (case.item, case.law_item, case.doc_type) == ("Q4-8", 9, "QUYẾT ĐỊNH")
    assert case.sha256 and case.original_name == "Document1.docx"
    [orig] = archived_originals(env)
    assert orig.read_bytes() == template_docx
    assert not any(env.inbox_dir("kep").iterdir())
    assert not any(env.processing_dir("kep").iterdir())
    # reported until the pipeline acknowledges it, then no more
    assert [c.case_id for c in process_inbox("kep", env, options=FAST).cases] == [case.case_id]
    acknowledge("kep", [case.case_id], env)
    assert process_inbox("kep", env, options=FAST).cases == []


def test_unstable_and_junk_files_are_left_alone(env, template_docx):
    young = drop(env, "new.docx", template_docx, age=0)
    junk = [drop(env, n, b"x") for n in ("~$new.docx", ".~lock.new.docx#", "._new.docx", ".DS_Store",
                                         "Thumbs.db", "desktop.ini", "a.part", "b.crdownload", "c.tmp", ".hidden")]
    r = process_inbox("kep", env, options=IntakeOptions(stable_seconds=30, settle_seconds=0))
    assert r.new == [] and "new.docx" in r.waiting
    assert young.exists() and all(p.exists() for p in junk)
    assert all(is_junk(p.name) for p in junk)


def test_file_growing_during_the_settle_look_is_not_claimed(env, template_docx):
    p = drop(env, "copying.docx", template_docx[:1000])
    opts = IntakeOptions(stable_seconds=0, settle_seconds=0.6)
    import threading

    def grow():
        time.sleep(0.2)
        with open(p, "ab") as f:
            f.write(b"more")
        t = time.time() - 60  # a copier that keeps the old mtime ("sticky" write time)
        os.utime(p, (t, t - 1))

    th = threading.Thread(target=grow)
    th.start()
    r = process_inbox("kep", env, options=opts)
    th.join()
    assert p.exists() and "copying.docx" in r.waiting


# ------------------------------------------------------------------ overrides and review


def test_sidecar_and_folder_overrides(env, template_docx):
    drop(env, "a.docx", variant(template_docx, 301))
    drop(env, "a.docx.yaml", b"item: Q4-9\ndropped: 2024-12-11\n")
    drop(env, "b.docx", variant(template_docx, 302), sub="Q4-10")
    r = process_inbox("kep", env, options=FAST)
    by_num = {c.doc_number: c for c in r.cases}
    assert by_num["301"].item == "Q4-9" and by_num["301"].extra["classified_by"] == "sidecar"
    assert str(by_num["301"].dropped) == "2024-12-11"
    assert by_num["302"].item == "Q4-10" and by_num["302"].extra["classified_by"] == "folder"


def test_unknown_item_folder_is_quarantined_with_a_note(env, template_docx):
    drop(env, "c.docx", template_docx, sub="Q9-99")
    r = process_inbox("kep", env, options=FAST)
    assert r.errors and r.errors[0]["kind"] == "unknown_item"
    assert "Q9-99" in note_of(Path(r.errors[0]["path"]))


def test_low_confidence_goes_to_review_and_a_sidecar_brings_it_back(env, template_docx):
    opts = IntakeOptions(stable_seconds=0, settle_seconds=0, review_threshold=0.99)
    drop(env, "scan.docx", template_docx)
    r = process_inbox("kep", env, options=opts)
    assert r.new == [] and len(r.review) == 1
    parked = Path(r.review[0]["path"])
    note = note_of(parked)
    assert "item:" in note and "scan.yaml" in note and "English" in note
    # staff confirm the item by dropping a sidecar alone in the inbox
    drop(env, "scan.yaml", b"item: Q4-8\n")
    r = process_inbox("kep", env, options=opts)
    assert r.retried == ["scan.docx"] and r.new == ["20241210-220-qd-ubnd"]
    assert r.cases[0].item == "Q4-8"
    assert not parked.exists()


def test_undated_document_goes_to_review(env, template_docx):
    data = template_docx.replace(b"x", b"x")
    z = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as w:
        for info in z.infolist():
            d = z.read(info)
            if info.filename == "word/document.xml":
                d = d.replace("ngày 10 tháng 12 năm 2024".encode(), b"")
            w.writestr(info, d)
    drop(env, "nodate.docx", out.getvalue())
    r = process_inbox("kep", env, options=FAST)
    assert r.review and "issue date" in r.review[0]["reason"]
    assert "issued: 2024-01-05" in note_of(Path(r.review[0]["path"]))


# ------------------------------------------------------------------ duplicates and versions


def test_same_bytes_again_is_a_duplicate_of_the_existing_case(env, template_docx):
    drop(env, "first.docx", template_docx)
    process_inbox("kep", env, options=FAST)
    drop(env, "again (1).docx", template_docx)
    r = process_inbox("kep", env, options=FAST)
    assert r.new == [] and len(r.duplicates) == 1
    dup = r.duplicates[0]
    assert dup["case_id"] == "20241210-220-qd-ubnd" and dup["where"].startswith("2024/12/10/")
    assert len(archived_originals(env)) == 1
    kept = env.errors_dir("kep") / "again (1).docx"
    assert kept.read_bytes() == template_docx and dup["where"] in note_of(kept)


def test_same_number_and_date_different_bytes_is_a_new_version_for_review(env, template_docx):
    drop(env, "v1.docx", template_docx)
    process_inbox("kep", env, options=FAST)
    drop(env, "rescan.docx", variant(template_docx, 220, extra=" "))
    r = process_inbox("kep", env, options=FAST)
    assert r.new == [] and len(r.versions) == 1 and r.versions[0]["case_id"] == "20241210-220-qd-ubnd"
    origs = archived_originals(env)
    assert len(origs) == 2 and origs[0].parent == origs[1].parent
    assert any(p.name.endswith("phien-ban-moi.txt") for p in env.review_dir("kep").iterdir())


# ------------------------------------------------------------------ hostile inputs


def _zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b"<w:document>" + b"\0" * (120 * 1024 * 1024) + b"</w:document>")
    return out.getvalue()


def _entity_bomb() -> bytes:
    lol = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
           + "".join(f'<!ENTITY lol{i} "{"&lol%s;" % ("" if i == 1 else i - 1) * 10}">' for i in range(1, 10))
           + ']><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
           "<w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", lol)
    return out.getvalue()


def _encrypted_pdf() -> bytes:
    from pypdf import PdfWriter

    w = PdfWriter()
    w.add_blank_page(595, 842)
    w.encrypt(user_password="secret", owner_password="owner", algorithm="AES-256")
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def zip_bomb() -> bytes:
    return _zip_bomb()


def test_hostile_inputs_are_quarantined_with_notes(env, zip_bomb, monkeypatch):
    monkeypatch.setattr("congkhai.intake.preflight.MAX_BYTES", 2_000_000)
    cases = {
        "empty.pdf": (b"", "empty"),
        "corrupt.pdf": (b"%PDF-1.7\n1 0 obj <<>> garbage\n%%EOF", "corrupt"),
        "locked.pdf": (_encrypted_pdf(), "encrypted"),
        "big.pdf": (b"%PDF-1.4\n" + b"0" * 2_100_000, "oversized"),
        "notes.txt": ("Ghi chú".encode(), "wrong_type"),
        "old.doc": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "wrong_type"),
        "bomb.docx": (zip_bomb, "bomb"),
        "entities.docx": (_entity_bomb(), "entity"),
        "fake.docx": (b"PK\x03\x04 this is not really a zip", "corrupt"),
        "sheet.docx": (_xlsx(), "wrong_type"),
        "broken.png": (b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "corrupt"),
    }
    for name, (data, _) in cases.items():
        drop(env, name, data)
    r = process_inbox("kep", env, options=FAST)
    kinds = {e["name"]: e["kind"] for e in r.errors}
    assert kinds == {name: kind for name, (_, kind) in cases.items()}
    for name, (data, _) in cases.items():
        kept = env.errors_dir("kep") / name
        assert kept.read_bytes() == data, name  # never altered, never deleted
        note = note_of(kept)
        assert "Cách xử lý" in note and "How to fix" in note
    assert r.new == [] and not any(env.inbox_dir("kep").iterdir())


def _xlsx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
    return out.getvalue()


def test_names_with_control_characters_traversal_and_nfd(env, template_docx):
    nfd = unicodedata.normalize("NFD", "Quyết định nhập ngũ.docx")
    drop(env, nfd, variant(template_docx, 401))
    drop(env, "a\x1b[31mred\x07.docx", variant(template_docx, 402))
    drop(env, "a\\..\\..\\etc\\passwd.docx", variant(template_docx, 403))
    hidden = drop(env, "..\\..\\x.docx", variant(template_docx, 404))  # starts with a dot: hidden, left alone
    r = process_inbox("kep", env, options=FAST)
    assert len(r.new) == 3 and hidden.exists()
    names = {c.original_name for c in r.cases}
    assert unicodedata.normalize("NFC", nfd) in names
    for n in names:
        assert unicodedata.is_normalized("NFC", n)
        assert not any(unicodedata.category(ch)[0] == "C" for ch in n)
    assert safe_name("../../x.pdf") == "_.._x.pdf" and safe_name("\x00\n.pdf") == "pdf"
    # nothing was written outside the data tree
    assert not (env.data_dir.parent / "etc").exists()


def test_symlink_is_refused_not_followed(env, tmp_path, template_docx):
    secret = tmp_path / "secret.docx"
    secret.write_bytes(template_docx)
    link = env.inbox_dir("kep") / "link.docx"
    link.symlink_to(secret)
    t = time.time() - 60
    os.utime(link, (t, t), follow_symlinks=False)
    r = process_inbox("kep", env, options=FAST)
    assert r.new == [] and r.errors[0]["kind"] == "wrong_type"
    assert secret.read_bytes() == template_docx and archived_originals(env) == []


def test_fixed_file_dropped_again_is_retried(env, template_docx):
    drop(env, "x.docx", b"")
    process_inbox("kep", env, options=FAST)
    assert (env.errors_dir("kep") / "x.docx").exists()
    drop(env, "x.docx", template_docx)
    r = process_inbox("kep", env, options=FAST)
    assert len(r.new) == 1


# ------------------------------------------------------------------ crash safety and scale


WORKER = """
import sys
from congkhai.intake.claim import IntakeOptions, process_inbox
r = process_inbox("kep", options=IntakeOptions(stable_seconds=0, settle_seconds=0))
print(len(r.new))
"""


def _worker(env_vars: dict, crash_at: str | None = None) -> subprocess.Popen:
    e = dict(os.environ, **env_vars)
    e.pop("CONGKHAI_INTAKE_CRASH_AT", None)
    if crash_at:
        e["CONGKHAI_INTAKE_CRASH_AT"] = crash_at
    return subprocess.Popen([sys.executable, "-c", WORKER], env=e, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True)


def _assert_each_once(s, numbers: list[int]) -> None:
    origs = archived_originals(s)
    shas = [__import__("hashlib").sha256(p.read_bytes()).hexdigest() for p in origs]
    assert len(shas) == len(set(shas)) == len(numbers), (len(shas), len(set(shas)), len(numbers))
    pending = sorted(p.stem for p in (s.state_dir("kep") / "intake" / "pending").glob("*.json"))
    assert pending == sorted(f"20241210-{n}-qd-ubnd" for n in numbers)
    assert not list(s.inbox_dir("kep").iterdir())
    assert not list(s.processing_dir("kep").iterdir())
    assert not s.errors_dir("kep").exists() or not list(s.errors_dir("kep").iterdir())


@pytest.mark.parametrize("point", ["before_archive", "after_archive", "after_pending", "after_unlink"])
def test_crash_between_claim_and_archive_then_rerun(env, template_docx, point):
    """GIVEN a worker killed at <point> WHEN a new worker runs THEN every document filed exactly once."""
    numbers = [501, 502, 503]
    for n in numbers:
        drop(env, f"{n}.docx", variant(template_docx, n))
    vars_ = {"CONGKHAI_DATA": str(env.data_dir)}
    p = _worker(vars_, crash_at=point)
    assert p.wait(timeout=120) == 137
    # the first document is mid-flight: in processing or archived, never gone
    p = _worker(vars_)
    out, err = p.communicate(timeout=120)
    assert p.returncode == 0, err.decode()
    _assert_each_once(env, numbers)


@pytest.mark.slow
def test_sigkill_at_random_moments_loses_nothing(env, template_docx):
    numbers = list(range(600, 640))
    for n in numbers:
        drop(env, f"{n}.docx", variant(template_docx, n))
    vars_ = {"CONGKHAI_DATA": str(env.data_dir)}
    for delay in (1.2, 1.7, 2.3):
        p = _worker(vars_)
        time.sleep(delay)
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()
    p = _worker(vars_)
    _, err = p.communicate(timeout=300)
    assert p.returncode == 0, err.decode()
    _assert_each_once(env, numbers)


@pytest.mark.slow
def test_500_files_dropped_at_once_two_workers_each_filed_once(env, template_docx):
    numbers = list(range(1000, 1500))
    for n in numbers:
        drop(env, f"vb_{n}.docx", variant(template_docx, n))
    vars_ = {"CONGKHAI_DATA": str(env.data_dir)}
    workers = [_worker(vars_) for _ in range(2)]
    counts = []
    for w in workers:
        out, err = w.communicate(timeout=600)
        assert w.returncode == 0, err.decode()
        counts.append(int(out.decode().strip().splitlines()[-1]))
    assert sum(counts) == 500
    _assert_each_once(env, numbers)


def test_cli_intake_run(env, template_docx):
    from typer.testing import CliRunner

    from congkhai.cli import app

    drop(env, "a.docx", template_docx)
    os.environ["CONGKHAI_INTAKE_STABLE_SECONDS"] = "0"
    os.environ["CONGKHAI_INTAKE_SETTLE_SECONDS"] = "0"
    try:
        res = CliRunner().invoke(app, ["intake", "run", "--commune", "kep", "--json"])
    finally:
        del os.environ["CONGKHAI_INTAKE_STABLE_SECONDS"], os.environ["CONGKHAI_INTAKE_SETTLE_SECONDS"]
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["new"] == ["20241210-220-qd-ubnd"]
    # acknowledged by the CLI: not reported again
    assert process_inbox("kep", env, options=FAST).cases == []


# ------------------------------------------------------------------ the watcher behind the Airflow trigger


def test_watcher_reports_each_stable_file_once(tmp_path):
    from congkhai.intake.watch import InboxWatcher

    (tmp_path / "kep" / "Q1-7").mkdir(parents=True)
    (tmp_path / "kep" / "a.pdf").write_bytes(b"%PDF-1")
    (tmp_path / "kep" / "Q1-7" / "b.pdf").write_bytes(b"%PDF-1")
    (tmp_path / "kep" / "~$a.docx").write_bytes(b"x")
    w = InboxWatcher(tmp_path, stable_seconds=5)
    assert w.poll(now=0) == []
    (tmp_path / "kep" / "a.pdf").write_bytes(b"%PDF-1 growing")  # still being copied
    assert w.poll(now=5) == [{"commune": "kep", "rel": "Q1-7/b.pdf", "size": 6,
                              "mtime_ns": (tmp_path / "kep" / "Q1-7" / "b.pdf").stat().st_mtime_ns}]
    assert [e["rel"] for e in w.poll(now=10)] == ["a.pdf"]
    assert w.poll(now=20) == []


def test_inbox_trigger_serializes_and_yields_events(tmp_path):
    import asyncio

    from congkhai.intake.trigger import InboxTrigger

    (tmp_path / "kep").mkdir()
    (tmp_path / "kep" / "a.pdf").write_bytes(b"%PDF-1")
    t = InboxTrigger(str(tmp_path), poll_interval=0.05, stable_seconds=0.1)
    classpath, kwargs = t.serialize()
    assert classpath == "congkhai.intake.trigger.InboxTrigger"
    assert InboxTrigger(**kwargs).serialize() == (classpath, kwargs)

    async def first():
        gen = t.run()
        try:
            return await asyncio.wait_for(gen.__anext__(), 10)
        finally:
            await gen.aclose()

    ev = asyncio.run(first())
    assert ev.payload["commune"] == "kep" and ev.payload["rel"] == "a.pdf"
