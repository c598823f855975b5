"""The converter interface shared by both backends, its jobs, results and errors.

A *job* says what to convert (a .docx), where the PDF goes, the metadata the PDF must carry
(title, subject, author in Vietnamese) and what the caller knows about the result (text it must
contain, its page count). A backend converts, then :func:`congkhai.convert.verify.verify_pdf`
checks the file before it is put in place: a caller never receives an unchecked PDF.

Errors split like the rest of the package:

* :class:`ConversionError` (permanent): the document itself is bad (corrupt .docx, text missing
  from the PDF, no PDF/A claims). Retrying does not help; a person must look at the document.
* :class:`ConverterUnavailable` (transient): LibreOffice died, hung, or Gotenberg is unreachable
  or overloaded. Airflow retries these.
"""

from __future__ import annotations

import abc
import os
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Self

from congkhai.errors import CongkhaiError, PermanentError, TransientError
from congkhai.textutil import nfc


class ConversionError(PermanentError):
    """The document cannot be converted, or its PDF failed verification (retrying will not help)."""


class PdfVerificationError(ConversionError):
    """A produced PDF is not what was asked for; ``reasons`` lists every failed check."""

    def __init__(self, path: Path | str, reasons: Sequence[str]) -> None:
        self.reasons = list(reasons)
        joined = "; ".join(self.reasons)
        super().__init__(
            f"Tệp PDF {Path(path).name} không đạt kiểm tra: {joined}",
            f"PDF {Path(path).name} failed verification: {joined}",
            kind="pdf_verification",
            path=str(path),
        )


class ConverterUnavailable(TransientError):
    """The conversion service is down, hung or overloaded for now (retry later)."""


class ConversionTimeout(ConverterUnavailable):
    """One document took longer than the per-document timeout; its LibreOffice was restarted."""


@dataclass(frozen=True)
class PdfMetadata:
    """What the PDF says about itself (Info dictionary and XMP). Text is stored NFC."""

    title: str
    subject: str = ""
    author: str = ""
    keywords: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "title", nfc(self.title))
        object.__setattr__(self, "subject", nfc(self.subject))
        object.__setattr__(self, "author", nfc(self.author))
        object.__setattr__(self, "keywords", tuple(nfc(k) for k in self.keywords))


@dataclass(frozen=True)
class ConvertJob:
    """One document to convert.

    ``expect_text``: strings the PDF text must contain (compared after NFC and whitespace
    normalisation), e.g. the document number. ``expect_pages``: the page count when known.
    ``pdfa``: produce and check PDF/A-2b (the default: archival copies).
    """

    src: Path
    out: Path
    metadata: PdfMetadata | None = None
    expect_text: tuple[str, ...] = ()
    expect_pages: int | None = None
    pdfa: bool = True
    job_id: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "src", Path(self.src))
        object.__setattr__(self, "out", Path(self.out))
        object.__setattr__(self, "expect_text", tuple(self.expect_text))
        if not self.job_id:
            object.__setattr__(self, "job_id", self.src.name)

    @property
    def pdf_metadata(self) -> PdfMetadata:
        """The metadata the PDF gets: the job's, or its file name as the title."""
        return self.metadata or PdfMetadata(title=self.src.stem)


@dataclass
class ConvertResult:
    """The outcome of one job: ``ok`` with the verified ``pdf``, or the ``error`` that stopped it."""

    job: ConvertJob
    pdf: Path | None = None
    pages: int = 0
    seconds: float = 0.0
    error: CongkhaiError | None = None
    backend: str = ""
    attempts: int = 1
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None and self.pdf is not None

    @property
    def transient(self) -> bool:
        """True when retrying later may succeed (converter down or hung)."""
        return isinstance(self.error, TransientError)

    def raise_for_error(self) -> Path:
        """Return the PDF path, or raise the job's error."""
        if self.error is not None:
            raise self.error
        assert self.pdf is not None
        return self.pdf


ResultCallback = Callable[[ConvertResult], None]


def temp_output(out: Path) -> Path:
    """A temporary name beside ``out`` (same filesystem, so the final rename is atomic)."""
    return out.with_name(f".{out.stem}.{os.getpid()}.{threading.get_ident()}.{time.monotonic_ns()}.part.pdf")


def publish(tmp: Path, out: Path) -> None:
    """Move a verified temporary PDF into place: fsync, then atomic rename."""
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, out)


class Converter(abc.ABC):
    """One interface, two backends (local LibreOffice pool, Gotenberg).

    Use as a context manager, or call :meth:`close` yourself: backends may hold processes or
    connections. ``convert`` raises; ``convert_many`` never raises for one bad job (each job
    gets its own :class:`ConvertResult`) and uses every instance in parallel.
    """

    name: str = "converter"

    @property
    @abc.abstractmethod
    def instances(self) -> int:
        """How many documents this converter converts at the same time (the Airflow pool size)."""

    @abc.abstractmethod
    def convert_many(
        self, jobs: Iterable[ConvertJob], on_result: ResultCallback | None = None
    ) -> list[ConvertResult]:
        """Convert a batch; results in the order of ``jobs``. ``on_result`` is called as each job ends."""

    @abc.abstractmethod
    def to_pdfa(self, src_pdf: Path, out_pdf: Path, metadata: PdfMetadata | None = None) -> Path:
        """Rewrite an existing PDF (e.g. a merged dossier) as PDF/A-2b with ``metadata``."""

    def convert(self, job: ConvertJob) -> Path:
        """Convert one document and return its verified PDF; raise the error otherwise."""
        return self.convert_many([job])[0].raise_for_error()

    def close(self) -> None:  # noqa: B027 - optional for backends with nothing to release
        """Release processes or connections."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
