"""The shared converter: one warm LibreOffice pool per host, served on loopback like Gotenberg.

``congkhai converter serve`` runs it (``make run`` starts it; ``scripts/scale-check`` starts one per
host for its Celery workers). Every task of the host sends its documents here instead of starting its
own LibreOffice (~1.2 s and ~190 MB per instance). It speaks the part of Gotenberg 8's API we use, so
the client is :class:`congkhai.convert.gotenberg.GotenbergConverter` (its subclass
:class:`congkhai.convert.service.ServiceConverter`): one client interface for both.

Routes:

* ``GET /health``: 200 ``{"status": "up", "details": {"libreoffice": {...}}, "congkhai": {...}}`` when
  at least one instance is alive, else 503 with ``"status": "down"``. ``congkhai`` lists the
  instances (alive, soffice pid, starts) and the job counters.
* ``POST /forms/libreoffice/convert``: multipart, one file, fields ``pdfa`` (``PDF/A-2b`` or absent),
  ``metadata`` (JSON: ``Title``, ``Subject``, ``Author``, ``Keywords``), ``updateIndexes`` (ignored:
  never updated). 200 ``application/pdf``; 400 the document is bad (permanent); 503 LibreOffice
  unavailable or every instance busy for longer than ``queue_timeout`` (the client retries).

What keeps a batch whole when something dies:

* LibreOffice dies mid-job: :class:`~congkhai.convert.local.LocalConverter` restarts the instance and
  re-runs the job once on the fresh one; a job is idempotent (it writes a private temporary file).
* An idle instance dies: the supervisor thread restarts it within ``supervise_every`` seconds, so the
  next job finds it warm.
* The service itself dies: every open request fails with a connection error, which the client retries
  with back-off until the service is back (``scripts/run.sh`` restarts it); the bridges end their
  LibreOffice when their parent disappears. The client writes a PDF only after a complete answer
  (temporary file, fsync, rename): no partial file, no duplicate.

It binds only to a loopback address: the API reads documents sent by anyone who can connect.
"""

from __future__ import annotations

import datetime as dt
import email.parser
import email.policy
import ipaddress
import json
import logging
import os
import re
import shutil
import signal
import socket
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from congkhai.convert.base import ConvertJob, PdfMetadata
from congkhai.convert.local import LocalConverter
from congkhai.errors import UsageError

log = logging.getLogger(__name__)

CONVERT_ROUTE = "/forms/libreoffice/convert"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8785
MAX_BODY = 64 * 1024 * 1024
SUFFIXES = {".docx", ".doc", ".odt", ".rtf"}


def require_loopback(host: str) -> str:
    """Return ``host`` when every address it names is a loopback one; refuse anything else."""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
        addrs = {ipaddress.ip_address(i[4][0].split("%")[0]) for i in infos}
    except (socket.gaierror, ValueError) as err:
        raise UsageError(f"Địa chỉ không hợp lệ: {host}", f"Invalid host: {host} ({err})",
                         kind="usage", field="host") from err
    if not addrs or not all(a.is_loopback for a in addrs):
        raise UsageError(
            f"Bộ chuyển đổi chỉ nghe trên máy này (127.0.0.1 hoặc ::1), không nghe trên {host}: "
            "ai kết nối được sẽ gửi được tài liệu vào.",
            f"The converter binds to loopback only (127.0.0.1 or ::1), not {host}: anyone who can "
            "connect can send it documents.",
            kind="non_local_bind", field="host",
        )
    return host


def _stale_dirs(root: Path) -> None:
    """Remove work folders of services that are no longer running (named by their pid)."""
    for d in root.glob("[0-9]*"):
        try:
            os.kill(int(d.name), 0)
        except ProcessLookupError:
            shutil.rmtree(d, ignore_errors=True)
        except (PermissionError, ValueError):
            continue


