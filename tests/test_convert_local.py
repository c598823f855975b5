"""The local backend end to end on the real LibreOffice: batches, crashes, corrupt files, hangs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from congkhai.convert import (
    ConversionError,
    ConversionTimeout,
    ConvertJob,
    PdfMetadata,
    PdfVerificationError,
    get_converter,
    pool_size,
    verify_pdf,
)
from congkhai.convert.local import LocalConverter
from congkhai.errors import ConfigError
from tests.docgen import make_docx, sample_set

META = PdfMetadata("Biên bản niêm yết công khai", "Công khai dự toán ngân sách", "UBND thị trấn Kép", ("công khai",))


@pytest.fixture(scope="module")
def docs(tmp_path_factory):
    return sample_set(tmp_path_factory.mktemp("docx"), 8)


@pytest.fixture(scope="module")
def conv():
    with LocalConverter(2, timeout=60) as c:
        yield c


def _jobs(docs, out: Path):
    return [
        ConvertJob(d.path, out / f"{d.path.stem}.pdf", metadata=PdfMetadata(d.title, "Hồ sơ công khai", "UBND thị trấn Kép"),
                   expect_text=d.expect_text, expect_pages=d.pages)
        for d in docs
    ]


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_batch_uses_both_instances_and_every_pdf_is_verified(conv, docs, tmp_path):
    """GIVEN 8 mixed documents WHEN converted as one batch THEN all are verified PDF/A-2b, in order."""
    results = conv.convert_many(_jobs(docs, tmp_path))
    assert [r.job.src for r in results] == [d.path for d in docs]
    assert all(r.ok for r in results), [str(r.error) for r in results if not r.ok]
    assert {r.backend for r in results} == {"local:lo0", "local:lo1"}
    for d, r in zip(docs, results, strict=True):
        report = verify_pdf(r.pdf, expect_text=d.expect_text, expect_pages=d.pages, pdfa=True)
        assert report.title == d.title and report.pdfa_part == "2" and report.pdfa_conformance == "B"
        assert report.author == "UBND thị trấn Kép"
    # No temporary files left beside the outputs.
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{d.path.stem}.pdf" for d in docs)
    assert conv.health() == {"lo0": True, "lo1": True}


def test_template_title_does_not_leak(conv, tmp_path):
    src = make_docx(tmp_path / "a.docx", number="07/BB-UBND")
    pdf = conv.convert(ConvertJob(src.path, tmp_path / "a.pdf", metadata=META, expect_text=("07/BB-UBND",)))
    report = verify_pdf(pdf, metadata=META)
    assert report.title == "Biên bản niêm yết công khai"
    assert "Template" not in report.title


def test_plain_pdf_when_pdfa_is_off(conv, tmp_path):
    src = make_docx(tmp_path / "a.docx")
    pdf = conv.convert(ConvertJob(src.path, tmp_path / "a.pdf", metadata=META, pdfa=False))
    with pytest.raises(PdfVerificationError, match="PDF/A-2b"):
        verify_pdf(pdf, pdfa=True)
    verify_pdf(pdf, pdfa=False)


def test_corrupt_docx_is_a_clear_permanent_error_and_others_are_fine(conv, docs, tmp_path):
    """GIVEN a batch with a corrupt .docx and a missing file WHEN converted THEN only those two fail."""
    bad = tmp_path / "hong.docx"
    bad.write_bytes(b"PK\x03\x04" + b"\x00 not really a docx " * 50)
    jobs = _jobs(docs[:3], tmp_path)
    jobs.insert(1, ConvertJob(bad, tmp_path / "hong.pdf", metadata=META))
    jobs.append(ConvertJob(tmp_path / "khong-co.docx", tmp_path / "khong-co.pdf", metadata=META))
    results = conv.convert_many(jobs)
    assert [r.ok for r in results] == [True, False, True, True, False]
    err = results[1].error
    assert isinstance(err, ConversionError) and not results[1].transient
    assert "hong.docx" in err.message_vi and "tệp hỏng" in err.message_vi
    assert isinstance(results[4].error, ConversionError) and "Không tìm thấy" in results[4].error.message_vi
    assert not (tmp_path / "hong.pdf").exists()
    assert not list(tmp_path.glob(".*part.pdf"))


def test_failed_verification_leaves_no_file(conv, tmp_path):
    src = make_docx(tmp_path / "a.docx", number="01/BB-UBND")
    result = conv.convert_many([ConvertJob(src.path, tmp_path / "a.pdf", metadata=META,
                                           expect_text=("99/QĐ-UBND",), expect_pages=3)])[0]
    assert isinstance(result.error, PdfVerificationError)
    assert any("99/QĐ-UBND" in r for r in result.error.reasons)
    assert any("cần 3" in r for r in result.error.reasons)
    assert not (tmp_path / "a.pdf").exists()


@pytest.mark.slow
def test_killed_instance_mid_batch_the_batch_still_completes(docs, tmp_path):
    """GIVEN a running batch WHEN one LibreOffice is SIGKILLed THEN it restarts and every job succeeds."""
    jobs = _jobs(docs, tmp_path) + _jobs(docs, tmp_path / "again")
    with LocalConverter(2) as conv:
        killed: list[int] = []
        lock = threading.Lock()

        def kill_one(result):
            with lock:
                if killed:
                    return
                victim = next(i for i in conv.pool if i.soffice_pid and f":{i.name}" not in result.backend)
                killed.append(victim.soffice_pid)
                os.kill(victim.soffice_pid, signal.SIGKILL)  # a process this converter started

        results = conv.convert_many(jobs, on_result=kill_one)
        assert killed
        assert all(r.ok for r in results), [str(r.error) for r in results if not r.ok]
        assert sum(i.starts for i in conv.pool) == 3  # two starts plus one restart
        assert not _pid_alive(killed[0])


@pytest.mark.slow
def test_hung_conversion_times_out_and_the_instance_recovers(tmp_path):
    """GIVEN a LibreOffice that stops answering WHEN a document is sent THEN it times out (transient),
    the hung process is killed, and the next document converts on a fresh instance."""
    src = make_docx(tmp_path / "a.docx", number="02/BB-UBND")
    with LocalConverter(1, timeout=3) as conv:
        conv.start()
        inst = conv.pool[0]
        hung = inst.soffice_pid
        os.kill(hung, signal.SIGSTOP)  # frozen, as a LibreOffice stuck in a layout loop would be
        t0 = time.monotonic()
        res = conv.convert_many([ConvertJob(src.path, tmp_path / "a.pdf", metadata=META)])[0]
        assert isinstance(res.error, ConversionTimeout) and res.transient
        assert "quá 3 giây" in res.error.message_vi
        assert time.monotonic() - t0 < 15
        time.sleep(0.2)
        assert not _pid_alive(hung)
        pdf = conv.convert(ConvertJob(src.path, tmp_path / "b.pdf", metadata=META, expect_text=("02/BB-UBND",)))
        assert pdf.is_file() and inst.starts == 2


def test_close_ends_every_process_it_started(tmp_path):
    conv = LocalConverter(2, work_dir=tmp_path / "lo")
    conv.start()
    pids = [i.soffice_pid for i in conv.pool] + [i.proc.pid for i in conv.pool]
    assert all(_pid_alive(p) for p in pids)
    conv.close()
    time.sleep(0.2)
    assert not any(_pid_alive(p) for p in pids)
    conv.close()  # idempotent


def test_pool_size_and_backend_choice(monkeypatch):
    from congkhai.config import settings
    from congkhai.convert.gotenberg import GotenbergConverter

    monkeypatch.setenv("CONGKHAI_CONVERTERS", "3")
    monkeypatch.delenv("GOTENBERG_URL", raising=False)
    monkeypatch.delenv("CONGKHAI_CONVERTER_URL", raising=False)
    assert pool_size(settings()) == 3
    conv = get_converter()
    assert isinstance(conv, LocalConverter) and conv.instances == 3
    conv.close()  # never started: nothing to end
    monkeypatch.setenv("GOTENBERG_URL", "http://127.0.0.1:3000")
    with get_converter() as g:
        assert isinstance(g, GotenbergConverter) and g.instances == 3
    # The host's shared converter service wins over both (make run sets it; compose does not).
    from congkhai.convert.service import ServiceConverter

    monkeypatch.setenv("CONGKHAI_CONVERTER_URL", "http://127.0.0.1:8785")
    with get_converter() as svc:
        assert isinstance(svc, ServiceConverter) and svc.instances == 3 and svc.fallback == "none"
    monkeypatch.setenv("CONGKHAI_CONVERTER_FALLBACK", "sometimes")
    with pytest.raises(ConfigError):
        get_converter()


def test_revive_idle_restarts_only_dead_idle_instances(tmp_path):
    """GIVEN a warm pool WHEN one LibreOffice dies between jobs THEN revive_idle restarts that one
    only (the shared service's supervisor calls it) and states() shows it alive with a new pid."""
    with LocalConverter(2, work_dir=tmp_path / "lo") as conv:
        conv.start()
        assert conv.revive_idle() == []
        victim = conv.pool[1]
        old = victim.soffice_pid
        os.kill(old, signal.SIGKILL)  # a process this converter started
        time.sleep(0.2)
        assert [s["alive"] for s in conv.states()] == [True, False]
        assert conv.revive_idle() == ["lo1"]
        states = conv.states()
        assert all(s["alive"] for s in states) and states[1]["soffice_pid"] != old
        assert [s["starts"] for s in states] == [1, 2]
        assert not _pid_alive(old)


def test_cli_convert(tmp_path, monkeypatch):
    src = make_docx(tmp_path / "bb.docx", title="Biên bản kết thúc công khai thông tin", number="12/BB-UBND")
    env = {**os.environ, "CONGKHAI_CONVERTERS": "1"}
    env.pop("GOTENBERG_URL", None)
    env.pop("CONGKHAI_CONVERTER_URL", None)
    ok = subprocess.run([sys.executable, "-m", "congkhai.cli", "convert", str(src.path), str(tmp_path / "bb.pdf"),
                         "--expect", "12/BB-UBND", "--author", "UBND thị trấn Kép"],
                        capture_output=True, text=True, env=env, timeout=120)
    assert ok.returncode == 0, ok.stderr
    report = verify_pdf(tmp_path / "bb.pdf", expect_text=["12/BB-UBND"])
    assert report.title == "Biên bản kết thúc công khai thông tin"
    bad = subprocess.run([sys.executable, "-m", "congkhai.cli", "convert", str(src.path), str(tmp_path / "x.pdf"),
                          "--expect", "99/XX"], capture_output=True, text=True, env=env, timeout=120)
    assert bad.returncode == 2
    assert bad.stderr.startswith("lỗi: Tệp PDF x.pdf không đạt kiểm tra") and "Traceback" not in bad.stderr
