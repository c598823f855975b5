"""Local backend: a pool of warm LibreOffice instances (the embedded default).

Each instance is one :mod:`congkhai.convert.uno_bridge` process run by Debian's
``/usr/bin/python3`` (which has python3-uno), owning one ``soffice`` with its own profile
directory and its own UNO pipe name; bridge and soffice share a process group that this module
created, so ending an instance is one ``killpg`` of a group we own.

* Lazy: an instance starts on first use (~1 s), in the worker thread that needs it, so N
  instances start in parallel.
* Health: before each job the instance's processes are checked; a dead one is restarted.
  :meth:`LocalConverter.health` pings every running instance through LibreOffice.
* Per-document timeout: a job that does not answer in ``timeout`` seconds kills its instance
  (a hung LibreOffice never recovers by itself); the job fails with :class:`ConversionTimeout`
  (transient) and the instance restarts for the next job.
* A crash (LibreOffice or the bridge dies mid-job) restarts the instance and retries the job
  once on the fresh instance, so a killed instance does not sink a batch.
* Cleanup: :meth:`close` (also the context manager's exit and an ``atexit`` hook) ends every
  process started; the bridge also ends its LibreOffice when this process dies.
"""

from __future__ import annotations

import atexit
import itertools
import json
import logging
import os
import queue
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import weakref
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from congkhai.convert.base import (
    ConversionError,
    ConversionTimeout,
    Converter,
    ConverterUnavailable,
    ConvertJob,
    ConvertResult,
    PdfMetadata,
    PdfVerificationError,
    ResultCallback,
    publish,
    temp_output,
)
from congkhai.convert.pdfa import has_xml_specials, repair_xmp_text
from congkhai.convert.verify import verify_pdf
from congkhai.errors import CongkhaiError

log = logging.getLogger(__name__)

BRIDGE_SCRIPT = Path(__file__).with_name("uno_bridge.py")
#: Debian's interpreter: the only one here that can ``import uno``.
SYSTEM_PYTHON = "/usr/bin/python3"
DEFAULT_TIMEOUT = 60.0
START_TIMEOUT = 60.0
_serial = itertools.count(1)


class _Dead(Exception):
    """The instance's bridge or LibreOffice went away (internal: triggers restart + retry)."""


