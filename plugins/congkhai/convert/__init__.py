"""PDF conversion (fast and checked) and the yearly disclosure dossier.

``get_converter(settings)`` picks the backend: Gotenberg when ``GOTENBERG_URL`` is set (the
docker-compose deployment), else a pool of warm local LibreOffice instances
(``CONGKHAI_CONVERTERS`` of them, default 2). ``pool_size(settings)`` is that number: the size
of the Airflow pool that limits concurrent conversion tasks.

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


def get_converter(settings: Settings | None = None) -> Converter:
    """The configured backend: Gotenberg when ``GOTENBERG_URL`` is set, else local LibreOffice."""
    s = settings or _settings()
    if s.gotenberg_url:
        from congkhai.convert.gotenberg import GotenbergConverter

        return GotenbergConverter(s.gotenberg_url, instances=pool_size(s), timeout=convert_timeout())
    from congkhai.convert.local import LocalConverter

    return LocalConverter(instances=pool_size(s), timeout=convert_timeout())
