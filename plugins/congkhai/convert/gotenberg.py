"""Gotenberg backend (the docker-compose deployment; on when ``GOTENBERG_URL`` is set).

Uses gotenberg-client's LibreOffice route (``/forms/libreoffice/convert``) with PDF/A-2b, the
document's metadata and ``updateIndexes`` off, and ``/forms/pdfengines/convert`` to restore
PDF/A on a merged dossier. Every PDF is verified locally like the local backend's.

Retries are ours, not ``run_with_retry()``'s (which retries 5xx only and, when the server is
unreachable, backs off for minutes and then fails with an unhelpful error):

* 5xx (Gotenberg answers 503 when its queue is full or its ``API_TIMEOUT`` passed) and
  connection errors / client timeouts: retried with exponential back-off, then
  :class:`ConverterUnavailable` (transient) saying in Vietnamese and English where Gotenberg
  was expected;
* 4xx (400: the document is bad, or the request is): no retry, :class:`ConversionError`.

The client timeout is kept above the server's ``API_TIMEOUT`` (``server_timeout``, 30 s by
default in Gotenberg) so that the server, not the client, gives up first and says why.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from congkhai.convert.base import (
    ConversionError,
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


class GotenbergConverter(Converter):
    """Converts through a Gotenberg server; ``instances`` requests are kept in flight at once."""

    name = "gotenberg"
    #: How messages name the server (the shared converter service says itself).
    label_vi = "Gotenberg"

    def __init__(
        self,
        url: str,
        *,
        instances: int = 2,
        timeout: float = 60.0,
        server_timeout: float = 30.0,
        retries: int = 4,
        backoff: float = 1.0,
        verify: bool = True,
    ) -> None:
        from gotenberg_client import GotenbergClient

        self.url = url.rstrip("/")
        self._instances = max(1, instances)
        self.server_timeout = server_timeout
        # Above the server's own timeout, so the server reports a timeout before we cut it off.
        self.client_timeout = max(timeout, server_timeout + 10.0)
        self.retries = retries
        self.backoff = backoff
        self.verify = verify
        self._client = GotenbergClient(self.url, timeout=self.client_timeout, http2=False)
        self._lock = threading.Lock()

    @property
    def instances(self) -> int:
        return self._instances

    def close(self) -> None:
        self._client.close()

    # -- requests with our retry policy ---------------------------------------------------------

    def _unreachable(self, what: str, err: Exception) -> ConverterUnavailable:
        return ConverterUnavailable(
            f"Không kết nối được máy chủ chuyển đổi Gotenberg tại {self.url} ({what}). "
            "Kiểm tra dịch vụ gotenberg trong docker compose đang chạy, hoặc bỏ GOTENBERG_URL để "
            "dùng LibreOffice cài sẵn.",
            f"Cannot reach Gotenberg at {self.url} ({what}): {type(err).__name__}: {err}. "
            "Is the gotenberg service of docker compose up? Unset GOTENBERG_URL to use the local LibreOffice.",
            kind="gotenberg_unreachable",
        )

    def _run(self, make_route, configure, label: str, src: Path | None) -> bytes:
        """Run ``make_route(client)``, set up by ``configure(route)``, with retries; return the body.

        The route is configured inside its ``with`` block: entering a gotenberg-client route
        resets its form data and files.
        """
        from gotenberg_client import HttpStatusError

        wait = self.backoff
        last: Exception | None = None
        for attempt in range(1, self.retries + 2):
            try:
                with make_route(self._client) as route:
                    configure(route)
                    return route.run().content
            except HttpStatusError as err:
                status = err.response.status_code
                body = err.response.content[:300].decode("utf-8", "replace").strip()
                if status < 500:
                    raise ConversionError(
                        f"{self.label_vi} từ chối {label} (HTTP {status}): tệp hỏng hoặc yêu cầu sai.",
                        f"{self.name} rejected {label} (HTTP {status}): {body}",
                        kind=f"gotenberg_{status}", path=str(src) if src else None,
                    ) from err
                last = err
                log.warning("%s HTTP %s for %s (attempt %s): %s", self.name, status, label, attempt, body)
            except (httpx.TransportError, OSError) as err:  # connect refused, reset, timeouts
                last = err
                log.warning("%s unreachable for %s (attempt %s): %s", self.name, label, attempt, err)
            if attempt <= self.retries:
                time.sleep(wait)
                wait *= 2
        assert last is not None
        if isinstance(last, HttpStatusError):
            status = last.response.status_code
            raise ConverterUnavailable(
                f"{self.label_vi} quá tải hoặc lỗi (HTTP {status}) khi chuyển {label}, đã thử "
                f"{self.retries + 1} lần.",
                f"{self.name} kept failing (HTTP {status}) for {label} after {self.retries + 1} attempts.",
                kind=f"gotenberg_{status}", path=str(src) if src else None,
            ) from last
        raise self._unreachable(label, last) from last

    def health(self) -> bool:
        """True when Gotenberg answers ``/health`` with status up (one quick try, no retries)."""
        try:
            return str(self._client.health.health().overall) == "up"
        except Exception:  # noqa: BLE001 - any failure means "not healthy"
            return False

    # -- conversion -----------------------------------------------------------------------------

    def _convert_one(self, job: ConvertJob) -> ConvertResult:
        from gotenberg_client.options import PdfAFormat

        t0 = time.monotonic()
        result = ConvertResult(job=job, backend=self.name)
        meta = job.pdf_metadata
        try:
            if not job.src.is_file():
                raise ConversionError(
                    f"Không tìm thấy tệp cần chuyển: {job.src}", f"Input file not found: {job.src}",
                    kind="missing_input", path=str(job.src),
                )

            def configure(route):
                route.convert(job.src)
                route.update_indexes(update_indexes=False)
                if job.pdfa:
                    route.pdf_format(PdfAFormat.A2b)
                route.metadata(title=meta.title, subject=meta.subject or None,
                               author=meta.author or None, keywords=list(meta.keywords) or None)

            content = self._run(lambda c: c.libre_office.to_pdf(), configure, job.src.name, job.src)
            job.out.parent.mkdir(parents=True, exist_ok=True)
            tmp = temp_output(job.out)
            try:
                tmp.write_bytes(content)
                if has_xml_specials(meta):  # LibreOffice 7.4 escapes them twice in the XMP
                    repair_xmp_text(tmp, meta)
                if self.verify:
                    try:
                        report = verify_pdf(tmp, expect_text=job.expect_text, expect_pages=job.expect_pages,
                                            pdfa=job.pdfa, metadata=job.metadata)
                    except PdfVerificationError as err:
                        raise PdfVerificationError(job.out, err.reasons) from None
                    result.pages = report.pages
                publish(tmp, job.out)
                result.pdf = job.out
            finally:
                tmp.unlink(missing_ok=True)
        except CongkhaiError as err:
            result.error = err
        result.seconds = time.monotonic() - t0
        return result

    def convert_many(
        self, jobs: Iterable[ConvertJob], on_result: ResultCallback | None = None
    ) -> list[ConvertResult]:
        jobs = list(jobs)
        if not jobs:
            return []

        def one(job: ConvertJob) -> ConvertResult:
            res = self._convert_one(job)
            if on_result is not None:
                on_result(res)
            return res

        with ThreadPoolExecutor(max_workers=min(self.instances, len(jobs)),
                                thread_name_prefix="congkhai-gotenberg") as pool:
            return list(pool.map(one, jobs))

    def to_pdfa(self, src_pdf: Path, out_pdf: Path, metadata: PdfMetadata | None = None) -> Path:
        """PDF/A-2b through ``/forms/pdfengines/convert``; metadata written locally afterwards."""
        from gotenberg_client.options import PdfAFormat

        from congkhai.convert.pdfa import set_metadata

        src_pdf, out_pdf = Path(src_pdf), Path(out_pdf)
        content = self._run(lambda c: c.pdf_convert.to_pdfa(),
                            lambda r: r.convert(src_pdf).pdf_format(PdfAFormat.A2b), src_pdf.name, src_pdf)
        out_pdf.parent.mkdir(parents=True, exist_ok=True)
        tmp = temp_output(out_pdf)
        try:
            tmp.write_bytes(content)
            if metadata is not None:
                set_metadata(tmp, metadata)
            publish(tmp, out_pdf)
        finally:
            tmp.unlink(missing_ok=True)
        return out_pdf
