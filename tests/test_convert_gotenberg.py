"""The Gotenberg backend against a small local server that speaks Gotenberg's API.

No Docker here, so no real Gotenberg: :class:`FakeGotenberg` answers ``/health``,
``/forms/libreoffice/convert`` and ``/forms/pdfengines/convert`` like Gotenberg 8 does, and
converts with the real local LibreOffice (and Ghostscript for PDF/A of existing PDFs). It
records each request's form fields, can be told to fail the next requests with given HTTP
statuses, and measures how many requests were in flight at once.
The ``live`` test runs against a real Gotenberg when ``GOTENBERG_URL`` is set.
"""

from __future__ import annotations

import email.parser
import email.policy
import json
import os
import socket
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from pypdf import PdfWriter

from congkhai.convert import (
    ConversionError,
    ConverterUnavailable,
    ConvertJob,
    PdfMetadata,
    get_converter,
    verify_pdf,
)
from congkhai.convert.gotenberg import GotenbergConverter
from congkhai.convert.local import LocalConverter
from congkhai.convert.pdfa import ghostscript_pdfa
from tests.docgen import make_docx

META = PdfMetadata("Biên bản niêm yết công khai", "Công khai dự toán", "UBND thị trấn Kép", ("công khai", "dự toán"))


class FakeGotenberg(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, office: LocalConverter) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.office = office
        self.requests: list[dict] = []
        self.fail_next: list[int] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: FakeGotenberg

    def log_message(self, *args) -> None:  # keep pytest output clean
        pass

    def _reply(self, status: int, body: bytes, ctype: str = "text/plain; charset=utf-8") -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        if self.path != "/health":
            return self._reply(404, b"Not Found")
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        body = {"status": "up", "details": {"libreoffice": {"status": "up", "timestamp": now}}}
        self._reply(200, json.dumps(body).encode(), "application/json")

    def _form(self) -> tuple[dict[str, str], dict[str, bytes]]:
        raw = self.rfile.read(int(self.headers["Content-Length"]))
        msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode() + raw)
        fields, files = {}, {}
        for part in msg.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if part.get_filename():
                files[part.get_filename()] = part.get_payload(decode=True)
            else:
                fields[name] = part.get_payload(decode=True).decode("utf-8")
        return fields, files

    def do_POST(self) -> None:
        srv = self.server
        fields, files = self._form()
        with srv.lock:
            srv.requests.append({"path": self.path, "fields": fields, "files": sorted(files)})
            status = srv.fail_next.pop(0) if srv.fail_next else None
            srv.in_flight += 1
            srv.max_in_flight = max(srv.max_in_flight, srv.in_flight)
        try:
            if status is not None:
                return self._reply(status, b"Service Unavailable" if status == 503 else b"Error")
            if self.path == "/forms/libreoffice/convert":
                return self._convert_office(fields, files)
            if self.path == "/forms/pdfengines/convert":
                return self._convert_pdfa(fields, files)
            return self._reply(404, b"Not Found")
        finally:
            with srv.lock:
                srv.in_flight -= 1

    def _convert_office(self, fields: dict[str, str], files: dict[str, bytes]) -> None:
        time.sleep(0.2)  # lets parallel requests overlap, as on a real server
        (name, data), = files.items()
        meta = json.loads(fields.get("metadata", "{}"))
        with tempfile.TemporaryDirectory() as td:
            src = Path(td) / name
            src.write_bytes(data)
            res = self.server.office.convert_many([ConvertJob(
                src, Path(td) / "out.pdf", pdfa=fields.get("pdfa") == "PDF/A-2b",
                metadata=PdfMetadata(meta.get("Title", ""), meta.get("Subject", ""), meta.get("Author", ""),
                                     tuple(k.strip() for k in meta.get("Keywords", "").split(",") if k.strip())),
            )])[0]
            if not res.ok:
                return self._reply(400, f"LibreOffice failed to convert {name}".encode())
            self._reply(200, res.pdf.read_bytes(), "application/pdf")

    def _convert_pdfa(self, fields: dict[str, str], files: dict[str, bytes]) -> None:
        if fields.get("pdfa") != "PDF/A-2b":
            return self._reply(400, b"Invalid form data: pdfa")
        (name, data), = files.items()
        with tempfile.TemporaryDirectory() as td:
            src = Path(td) / name
            src.write_bytes(data)
            out = ghostscript_pdfa(src, Path(td) / "a.pdf")
            self._reply(200, out.read_bytes(), "application/pdf")


