"""The host's shared converter (``congkhai converter serve``) end to end: real service, real LibreOffice.

The service runs in a subprocess exactly as ``scripts/run.sh`` starts it (its own session, a ready
file); clients are :class:`ServiceConverter` (the Gotenberg client). Faults are real: SIGKILL of a
LibreOffice the service started, SIGKILL of the service itself, then a restart on the same port as
run.sh's loop does. After each, every document of the batch is in the output exactly once, verified,
and no partial file is left.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from congkhai.convert import (
    ConversionError,
    ConverterUnavailable,
    ConvertJob,
    PdfMetadata,
    get_converter,
    verify_pdf,
)
from congkhai.convert.server import require_loopback
from congkhai.convert.service import ServiceConverter
from congkhai.errors import UsageError
from tests.docgen import sample_set

CLI = [sys.executable, "-m", "congkhai.cli"]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (ProcessLookupError, OSError):
        return False


class Service:
    """One ``congkhai converter serve`` subprocess this test started (killed by its pid at the end)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = 0
        self.proc: subprocess.Popen | None = None
        self.starts = 0

    def start(self) -> None:
        ready = self.root / "ready"
        ready.unlink(missing_ok=True)
        env = {k: v for k, v in os.environ.items() if k not in ("CONGKHAI_CONVERTER_URL", "GOTENBERG_URL")}
        log = open(self.root / f"service-{self.starts}.log", "w")  # noqa: SIM115 - the child's stderr
        self.proc = subprocess.Popen(
            [*CLI, "converter", "serve", "--port", str(self.port), "--instances", "2", "--timeout", "30",
             "--work-dir", str(self.root / "work"), "--ready-file", str(ready)],
            stdout=log, stderr=log, env=env, start_new_session=True)
        log.close()
        self.starts += 1
        deadline = time.monotonic() + 40
        while not ready.is_file():
            assert self.proc.poll() is None, (self.root / f"service-{self.starts - 1}.log").read_text()
            assert time.monotonic() < deadline, "service not ready in 40 s"
            time.sleep(0.05)
        self.url = ready.read_text().strip()
        self.port = int(self.url.rsplit(":", 1)[1])

    def health(self) -> dict:
        return httpx.get(f"{self.url}/health", timeout=5).json()

    def soffice_pids(self) -> list[int]:
        return [i["soffice_pid"] for i in self.health()["congkhai"]["instances"]]

    def kill(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    svc = Service(tmp_path_factory.mktemp("converter"))
    svc.start()
    yield svc
    svc.stop()


@pytest.fixture(scope="module")
def docs(tmp_path_factory):
    return sample_set(tmp_path_factory.mktemp("docx"), 8)


def _jobs(docs, out: Path, tag: str) -> list[ConvertJob]:
    return [ConvertJob(d.path, out / f"{tag}-{d.path.stem}.pdf", job_id=f"{tag}-{d.path.stem}",
                       metadata=PdfMetadata(d.title, "Hồ sơ công khai", "UBND thị trấn Kép"),
                       expect_text=d.expect_text, expect_pages=d.pages) for d in docs]


def _processes_using(fragment: str) -> list[str]:
    """Live processes whose command line contains ``fragment`` (e.g. a service's work folder)."""
    found = []
    for cmd in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            text = cmd.read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue
        if fragment in text and _alive(int(cmd.parent.name)):
            found.append(f"{cmd.parent.name}: {text[:120]}")
    return found


def _batch_from_two_clients(url: str, docs, out: Path, on_first_results) -> list:
    """Two clients (threads, each its own ServiceConverter) convert 2 x 8 documents at once;
    ``on_first_results`` runs once, in a callback, after the third document is done."""
    results: dict[str, list] = {}
    done: list[str] = []
    lock = threading.Lock()
    fired = threading.Event()

    def note(res) -> None:
        with lock:
            done.append(res.job.job_id)
            if len(done) == 3 and not fired.is_set():
                fired.set()
                on_first_results()

    def client(tag: str) -> None:
        with ServiceConverter(url, instances=2, retries=6, backoff=0.3) as conv:
            results[tag] = conv.convert_many(_jobs(docs, out, tag), note)

    threads = [threading.Thread(target=client, args=(t,)) for t in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert fired.is_set()
    return results["a"] + results["b"]


def _exactly_once(results, docs, out: Path) -> None:
    assert all(r.ok for r in results), [str(r.error) for r in results if not r.ok]
    expected = sorted(f"{tag}-{d.path.stem}.pdf" for tag in ("a", "b") for d in docs)
    assert sorted(p.name for p in out.iterdir()) == expected  # no missing, no extra, no .part file
    for r in results:
        verify_pdf(r.pdf, expect_text=r.job.expect_text, expect_pages=r.job.expect_pages)


def test_health_lists_every_warm_instance(service):
    """GIVEN a started service THEN /health answers up like Gotenberg, with 2 live LibreOffice instances."""
    h = service.health()
    assert h["status"] == "up" and h["details"]["libreoffice"]["status"] == "up"
    inst = h["congkhai"]["instances"]
    assert len(inst) == 2 and all(i["alive"] for i in inst)
    assert all(_alive(pid) for pid in service.soffice_pids())
    with ServiceConverter(service.url) as conv:
        assert conv.health()
    cli = subprocess.run([*CLI, "converter", "health", "--url", service.url], capture_output=True, text=True,
                         timeout=60)
    assert cli.returncode == 0 and cli.stdout.startswith("up: 2/2"), cli.stdout + cli.stderr


def test_refuses_non_local_binding(tmp_path):
    """GIVEN a non-loopback address THEN the service refuses to start, saying why in Vietnamese."""
    for host in ("127.0.0.1", "localhost", "::1"):
        assert require_loopback(host) == host
    for host in ("0.0.0.0", "192.0.2.10", "::"):
        with pytest.raises(UsageError) as err:
            require_loopback(host)
        assert err.value.kind == "non_local_bind" and "chỉ nghe trên máy này" in err.value.message_vi
    cli = subprocess.run([*CLI, "converter", "serve", "--host", "0.0.0.0", "--port", "0",
                          "--work-dir", str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert cli.returncode == 2 and "chỉ nghe trên máy này" in cli.stderr
    assert not list(tmp_path.glob("*/office"))  # refused before any LibreOffice started


def test_port_in_use_is_a_usage_error_so_the_restart_loop_stops(service, tmp_path):
    """GIVEN the port is taken THEN serve exits 2 (run.sh's loop stops instead of restarting forever)."""
    cli = subprocess.run([*CLI, "converter", "serve", "--port", str(service.port), "--work-dir", str(tmp_path)],
                         capture_output=True, text=True, timeout=60)
    assert cli.returncode == 2 and "Không mở được cổng" in cli.stderr, cli.stderr
    assert not list(tmp_path.glob("[0-9]*"))  # its work folder is removed


def test_soffice_killed_mid_batch_nothing_lost_nothing_duplicated(service, docs, tmp_path):
    """GIVEN two clients converting 16 documents WHEN one LibreOffice of the service is SIGKILLed
    mid-batch THEN it is restarted, its job re-run, and each document is in the output exactly once."""
    out = tmp_path / "out"
    before = service.health()["congkhai"]
    victims: list[int] = []

    def kill_soffice() -> None:
        victims.append(service.soffice_pids()[0])
        os.kill(victims[0], signal.SIGKILL)  # a process the service (which this test started) started

    results = _batch_from_two_clients(service.url, docs, out, kill_soffice)
    _exactly_once(results, docs, out)
    after = service.health()["congkhai"]
    assert not _alive(victims[0])
    assert sum(i["starts"] for i in after["instances"]) == sum(i["starts"] for i in before["instances"]) + 1
    assert all(i["alive"] for i in after["instances"])
    assert after["counters"]["ok"] - before["counters"]["ok"] == 16


def test_service_killed_mid_batch_and_restarted_nothing_lost(service, docs, tmp_path):
    """GIVEN two clients converting WHEN the service process is SIGKILLed mid-batch and started again
    (as run.sh's loop does) THEN the clients' retries carry the batch through: every document exactly
    once, no partial file, and the killed service's LibreOffice processes are gone."""
    out = tmp_path / "out"
    old: list[int] = []
    old_dir = f"/work/{service.proc.pid}/"

    def kill_service() -> None:
        old.extend(service.soffice_pids())
        service.kill()
        threading.Thread(target=service.start, daemon=True).start()  # the restart loop of run.sh

    results = _batch_from_two_clients(service.url, docs, out, kill_service)
    _exactly_once(results, docs, out)
    assert service.starts == 2
    time.sleep(1.5)  # the bridges notice their parent is gone within 1 s
    assert old and not any(_alive(p) for p in old)
    # Nothing of the killed service survives: no bridge, no launcher, no soffice.bin (a bridge whose
    # answer hit the closed pipe used to exit and leave its LibreOffice running).
    assert _processes_using(old_dir) == []
    assert service.health()["status"] == "up"
    assert sum(r.attempts for r in results) >= len(results)


def test_supervisor_restarts_a_dead_idle_instance(service):
    """GIVEN an idle service WHEN one LibreOffice dies THEN the supervisor restarts it before any job."""
    victim = service.soffice_pids()[1]
    revived = service.health()["congkhai"]["counters"]["revived"]
    os.kill(victim, signal.SIGKILL)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        h = service.health()["congkhai"]
        if h["counters"]["revived"] > revived and all(i["alive"] for i in h["instances"]):
            break
        time.sleep(0.2)
    else:
        pytest.fail(f"not restarted: {h}")
    assert victim not in service.soffice_pids()


def test_bad_document_is_permanent_and_the_others_convert(service, docs, tmp_path):
    """GIVEN a corrupt .docx among good ones THEN it fails once (HTTP 400, permanent); the others succeed."""
    bad = tmp_path / "hong.docx"
    bad.write_bytes(b"PK\x03\x04 not really a docx")
    jobs = [ConvertJob(bad, tmp_path / "hong.pdf", metadata=PdfMetadata("Văn bản hỏng")),
            *_jobs(docs[:2], tmp_path, "ok")]
    with ServiceConverter(service.url) as conv:
        results = conv.convert_many(jobs)
    assert isinstance(results[0].error, ConversionError) and not results[0].transient
    assert "từ chối" in results[0].error.message_vi
    assert not (tmp_path / "hong.pdf").exists()
    assert all(r.ok for r in results[1:])


def test_absent_service_fallback_none_is_transient_and_local_converts(docs, tmp_path, monkeypatch):
    """GIVEN no service at the URL THEN with the default fallback (none) the job fails as transient
    (Airflow retries it), and with CONGKHAI_CONVERTER_FALLBACK=local it is converted in this process."""
    with socket_closed_port() as url:
        monkeypatch.setenv("CONGKHAI_CONVERTER_URL", url)
        monkeypatch.setenv("CONGKHAI_CONVERTERS", "1")  # the fallback pool: one LibreOffice is enough here
        monkeypatch.delenv("CONGKHAI_CONVERTER_FALLBACK", raising=False)
        with get_converter() as conv:
            assert isinstance(conv, ServiceConverter) and conv.fallback == "none"
            conv.retries, conv.backoff = 1, 0.05
            res = conv.convert_many(_jobs(docs[:1], tmp_path / "none", "a"))[0]
        assert isinstance(res.error, ConverterUnavailable) and res.transient
        assert "bộ chuyển đổi dùng chung" in res.error.message_vi
        monkeypatch.setenv("CONGKHAI_CONVERTER_FALLBACK", "local")
        with get_converter() as conv:
            res = conv.convert_many(_jobs(docs[:1], tmp_path / "local", "a"))[0]
        assert res.ok and res.backend.startswith("local:")


class socket_closed_port:  # noqa: N801 - used as a context manager
    """A loopback URL where nothing listens (the port is bound, then released)."""

    def __enter__(self) -> str:
        import socket

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            return f"http://127.0.0.1:{s.getsockname()[1]}"

    def __exit__(self, *exc) -> None:
        return None