class ConverterService:
    """The warm pool, its supervisor and the HTTP server; see the module docstring."""

    def __init__(
        self,
        *,
        host: str = DEFAULT_HOST,
        port: int = DEFAULT_PORT,
        instances: int | None = None,
        timeout: float = 60.0,
        queue_timeout: float = 60.0,
        work_dir: Path | None = None,
        supervise_every: float = 1.0,
    ) -> None:
        self.host = require_loopback(host)
        self.port = port
        self.instances = max(1, instances or os.cpu_count() or 1)
        self.timeout = timeout
        self.queue_timeout = queue_timeout
        self.supervise_every = supervise_every
        root = Path(work_dir) if work_dir else Path(tempfile.gettempdir()) / "congkhai-converter"
        root.mkdir(parents=True, exist_ok=True)
        _stale_dirs(root)
        self.work_dir = root / str(os.getpid())
        self.jobs_dir = self.work_dir / "jobs"
        self.jobs_dir.mkdir(parents=True, exist_ok=True)
        self.pool = LocalConverter(self.instances, timeout=timeout, work_dir=self.work_dir / "office",
                                   verify=False)  # the client verifies every PDF it receives
        self.slots = threading.BoundedSemaphore(self.instances)
        self.counters = {"jobs": 0, "ok": 0, "bad_document": 0, "unavailable": 0, "busy": 0, "revived": 0}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.httpd: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def count(self, key: str) -> None:
        with self._lock:
            self.counters[key] += 1

    # -- lifetime --------------------------------------------------------------------------------

    def start(self) -> None:
        """Bind, start every LibreOffice instance (warm before the first job) and the supervisor."""
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        server_cls = type("_Server", (ThreadingHTTPServer,), {"address_family": family, "daemon_threads": True})
        try:
            self.httpd = server_cls((self.host, self.port), _Handler)
        except OSError as err:
            raise UsageError(
                f"Không mở được cổng {self.port} trên {self.host} (đang có chương trình khác dùng?).",
                f"Cannot listen on {self.host}:{self.port}: {err}", kind="port_busy", field="port",
            ) from err
        self.httpd.service = self  # type: ignore[attr-defined]
        self.port = self.httpd.server_address[1]
        self.pool.start()
        threading.Thread(target=self._supervise, name="congkhai-converter-supervisor", daemon=True).start()
        log.info("converter service on %s: %d LibreOffice instance(s), work dir %s",
                 self.url, self.instances, self.work_dir)

    def serve_forever(self) -> None:
        assert self.httpd is not None
        try:
            self.httpd.serve_forever(poll_interval=0.2)
        finally:
            self.close()

    def shutdown(self) -> None:
        """Stop serving (safe from a signal handler: the server's own thread is not blocked)."""
        self._stop.set()
        if self.httpd is not None:
            threading.Thread(target=self.httpd.shutdown, daemon=True).start()

    def close(self) -> None:
        self._stop.set()
        if self.httpd is not None:
            self.httpd.server_close()
        self.pool.close()
        shutil.rmtree(self.work_dir, ignore_errors=True)

    def _supervise(self) -> None:
        while not self._stop.wait(self.supervise_every):
            try:
                revived = self.pool.revive_idle()
            except Exception:  # noqa: BLE001 - the supervisor must outlive any one failure
                log.exception("supervisor: could not restart an instance")
                continue
            for name in revived:
                self.count("revived")
                log.warning("supervisor: %s had died; restarted", name)

    # -- requests --------------------------------------------------------------------------------

    def health(self) -> tuple[bool, dict[str, Any]]:
        states = self.pool.states()
        up = any(s["alive"] for s in states)
        now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        status = "up" if up else "down"
        with self._lock:
            counters = dict(self.counters)
        return up, {
            "status": status,
            "details": {"libreoffice": {"status": status, "timestamp": now}},
            "congkhai": {"instances": states, "counters": counters, "pid": os.getpid()},
        }

    def convert(self, name: str, data: bytes, fields: dict[str, str]) -> tuple[int, bytes, str]:
        """One document: (HTTP status, body, content type)."""
        pdfa = fields.get("pdfa", "")
        if pdfa not in ("", "PDF/A-2b"):
            return 400, f"Invalid form data: pdfa {pdfa!r} (only PDF/A-2b)".encode(), "text/plain; charset=utf-8"
        try:
            meta = json.loads(fields.get("metadata") or "{}")
        except ValueError:
            return 400, b"Invalid form data: metadata is not JSON", "text/plain; charset=utf-8"
        suffix = Path(name).suffix.lower()
        if suffix not in SUFFIXES:
            return 400, f"Unsupported file: {name!r}".encode(), "text/plain; charset=utf-8"
        stem = re.sub(r"[^\w.-]+", "_", Path(name).stem)[:80] or "document"
        if not self.slots.acquire(timeout=self.queue_timeout):
            self.count("busy")
            return 503, b"Every LibreOffice instance stayed busy; retry later", "text/plain; charset=utf-8"
        self.count("jobs")
        try:
            with tempfile.TemporaryDirectory(dir=self.jobs_dir) as td:
                src = Path(td) / f"{stem}{suffix}"
                src.write_bytes(data)
                keywords = tuple(k.strip() for k in str(meta.get("Keywords", "")).split(",") if k.strip())
                job = ConvertJob(src, Path(td) / "out.pdf", pdfa=bool(pdfa), job_id=name, metadata=PdfMetadata(
                    str(meta.get("Title", "")), str(meta.get("Subject", "")), str(meta.get("Author", "")),
                    keywords) if meta else None)
                res = self.pool.convert_many([job])[0]
                if res.ok:
                    self.count("ok")
                    log.info("%s converted in %.2f s on %s (attempts %d)", name, res.seconds, res.backend,
                             res.attempts)
                    return 200, Path(res.pdf).read_bytes(), "application/pdf"
                message = (res.error.message_en if res.error else "unknown error").encode()
                if res.transient:
                    self.count("unavailable")
                    log.warning("%s: LibreOffice unavailable: %s", name, res.error)
                    return 503, message, "text/plain; charset=utf-8"
                self.count("bad_document")
                log.warning("%s: cannot be converted: %s", name, res.error)
                return 400, message, "text/plain; charset=utf-8"
        finally:
            self.slots.release()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "congkhai-converter"

    @property
    def service(self) -> ConverterService:
        return self.server.service  # type: ignore[attr-defined]

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        log.debug("%s " + format, self.address_string(), *args)

    def _reply(self, status: int, body: bytes, ctype: str = "text/plain; charset=utf-8") -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up: it will retry
            self.close_connection = True

    def do_GET(self) -> None:
        if self.path.split("?")[0] != "/health":
            return self._reply(404, b"Not Found")
        up, body = self.service.health()
        self._reply(200 if up else 503, json.dumps(body).encode(), "application/json")

    def do_POST(self) -> None:
        if self.path.split("?")[0] != CONVERT_ROUTE:
            self.close_connection = True
            return self._reply(404, b"Not Found")
        length = int(self.headers.get("Content-Length") or 0)
        if length <= 0 or length > MAX_BODY:
            self.close_connection = True
            return self._reply(413 if length > MAX_BODY else 400, b"Missing or oversized body")
        raw = self.rfile.read(length)
        msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            f"Content-Type: {self.headers.get('Content-Type', '')}\r\n\r\n".encode() + raw)
        fields: dict[str, str] = {}
        files: list[tuple[str, bytes]] = []
        if msg.is_multipart():
            for part in msg.iter_parts():
                payload = part.get_payload(decode=True) or b""
                if part.get_filename():
                    files.append((part.get_filename(), payload))
                else:
                    fields[str(part.get_param("name", header="content-disposition"))] = payload.decode("utf-8")
        if len(files) != 1:
            return self._reply(400, b"Send exactly one file per request")
        status, body, ctype = self.service.convert(files[0][0], files[0][1], fields)
        self._reply(status, body, ctype)


def serve(
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    instances: int | None = None,
    timeout: float = 60.0,
    queue_timeout: float = 60.0,
    work_dir: Path | None = None,
    ready_file: Path | None = None,
) -> None:
    """Run the service until SIGTERM or SIGINT; ``ready_file`` gets its URL once it is warm."""
    service = ConverterService(host=host, port=port, instances=instances, timeout=timeout,
                               queue_timeout=queue_timeout, work_dir=work_dir)
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: service.shutdown())
    t0 = time.monotonic()
    try:
        service.start()
    except BaseException:
        service.close()
        raise
    log.info("ready in %.1f s", time.monotonic() - t0)
    if ready_file is not None:
        ready_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = ready_file.with_name(f".{ready_file.name}.{os.getpid()}")
        tmp.write_text(service.url + "\n", encoding="utf-8")
        os.replace(tmp, ready_file)
    service.serve_forever()