@pytest.fixture(scope="module")
def fake():
    with LocalConverter(1, verify=False) as office:
        server = FakeGotenberg(office)
        t = threading.Thread(target=server.serve_forever, daemon=True)
        t.start()
        yield server
        server.shutdown()
        server.server_close()


@pytest.fixture()
def gotenberg(fake):
    fake.requests.clear()
    fake.fail_next.clear()
    fake.max_in_flight = 0
    with GotenbergConverter(fake.url, instances=2, retries=3, backoff=0.05) as conv:
        yield conv


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.gotenberg_fake
def test_libreoffice_route_with_pdfa_metadata_and_no_index_update(gotenberg, fake, tmp_path):
    doc = make_docx(tmp_path / "bb.docx", number="05/BB-UBND")
    pdf = gotenberg.convert(ConvertJob(doc.path, tmp_path / "bb.pdf", metadata=META, expect_text=doc.expect_text,
                                       expect_pages=1))
    (req,) = fake.requests
    assert req["path"] == "/forms/libreoffice/convert" and req["files"] == ["bb.docx"]
    assert req["fields"]["pdfa"] == "PDF/A-2b"
    assert req["fields"]["updateIndexes"] == "false"
    assert json.loads(req["fields"]["metadata"]) == {
        "Title": "Biên bản niêm yết công khai", "Subject": "Công khai dự toán", "Author": "UBND thị trấn Kép",
        "Keywords": "công khai, dự toán"}
    report = verify_pdf(pdf, metadata=META)
    assert report.pdfa_part == "2"


@pytest.mark.gotenberg_fake
def test_batch_keeps_instances_requests_in_flight(gotenberg, fake, tmp_path):
    docs = [make_docx(tmp_path / f"{i}.docx", number=f"{i:02d}/BB-UBND") for i in range(4)]
    results = gotenberg.convert_many(
        ConvertJob(d.path, tmp_path / f"{i}.pdf", metadata=META, expect_text=d.expect_text) for i, d in enumerate(docs))
    assert all(r.ok for r in results) and [r.pdf.name for r in results] == ["0.pdf", "1.pdf", "2.pdf", "3.pdf"]
    assert fake.max_in_flight == 2


@pytest.mark.gotenberg_fake
def test_503_is_retried_with_backoff(gotenberg, fake, tmp_path):
    doc = make_docx(tmp_path / "a.docx")
    fake.fail_next[:] = [503, 502]
    t0 = time.monotonic()
    gotenberg.convert(ConvertJob(doc.path, tmp_path / "a.pdf", metadata=META))
    assert len(fake.requests) == 3
    assert time.monotonic() - t0 >= 0.05 + 0.1  # back-off doubled between attempts


@pytest.mark.gotenberg_fake
def test_persistent_5xx_is_transient_after_the_retries(gotenberg, fake, tmp_path):
    doc = make_docx(tmp_path / "a.docx")
    fake.fail_next[:] = [503] * 10
    res = gotenberg.convert_many([ConvertJob(doc.path, tmp_path / "a.pdf", metadata=META)])[0]
    assert isinstance(res.error, ConverterUnavailable) and res.transient
    assert "HTTP 503" in res.error.message_vi and len(fake.requests) == 4
    assert not (tmp_path / "a.pdf").exists()


