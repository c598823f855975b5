"""Render every document kind, convert with the local LibreOffice, and save page 1 as a PNG.

    .venv/bin/python scripts/previews.py [--out docs/previews] [--dpi 80]

Writes ``<out>/<kind>.png`` for Kép (thị trấn, tổ dân phố): the draft made before anybody recorded
anything (DỰ THẢO, dotted blanks, placeholders marked "(mẫu)"); ``<out>/<kind>-final.png``: the final
made from the sample answers (``documents.samples.SAMPLE_ANSWERS``, placeholders taken as real); and
``<out>/<kind>-demo-xa.png`` for the made-up rural commune (xã, thôn) where its wording differs. Uses a
throw-away register, so the commune's real register is never touched. Look at the pictures after
every template change.
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
from pathlib import Path

from congkhai.config import REPO_ROOT
from congkhai.documents.register import Register
from congkhai.documents.render import render
from congkhai.documents.samples import sample_contexts, soffice_to_pdf

#: Kinds also previewed for the rural commune (its wording differs most there).
DEMO_KINDS = ("posting_start_group", "group_notice")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=REPO_ROOT / "docs" / "previews")
    ap.add_argument("--dpi", type=int, default=80)
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="previews-") as tmp:
        work = Path(tmp)
        docs: list[tuple[Path, str]] = []
        for code, suffix, final in (("kep", "", False), ("kep", "-final", True), ("demo-xa", "-demo-xa", False)):
            reg = Register(code, path=work / f"{code}{suffix}.sqlite")
            for kind, ctx in sample_contexts(code, reg, final=final).items():
                if code != "kep" and kind not in DEMO_KINDS:
                    continue
                name = f"{kind}{suffix}"
                docs.append((render(kind, ctx, work / "docx" / f"{name}.docx"), name))
        pdfs = soffice_to_pdf([d for d, _ in docs], work / "pdf")
        for pdf, (_, name) in zip(pdfs, docs, strict=True):
            stem = args.out / name
            subprocess.run(
                ["pdftoppm", "-png", "-r", str(args.dpi), "-f", "1", "-l", "1", "-singlefile", str(pdf), str(stem)],
                check=True,
            )
            print(stem.with_suffix(".png"))


if __name__ == "__main__":
    main()
