"""Build the citizens' static site of a commune (Điều 13: publish on the commune's portal).

::

    build_site(run, day, out)      # out/index.html, theo-muc.html, theo-thang.html, gop-y.html,
                                   # hs-<case>.html, tep/<case>/<name>.pdf, site.css

The pages are Jinja2 templates (autoescape, ``StrictUndefined``) and one CSS file; no JavaScript.
Links are relative, so the folder works opened from disk (``file://``) and behind any static web
server. The output is deterministic (the same archive and day give the same bytes) and the rebuild is
atomic: the site is written to a temporary folder beside ``out`` and swapped in with one
``renameat2(RENAME_EXCHANGE)`` (where the filesystem cannot, two renames), so a reader never sees half
a site. A folder that is not a site made here is never replaced.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import errno
import hashlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from congkhai.errors import PermanentError
from congkhai.pipeline.context import CommuneRun
from congkhai.publish.content import SiteContent, site_content

HERE = Path(__file__).resolve().parent
#: Every page carries it: the mark that a folder is a site made here (and may be replaced).
GENERATOR = "congkhai-public-site"
PAGES = {"index": "index.html", "by_item": "theo-muc.html", "by_month": "theo-thang.html", "feedback": "gop-y.html"}
_RENAME_EXCHANGE = 2


@dataclass(frozen=True)
class BuildResult:
    out: Path
    pages: int
    pdfs: int
    cases: int
    current: int
    changed: bool  # False: the site already had exactly these bytes
    digest: str  # SHA-256 over every file's name and bytes

    def summary_vi(self) -> str:
        what = "đã cập nhật" if self.changed else "không thay đổi"
        return (f"Trang công khai {what}: {self.cases} hồ sơ ({self.current} đang niêm yết), "
                f"{self.pdfs} tệp PDF, {self.pages} trang")


def _vn_date(d: dt.date | None) -> str:
    return f"{d:%d/%m/%Y}" if d else ""


def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["vn_date"] = _vn_date
    return env


def render_pages(content: SiteContent) -> dict[str, str]:
    """File name → HTML of every page (sorted by name)."""
    env = environment()
    common = {"site": content, "pages": PAGES, "generator": GENERATOR}
    out = {
        PAGES["index"]: env.get_template("index.html").render(**common, active="index"),
        PAGES["by_item"]: env.get_template("items.html").render(**common, active="by_item"),
        PAGES["by_month"]: env.get_template("months.html").render(**common, active="by_month"),
        PAGES["feedback"]: env.get_template("feedback.html").render(**common, active="feedback"),
    }
    for case in content.cases:
        out[case.page] = env.get_template("case.html").render(**common, active="", case=case)
    return dict(sorted(out.items()))


def _write_tree(content: SiteContent, dest: Path) -> tuple[int, int, str]:
    """Write the pages, the CSS and the PDFs into the empty folder ``dest``; (pages, pdfs, digest)."""
    files: dict[str, bytes | Path] = {name: html.encode("utf-8") for name, html in render_pages(content).items()}
    files["site.css"] = HERE / "static" / "site.css"
    for f in content.files:
        files[f.href] = f.source
    h = hashlib.sha256()
    for name in sorted(files):
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        src = files[name]
        if isinstance(src, Path):
            shutil.copyfile(src, target)
            data = target.read_bytes()
        else:
            target.write_bytes(src)
            data = src
        h.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    pages = sum(1 for n in files if n.endswith(".html"))
    return pages, len(content.files), h.hexdigest()


def _tree_digest(root: Path) -> str | None:
    """The digest :func:`_write_tree` would give for the site already at ``root`` (None: none there)."""
    if not root.is_dir():
        return None
    h = hashlib.sha256()
    names = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    for name in names:
        h.update(name.encode() + b"\0" + hashlib.sha256((root / name).read_bytes()).digest())
    return h.hexdigest()


def _is_our_site(path: Path) -> bool:
    index = path / PAGES["index"]
    try:
        return index.is_file() and f'content="{GENERATOR}"' in index.read_text(encoding="utf-8")[:4000]
    except (OSError, UnicodeDecodeError):
        return False


def check_out_dir(out: Path, archive_root: Path) -> None:
    """Refuse an output folder that would overwrite something else (:class:`PermanentError`)."""
    out, archive = out.resolve(), archive_root.resolve()
    if out == archive or archive in out.parents or out in archive.parents:
        raise PermanentError(f"Thư mục trang công khai {out.name} không được nằm trong (hay chứa) thư mục lưu trữ",
                             "the site folder must not be inside (or contain) the archive", field="out")
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not _is_our_site(out))):
        raise PermanentError(
            f"Thư mục {out.name} đã có dữ liệu khác, không phải trang công khai do congkhai tạo: chọn thư mục "
            "trống hoặc thư mục trang cũ", "the output folder holds something that is not a congkhai site",
            field="out")


def _exchange(a: Path, b: Path) -> bool:
    """Swap two directories atomically (Linux ``renameat2``); False where it is not available."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd = -100
    rc = fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _swap_in(new: Path, out: Path) -> None:
    """``new`` becomes ``out``; the old site (if any) is removed after the swap."""
    if not out.exists():
        os.rename(new, out)
        return
    if _exchange(new, out):
        shutil.rmtree(new)  # now holds the old site
        return
    old = out.with_name(f".{out.name}.old-{os.getpid()}")
    os.rename(out, old)
    os.rename(new, out)
    shutil.rmtree(old, ignore_errors=True)


def _alive(pid: str) -> bool:
    if not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def build_site(run: CommuneRun, day: dt.date, out: Path) -> BuildResult:
    """Build the site of ``run``'s commune on ``day`` into ``out`` (atomic; unchanged bytes: no swap)."""
    out = Path(out).absolute()
    check_out_dir(out, run.archive.root)
    content = site_content(run, day)
    out.parent.mkdir(parents=True, exist_ok=True)
    for stale in out.parent.glob(f".{out.name}.*-*"):  # left by a crashed build (its process is gone)
        if not _alive(stale.name.rsplit("-", 1)[-1]):
            shutil.rmtree(stale, ignore_errors=True)
    tmp = out.with_name(f".{out.name}.new-{os.getpid()}")
    tmp.mkdir()
    try:
        pages, pdfs, digest = _write_tree(content, tmp)
        changed = _tree_digest(out) != digest
        if changed:
            _swap_in(tmp, out)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return BuildResult(out=out, pages=pages, pdfs=pdfs, cases=len(content.cases), current=len(content.current),
                       changed=changed, digest=digest)
