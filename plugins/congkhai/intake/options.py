"""What one intake pass is tuned by (``IntakeOptions``) and what it tells its caller (``IntakeReport``)."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from typing import Any

from congkhai.case import Case


@dataclass
class IntakeOptions:
    """Tunables (environment ``CONGKHAI_INTAKE_*``; tests pass their own)."""

    stable_seconds: float = 5.0  # size and mtime unchanged this long before a file is claimed
    settle_seconds: float = 0.5  # second look at candidates (catches writers that keep the mtime)
    review_threshold: float = 0.5
    max_bytes: int | None = None  # None: preflight.MAX_BYTES
    stale_claim_seconds: float = 60.0  # an empty claim folder older than this is removed
    #: A file that fails to parse while younger than this (since its mtime) may still be arriving:
    #: it goes back to the inbox (reported as waiting) instead of to errors/.
    grace_seconds: float = 60.0

    @classmethod
    def from_env(cls) -> IntakeOptions:
        env = os.environ.get
        mb = env("CONGKHAI_INTAKE_MAX_MB")
        return cls(
            stable_seconds=float(env("CONGKHAI_INTAKE_STABLE_SECONDS", "5")),
            settle_seconds=float(env("CONGKHAI_INTAKE_SETTLE_SECONDS", "0.5")),
            review_threshold=float(env("CONGKHAI_INTAKE_REVIEW_THRESHOLD", "0.5")),
            grace_seconds=float(env("CONGKHAI_INTAKE_GRACE_SECONDS", "60")),
            max_bytes=int(float(mb) * 1048576) if mb else None,
        )


@dataclass
class IntakeReport:
    commune: str
    cases: list[Case] = field(default_factory=list)  # filed, waiting for the pipeline (see acknowledge)
    new: list[str] = field(default_factory=list)  # case_ids filed by this run
    duplicates: list[dict[str, Any]] = field(default_factory=list)
    versions: list[dict[str, Any]] = field(default_factory=list)
    review: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)  # not yet stable: picked up by a later scan
    skipped: list[str] = field(default_factory=list)  # junk and hidden files, left alone
    retried: list[str] = field(default_factory=list)  # documents moved back from errors/review by a sidecar
    signed: list[dict[str, Any]] = field(default_factory=list)  # signed scans filed with their document

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["cases"] = [c.to_dict() for c in self.cases]
        return d
