"""Client of the shared converter service (``congkhai converter serve``); on when ``CONGKHAI_CONVERTER_URL`` is set.

The service speaks Gotenberg's LibreOffice route, so the client is the Gotenberg client with its
retry policy (connection errors and 5xx: exponential back-off; 4xx: the document is bad), two
differences:

* ``to_pdfa`` (the yearly dossier) runs Ghostscript here: the service is on this host, and a merged
  dossier is better not shipped over HTTP.
* **Fallback** (``CONGKHAI_CONVERTER_FALLBACK``): ``none`` (default) — a service that does not answer
  is a transient error, Airflow retries the task, and nobody starts a second LibreOffice pool on a
  host whose cores the service already uses; ``local`` — when the service is absent (its ``/health``
  does not answer at the start of a batch), or jobs still fail with :class:`ConverterUnavailable`
  after the retries, those jobs are converted by a per-process pool of warm LibreOffice instances
  (the old behaviour, slower to start). Use ``local`` where a missing service must not stop work,
  e.g. a one-off command on a machine where ``make run`` is not running.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterable
from pathlib import Path

import httpx

from congkhai.convert.base import (
    Converter,
    ConverterUnavailable,
    ConvertJob,
    ConvertResult,
    PdfMetadata,
    ResultCallback,
)
from congkhai.convert.gotenberg import GotenbergConverter

log = logging.getLogger(__name__)

FALLBACKS = ("none", "local")


def fallback_setting() -> str:
    """``CONGKHAI_CONVERTER_FALLBACK``: ``none`` (default) or ``local``."""
    value = os.environ.get("CONGKHAI_CONVERTER_FALLBACK", "none").strip().lower() or "none"
    if value not in FALLBACKS:
        from congkhai.errors import ConfigError

        raise ConfigError(
            f"CONGKHAI_CONVERTER_FALLBACK phải là none hoặc local, không phải {value!r}.",
            f"CONGKHAI_CONVERTER_FALLBACK must be none or local, not {value!r}.",
            kind="config", field="CONGKHAI_CONVERTER_FALLBACK",
        )
    return value


class ServiceConverter(GotenbergConverter):
    """Sends jobs to the host's shared converter; ``instances`` requests in flight per batch."""

    name = "service"
    label_vi = "Bộ chuyển đổi dùng chung"

    def __init__(
        self,
        url: str,
        *,
        instances: int = 2,
        timeout: float = 60.0,
        server_timeout: float | None = None,
        retries: int = 5,
        backoff: float = 0.5,
        fallback: str = "none",
        verify: bool = True,
    ) -> None:
        # The service may queue a job (up to its queue timeout, 60 s) before converting it (up to
        # ``timeout``, once more after a crash): the client waits longer than all of that.
        super().__init__(url, instances=instances, timeout=timeout,
                         server_timeout=server_timeout or (60.0 + 2 * timeout),
                         retries=retries, backoff=backoff, verify=verify)
        if fallback not in FALLBACKS:
            raise ValueError(f"fallback must be one of {FALLBACKS}")
        self.fallback = fallback
        self._local: Converter | None = None
        self._local_lock = threading.Lock()  # produce() calls convert_many from several threads

    def _unreachable(self, what: str, err: Exception) -> ConverterUnavailable:
        return ConverterUnavailable(
            f"Không kết nối được bộ chuyển đổi dùng chung tại {self.url} ({what}). Khởi động lại bằng "
            "`make run` (hoặc `congkhai converter serve`).",
            f"Cannot reach the shared converter at {self.url} ({what}): {type(err).__name__}: {err}. "
            "Start it with `make run` or `congkhai converter serve`; CONGKHAI_CONVERTER_FALLBACK=local "
            "converts in this process instead.",
            kind="converter_service_unreachable",
        )

    def health(self) -> bool:
        """True when the service answers ``/health`` with status up (one quick try)."""
        try:
            r = httpx.get(f"{self.url}/health", timeout=3.0)
            return r.status_code == 200 and r.json().get("status") == "up"
        except (httpx.HTTPError, ValueError):
            return False

    def _local_pool(self) -> Converter:
        with self._local_lock:  # one fallback pool, even when several threads find the service down at once
            if self._local is None:
                from congkhai.convert.local import LocalConverter

                self._local = LocalConverter(self.instances, timeout=self.client_timeout, verify=self.verify)
            return self._local

    def convert_many(
        self, jobs: Iterable[ConvertJob], on_result: ResultCallback | None = None
    ) -> list[ConvertResult]:
        jobs = list(jobs)
        if self.fallback != "local":
            return super().convert_many(jobs, on_result)
        if jobs and not self.health():
            log.warning("shared converter at %s is down: converting %d job(s) in this process", self.url,
                        len(jobs))
            return self._local_pool().convert_many(jobs, on_result)

        def forward(res: ConvertResult) -> None:  # failures that the fallback may still fix come later
            if on_result is not None and not (res.transient and res.error is not None):
                on_result(res)

        results = super().convert_many(jobs, forward)
        retry = [i for i, r in enumerate(results) if r.transient and r.error is not None]
        if retry:
            log.warning("shared converter failed %d job(s): converting them in this process", len(retry))
            again = self._local_pool().convert_many([jobs[i] for i in retry], on_result)
            for i, res in zip(retry, again, strict=True):
                res.notes.append(f"service: {results[i].error}")
                results[i] = res
        return results

    def to_pdfa(self, src_pdf: Path, out_pdf: Path, metadata: PdfMetadata | None = None) -> Path:
        """PDF/A-2b of an existing PDF with Ghostscript on this host (as the local backend does)."""
        from congkhai.convert.pdfa import ghostscript_pdfa

        return ghostscript_pdfa(src_pdf, out_pdf, metadata)

    def close(self) -> None:
        super().close()
        with self._local_lock:
            if self._local is not None:
                self._local.close()
                self._local = None