@pytest.mark.gotenberg_fake
def test_400_fails_fast_and_other_jobs_succeed(gotenberg, fake, tmp_path):
    bad = tmp_path / "hong.docx"
    bad.write_bytes(b"PK\x03\x04 not a docx")
    good = make_docx(tmp_path / "a.docx")
    results = gotenberg.convert_many([ConvertJob(bad, tmp_path / "hong.pdf", metadata=META),
                                      ConvertJob(good.path, tmp_path / "a.pdf", metadata=META)])
    assert isinstance(results[0].error, ConversionError) and not results[0].transient
    assert "HTTP 400" in results[0].error.message_vi
    assert results[1].ok
    assert [r["files"] for r in fake.requests].count(["hong.docx"]) == 1  # no retry on 400


@pytest.mark.gotenberg_fake
def test_unreachable_server_gives_a_clear_message_quickly(tmp_path):
    doc = make_docx(tmp_path / "a.docx")
    url = f"http://127.0.0.1:{_free_port()}"
    with GotenbergConverter(url, retries=2, backoff=0.05) as conv:
        assert conv.health() is False
        t0 = time.monotonic()
        res = conv.convert_many([ConvertJob(doc.path, tmp_path / "a.pdf", metadata=META)])[0]
    assert time.monotonic() - t0 < 5
    assert isinstance(res.error, ConverterUnavailable) and res.transient
    assert res.error.kind == "gotenberg_unreachable"
    assert f"Không kết nối được máy chủ chuyển đổi Gotenberg tại {url}" in res.error.message_vi
    assert "Cannot reach Gotenberg" in res.error.message_en


@pytest.mark.gotenberg_fake
def test_health_and_client_timeout_above_server_timeout(gotenberg):
    assert gotenberg.health() is True
    assert GotenbergConverter("http://x", timeout=5, server_timeout=30).client_timeout == 40
    assert GotenbergConverter("http://x", timeout=120, server_timeout=30).client_timeout == 120


@pytest.mark.gotenberg_fake
def test_pdfengines_route_restores_pdfa_of_a_merged_file(gotenberg, fake, tmp_path):
    doc = make_docx(tmp_path / "a.docx", number="08/BB-UBND")
    pdf = gotenberg.convert(ConvertJob(doc.path, tmp_path / "a.pdf", metadata=META))
    w = PdfWriter()
    w.append(pdf)
    w.append(pdf)
    w.write(tmp_path / "merged.pdf")
    dossier_meta = PdfMetadata("Hồ sơ công khai thông tin năm 2024", "Lưu trữ", "UBND thị trấn Kép")
    out = gotenberg.to_pdfa(tmp_path / "merged.pdf", tmp_path / "merged-a.pdf", dossier_meta)
    assert fake.requests[-1]["path"] == "/forms/pdfengines/convert"
    verify_pdf(out, expect_text=["08/BB-UBND"], expect_pages=2, metadata=dossier_meta)


@pytest.mark.gotenberg_fake
def test_get_converter_uses_gotenberg_when_configured(fake, monkeypatch, tmp_path):
    monkeypatch.setenv("GOTENBERG_URL", fake.url)
    doc = make_docx(tmp_path / "a.docx")
    with get_converter() as conv:
        assert isinstance(conv, GotenbergConverter)
        conv.convert(ConvertJob(doc.path, tmp_path / "a.pdf", metadata=META))


@pytest.mark.live
@pytest.mark.skipif(not os.environ.get("GOTENBERG_URL"), reason="needs a real Gotenberg at GOTENBERG_URL")
def test_live_gotenberg(tmp_path):
    doc = make_docx(tmp_path / "a.docx", number="11/BB-UBND")
    with GotenbergConverter(os.environ["GOTENBERG_URL"]) as conv:
        assert conv.health()
        pdf = conv.convert(ConvertJob(doc.path, tmp_path / "a.pdf", metadata=META, expect_text=doc.expect_text))
    verify_pdf(pdf, metadata=META)
