"""``verify``: re-hash every filed file and compare the tree with the manifests.

- **missing**: listed in a manifest, not on disk;
- **changed**: on disk with a different SHA-256 or size than the manifest says;
- **unknown**: on disk in the tree but listed nowhere (a file copied in by hand, a leftover
  temporary file of an interrupted write, a folder without manifest.json);
- **damaged**: a manifest.json that cannot be read.

The search index (``.index/``) is derived and not checked. Paths are relative to the archive root.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from congkhai.archive import fsutil, layout
from congkhai.archive import manifest as mf
from congkhai.archive.store import list_archive_communes


@dataclass
class Report:
    checked: int = 0
    missing: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    #: temporary files of interrupted writes (not part of the record; removed by the next write there)
    temporary: list[str] = field(default_factory=list)
    damaged: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.missing or self.changed or self.unknown or self.damaged)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "ok": self.ok}


def _verify_commune(root: Path, commune: str, report: Report) -> None:
    cdir = root / commune
    listed_dirs: dict[Path, dict[str, Any]] = {}
    for dirpath, dirnames, filenames in os.walk(cdir):
        here = Path(dirpath)
        if here == cdir:
            dirnames[:] = [d for d in dirnames if d != layout.INDEX_DIR]
        dirnames.sort()
        if layout.MANIFEST in filenames:
            try:
                listed_dirs[here] = mf.load(here / layout.MANIFEST)
            except (OSError, ValueError):
                report.damaged.append((here / layout.MANIFEST).relative_to(root).as_posix())
                listed_dirs[here] = {"files": []}
        known = {f["path"] for f in listed_dirs.get(here, {"files": []}).get("files", [])}
        for name in sorted(filenames):
            if name == layout.MANIFEST and here in listed_dirs:
                continue
            if fsutil.is_temp_name(name):
                report.temporary.append((here / name).relative_to(root).as_posix())
            elif name not in known:
                report.unknown.append((here / name).relative_to(root).as_posix())
    for folder, m in listed_dirs.items():
        for f in m.get("files", []):
            p = folder / f["path"]
            rel = p.relative_to(root).as_posix()
            report.checked += 1
            if not p.is_file():
                report.missing.append(rel)
            elif p.stat().st_size != f.get("size") or fsutil.sha256_file(p) != f.get("sha256"):
                report.changed.append(rel)


def verify(root: Path, commune: str | None = None) -> Report:
    """Check one commune's tree, or every commune under ``root``."""
    root = Path(root)
    report = Report()
    for c in [commune] if commune else list_archive_communes(root):
        if (root / c).is_dir():
            _verify_commune(root, c, report)
    for lst in (report.missing, report.changed, report.unknown, report.damaged):
        lst.sort()
    return report