class Instance:
    """One bridge + LibreOffice. Used by one thread at a time (the pool hands it out)."""

    def __init__(self, index: int, profile: Path, timeout: float, python: str = SYSTEM_PYTHON) -> None:
        self.index = index
        self.profile = profile
        self.timeout = timeout
        self.python = python
        self.proc: subprocess.Popen[str] | None = None
        self.soffice_pid: int | None = None
        self.starts = 0
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._ids = itertools.count(1)
        self._log: Path = profile.parent / f"instance-{index}.log"

    @property
    def name(self) -> str:
        return f"lo{self.index}"

    def alive(self) -> bool:
        if self.proc is None or self.proc.poll() is not None:
            return False
        if self.soffice_pid is None:
            return False
        try:
            os.kill(self.soffice_pid, 0)
        except ProcessLookupError:
            return False
        # A zombie soffice (killed, not yet reaped by the bridge) is dead too.
        try:
            with open(f"/proc/{self.soffice_pid}/stat", encoding="ascii") as fh:
                return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
        except OSError:
            return False

    def start(self) -> None:
        """Start the bridge and wait until its LibreOffice answers."""
        self.stop()
        if not Path(self.python).exists():
            raise ConverterUnavailable(
                f"Không tìm thấy {self.python} (cần gói python3-uno của Debian) để chạy LibreOffice.",
                f"{self.python} not found (Debian's python3-uno is needed) to drive LibreOffice.",
                kind="converter_missing",
            )
        self.starts += 1
        pipe = f"congkhai-{os.getpid()}-{next(_serial)}-{self.index}"
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
        logf = open(self._log, "a", encoding="utf-8")  # noqa: SIM115 - handed to the child
        try:
            self.proc = subprocess.Popen(
                [self.python, "-I", str(BRIDGE_SCRIPT), "--profile", str(self.profile), "--pipe", pipe,
                 "--start-timeout", str(START_TIMEOUT)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=logf,
                text=True, encoding="utf-8", bufsize=1, env=env,
                start_new_session=True,  # own process group: killpg ends bridge + soffice
            )
        finally:
            logf.close()
        self._lines = queue.Queue()
        threading.Thread(target=self._read, args=(self.proc, self._lines), daemon=True,
                         name=f"congkhai-{self.name}-reader").start()
        try:
            hello = self._receive(START_TIMEOUT + 5)
        except _Dead as err:
            self.kill()
            raise ConverterUnavailable(
                f"LibreOffice không khởi động được (xem {self._log}).",
                f"LibreOffice failed to start (see {self._log}): {err}",
                kind="converter_start",
            ) from err
        if not hello.get("ready"):
            self.kill()
            raise ConverterUnavailable(
                f"LibreOffice không khởi động được: {hello.get('message')}",
                f"LibreOffice failed to start: {hello.get('message')}",
                kind="converter_start",
            )
        self.soffice_pid = int(hello["soffice_pid"])
        log.info("started %s (soffice pid %s, profile %s)", self.name, self.soffice_pid, self.profile)

    @staticmethod
    def _read(proc: subprocess.Popen[str], lines: queue.Queue[str | None]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line)
        lines.put(None)  # EOF: the bridge is gone

    def _receive(self, timeout: float) -> dict:
        try:
            line = self._lines.get(timeout=timeout)
        except queue.Empty:
            raise TimeoutError from None
        if line is None:
            raise _Dead("bridge exited")
        return json.loads(line)

    def request(self, payload: dict, timeout: float) -> dict:
        """Send one request and wait for its answer; ``TimeoutError`` or ``_Dead`` otherwise."""
        if not self.alive():
            raise _Dead("not running")
        assert self.proc is not None and self.proc.stdin is not None
        rid = next(self._ids)
        try:
            self.proc.stdin.write(json.dumps({**payload, "id": rid}, ensure_ascii=False) + "\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError) as err:
            raise _Dead(str(err)) from err
        deadline = time.monotonic() + timeout
        while True:
            answer = self._receive(max(0.0, deadline - time.monotonic()))
            if answer.get("id") == rid:
                if answer.get("kind") == "disconnected":
                    raise _Dead(answer.get("message", "disconnected"))
                return answer

    def ping(self, timeout: float = 10.0) -> bool:
        try:
            return bool(self.request({"op": "ping"}, timeout).get("ok"))
        except (TimeoutError, _Dead):
            return False

    def kill(self) -> None:
        """End the bridge and its LibreOffice at once (their process group, which we created)."""
        proc, self.proc, self.soffice_pid = self.proc, None, None
        if proc is None:
            return
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            pass
        for stream in (proc.stdin, proc.stdout):
            try:
                if stream:
                    stream.close()
            except OSError:
                pass

    def stop(self, grace: float = 5.0) -> None:
        """Ask the bridge to close LibreOffice cleanly; kill the group if it does not."""
        proc = self.proc
        if proc is None:
            return
        if proc.poll() is None:
            try:
                assert proc.stdin is not None
                proc.stdin.write('{"op": "quit"}\n')
                proc.stdin.flush()
                proc.wait(grace)
            except (OSError, ValueError, subprocess.TimeoutExpired):
                pass
        self.kill()


class LocalConverter(Converter):
    """A pool of ``instances`` warm LibreOffice processes; see the module docstring."""

    name = "local"

    def __init__(
        self,
        instances: int = 2,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        work_dir: Path | None = None,
        python: str = SYSTEM_PYTHON,
        verify: bool = True,
    ) -> None:
        if instances < 1:
            raise ValueError("instances must be >= 1")
        self._own_dir = work_dir is None
        self.work_dir = Path(work_dir) if work_dir else Path(tempfile.mkdtemp(prefix="congkhai-lo-"))
        self.work_dir.mkdir(parents=True, exist_ok=True)
        self.timeout = timeout
        self.verify = verify
        self._all = [
            Instance(i, self.work_dir / f"profile-{i}", timeout, python) for i in range(instances)
        ]
        self._free: queue.Queue[Instance] = queue.Queue()
        for inst in self._all:
            self._free.put(inst)
        self._closed = False
        self._lock = threading.Lock()
        # atexit holds only a weak reference, so a forgotten converter can still be collected.
        ref = weakref.ref(self)
        self._atexit = lambda: (c := ref()) is not None and c.close()
        atexit.register(self._atexit)

    @property
    def instances(self) -> int:
        return len(self._all)

    @property
    def pool(self) -> list[Instance]:
        """The instances (read-only use: tests kill one to check recovery)."""
        return list(self._all)

    def start(self) -> None:
        """Start every instance now, in parallel (otherwise they start on first use)."""
        threads = [threading.Thread(target=self._ensure, args=(i,)) for i in self._all if not i.alive()]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    def health(self) -> dict[str, bool]:
        """Ping every started instance through LibreOffice; False for dead or hung ones."""
        out: dict[str, bool] = {}
        for inst in self._all:
            out[inst.name] = inst.alive() and inst.ping()
        return out

    def states(self) -> list[dict]:
        """Each instance's state without touching it (it may be converting): for a health page."""
        return [{"name": i.name, "alive": i.alive(), "soffice_pid": i.soffice_pid, "starts": i.starts}
                for i in self._all]

    def revive_idle(self) -> list[str]:
        """Restart every idle instance whose LibreOffice died; return their names.

        A long-lived pool (the shared converter service) calls this periodically, so that an
        instance killed between jobs is warm again before the next job needs it. Busy instances
        are left to their worker, which restarts and retries on its own.
        """
        revived: list[str] = []
        for _ in range(self._free.qsize()):
            try:
                inst = self._free.get_nowait()
            except queue.Empty:
                break
            try:
                if not self._closed and not inst.alive():
                    inst.kill()  # reap what is left of the old bridge before starting a new one
                    inst.start()
                    revived.append(inst.name)
            finally:
                self._free.put(inst)
        return revived

    def _ensure(self, inst: Instance) -> None:
        if not inst.alive():
            if inst.proc is not None:
                log.warning("%s is dead, restarting", inst.name)
            inst.start()

    # -- one job on one instance ---------------------------------------------------------------

    def _convert(self, inst: Instance, job: ConvertJob, result: ConvertResult) -> Path | None:
        """LibreOffice's part: convert into a temporary file beside the output; None on error."""
        tmp: Path | None = None
        try:
            if not job.src.is_file():
                raise ConversionError(
                    f"Không tìm thấy tệp cần chuyển: {job.src}",
                    f"Input file not found: {job.src}",
                    kind="missing_input", path=str(job.src),
                )
            job.out.parent.mkdir(parents=True, exist_ok=True)
            tmp = temp_output(job.out)
            for attempt in (1, 2):
                result.attempts = attempt
                try:
                    self._ensure(inst)
                    answer = inst.request(self._payload(job, tmp), self.timeout)
                    break
                except _Dead as err:
                    # LibreOffice crashed or was killed: restart and retry once on a fresh one.
                    result.notes.append(f"{inst.name} died ({err}); restarted")
                    inst.kill()
                    if attempt == 2:
                        raise ConverterUnavailable(
                            f"LibreOffice dừng đột ngột hai lần khi chuyển {job.src.name}.",
                            f"LibreOffice died twice while converting {job.src.name}.",
                            kind="converter_crash", path=str(job.src),
                        ) from err
                except TimeoutError as err:
                    inst.kill()  # a hung LibreOffice never comes back: restart for the next job
                    raise ConversionTimeout(
                        f"Chuyển {job.src.name} sang PDF quá {self.timeout:g} giây; "
                        "LibreOffice đã được khởi động lại.",
                        f"Converting {job.src.name} took more than {self.timeout:g} s; "
                        "LibreOffice was restarted.",
                        kind="timeout", path=str(job.src),
                    ) from err
            if not answer.get("ok"):
                raise ConversionError(
                    f"LibreOffice không mở hoặc không chuyển được {job.src.name} "
                    "(tệp hỏng hoặc không phải .docx hợp lệ).",
                    f"LibreOffice could not convert {job.src.name}: {answer.get('kind')}: "
                    f"{answer.get('message')}",
                    kind=str(answer.get("kind") or "conversion"), path=str(job.src),
                )
            return tmp
        except CongkhaiError as err:
            result.error = err
            if tmp is not None:
                tmp.unlink(missing_ok=True)
            return None

    def _finish(self, job: ConvertJob, tmp: Path, result: ConvertResult) -> None:
        """Our part: verify the temporary PDF, then move it into place (or delete it)."""
        try:
            if has_xml_specials(job.pdf_metadata):  # LibreOffice 7.4 escapes them twice in the XMP
                repair_xmp_text(tmp, job.pdf_metadata)
            if self.verify:
                try:
                    report = verify_pdf(tmp, expect_text=job.expect_text, expect_pages=job.expect_pages,
                                        pdfa=job.pdfa, metadata=job.metadata)
                except PdfVerificationError as err:  # name the real output, not the temp file
                    raise PdfVerificationError(job.out, err.reasons) from None
                result.pages = report.pages
            publish(tmp, job.out)
            result.pdf = job.out
        except CongkhaiError as err:
            result.error = err
        finally:
            tmp.unlink(missing_ok=True)

    @staticmethod
    def _payload(job: ConvertJob, tmp: Path) -> dict:
        meta = job.pdf_metadata
        return {
            "op": "convert",
            "src": str(job.src.resolve()),
            "out": str(tmp.resolve()),
            "pdf_version": 2 if job.pdfa else 0,
            "meta": {"title": meta.title, "subject": meta.subject, "author": meta.author,
                     "keywords": list(meta.keywords)},
        }

    # -- batches -------------------------------------------------------------------------------

    def convert_many(
        self, jobs: Iterable[ConvertJob], on_result: ResultCallback | None = None
    ) -> list[ConvertResult]:
        """Convert ``jobs`` on every instance in parallel; one result per job, in order.

        Each worker thread holds one instance and takes the next job from a shared queue, so a
        slow document never blocks the other instances. Verification runs in a separate thread
        while the instance already converts the next document (LibreOffice never waits for us).
        """
        if self._closed:
            raise ConverterUnavailable("Bộ chuyển đổi đã đóng.", "Converter is closed.", kind="closed")
        jobs = list(jobs)
        results: list[ConvertResult | None] = [None] * len(jobs)
        todo: queue.Queue[int] = queue.Queue()
        for i in range(len(jobs)):
            todo.put(i)
        started = [0.0] * len(jobs)

        def done(i: int, res: ConvertResult) -> None:
            res.seconds = time.monotonic() - started[i]
            results[i] = res
            if on_result is not None:
                on_result(res)

        def finish(i: int, tmp: Path, res: ConvertResult) -> None:
            self._finish(jobs[i], tmp, res)
            done(i, res)

        with ThreadPoolExecutor(max_workers=self.instances, thread_name_prefix="congkhai-verify") as checks:

            def worker() -> None:
                inst = self._free.get()
                try:
                    while True:
                        try:
                            i = todo.get_nowait()
                        except queue.Empty:
                            return
                        started[i] = time.monotonic()
                        res = ConvertResult(job=jobs[i], backend=f"{self.name}:{inst.name}", attempts=0)
                        try:
                            tmp = self._convert(inst, jobs[i], res)
                        except ConverterUnavailable as err:  # could not even start LibreOffice
                            res.error, tmp = err, None
                        if tmp is None:
                            done(i, res)
                        else:
                            checks.submit(finish, i, tmp, res)
                finally:
                    self._free.put(inst)

            workers = [threading.Thread(target=worker, name=f"congkhai-convert-{n}")
                       for n in range(min(self.instances, len(jobs)))]
            for t in workers:
                t.start()
            for t in workers:
                t.join()
        return [r for r in results if r is not None]

    def to_pdfa(self, src_pdf: Path, out_pdf: Path, metadata: PdfMetadata | None = None) -> Path:
        """PDF/A-2b restoration of an existing PDF with Debian's Ghostscript."""
        from congkhai.convert.pdfa import ghostscript_pdfa

        return ghostscript_pdfa(src_pdf, out_pdf, metadata)

    def close(self) -> None:
        """End every process this converter started and remove its profiles."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        for inst in self._all:
            inst.stop()
        atexit.unregister(self._atexit)
        if self._own_dir:
            shutil.rmtree(self.work_dir, ignore_errors=True)
