"""Installation self-check: what an operator needs for the pipeline to work on this machine."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import asdict, dataclass

from congkhai.config import Settings, list_communes, settings


@dataclass
class Check:
    name: str
    ok: bool
    detail: str


def _fc_match(family: str) -> str:
    try:
        out = subprocess.run(["fc-match", family], capture_output=True, text=True, timeout=10)
        return out.stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return ""


def check_installation(s: Settings | None = None) -> list[dict]:
    """Run every check and return them as dicts (JSON-friendly for XCom and the CLI)."""
    s = s or settings()
    checks: list[Check] = []
    communes = list_communes(s)
    checks.append(Check("communes", bool(communes), ", ".join(communes) or f"no commune in {s.communes_dir}"))
    for c in communes:
        for label, p in (("inbox", s.inbox_dir(c)), ("archive", s.archive_dir(c)), ("state", s.state_dir(c))):
            p.mkdir(parents=True, exist_ok=True)
            checks.append(Check(f"{c}:{label}", os.access(p, os.W_OK), str(p)))
    if s.gotenberg_url:
        checks.append(Check("converter", True, f"Gotenberg at {s.gotenberg_url}"))
    else:
        soffice = shutil.which("soffice")
        checks.append(Check("converter", soffice is not None, soffice or "soffice not found (libreoffice-writer-nogui)"))
        font = _fc_match("Times New Roman")
        checks.append(Check("font", "Liberation Serif" in font, font or "fc-match not found"))
    tess = shutil.which("tesseract")
    langs = ""
    if tess:
        out = subprocess.run([tess, "--list-langs"], capture_output=True, text=True, timeout=20)
        langs = out.stdout
    checks.append(Check("ocr", "vie" in langs.split(), "tesseract vie" if "vie" in langs.split() else "tesseract-ocr-vie missing"))
    return [asdict(c) for c in checks]
