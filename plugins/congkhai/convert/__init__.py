"""PDF conversion (fast and checked) and the yearly disclosure dossier.

``get_converter(settings)`` picks the backend:

1. the host's shared converter service when ``CONGKHAI_CONVERTER_URL`` is set (``make run`` and
   ``scripts/scale-check`` start it and set it: ``congkhai converter serve``, one warm LibreOffice
   pool per host shared by every task; ``CONGKHAI_CONVERTER_FALLBACK=local`` lets a task convert in
   its own process when the service is absent, see :mod:`congkhai.convert.service`);
2. else Gotenberg when ``GOTENBERG_URL`` is set (the docker-compose deployment);
3. else a pool of warm local LibreOffice instances in this process (``CONGKHAI_CONVERTERS`` of
   them, default 2): tests, one-off commands.

``pool_size(settings)`` is ``CONGKHAI_CONVERTERS``: the size of the Airflow pool that limits
concurrent conversion tasks, and the requests each task keeps in flight with a server backend.

    with get_converter() as conv:
        results = conv.convert_many([ConvertJob(src, out, metadata=PdfMetadata(title=...)), ...])
"""

from __future__ import annotations

import os

from congkhai.config import Settings
from congkhai.config import settings as _settings
from congkhai.convert.base import (
    ConversionError,
    ConversionTimeout,
    Converter,
    ConverterUnavailable,
    ConvertJob,
    ConvertResult,
    PdfMetadata,
    PdfVerificationError,
)
from congkhai.convert.verify import PdfReport, verify_pdf

__all__ = [
    "ConversionError",
    "ConversionTimeout",
    "Converter",
    "ConverterUnavailable",
    "ConvertJob",
    "ConvertResult",
    "PdfMetadata",
    "PdfReport",
    "PdfVerificationError",
    "convert_timeout",
    "get_converter",
    "pool_size",
    "service_url",
    "verify_pdf",
]


def convert_timeout() -> float:
    """Per-document timeout in seconds (``CONGKHAI_CONVERT_TIMEOUT``, default 60)."""
    return float(os.environ.get("CONGKHAI_CONVERT_TIMEOUT", "60"))


def pool_size(settings: Settings | None = None) -> int:
    """How many conversions may run at once: the Airflow pool size for conversion tasks.

    Local: the number of LibreOffice instances (``CONGKHAI_CONVERTERS``). Gotenberg: the same
    setting, read as the number of requests we keep in flight (Gotenberg queues the rest).
    """
    s = settings or _settings()
    return max(1, int(s.converter_instances))


def service_url() -> str | None:
    """``CONGKHAI_CONVERTER_URL``: the host's shared converter service, or None."""
    return (os.environ.get("CONGKHAI_CONVERTER_URL") or "").strip() or None


def get_converter(settings: Settings | None = None) -> Converter:
    """The configured backend: the shared service, else Gotenberg, else local LibreOffice."""
    s = settings or _settings()
    url = service_url()
    if url:
        from congkhai.convert.service import ServiceConverter, fallback_setting

        return ServiceConverter(url, instances=pool_size(s), timeout=convert_timeout(),
                                fallback=fallback_setting())
    if s.gotenberg_url:
        from congkhai.convert.gotenberg import GotenbergConverter

        return GotenbergConverter(s.gotenberg_url, instances=pool_size(s), timeout=convert_timeout())
    from congkhai.convert.local import LocalConverter

    return LocalConverter(instances=pool_size(s), timeout=convert_timeout())
