"""Render a document kind from its .docx template and a context dict.

- ``StrictUndefined``: a missing field fails, naming the field (never a silent blank);
- every string of the context is NFC-normalised (Vietnamese typed on another system may be NFD);
- autoescape: a ``&`` or ``<`` in a subject cannot break the document's XML;
- the core properties (title, subject, author = the commune) are set per document, because the
  template's own properties would otherwise leak into every PDF; a draft's title begins ``DỰ THẢO - ``;
- the output is checked: no ``{{`` or ``{%`` may remain;
- written to a temporary name beside the target, then renamed (a reader never sees half a file).

``group_notice`` also writes ``<out>.txt`` (UTF-8), the message pasted into the group's Zalo chat.
"""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import jinja2

from congkhai.config import settings
from congkhai.documents.kinds import DRAFT_MARK, Kind, all_fields, get_kind
from congkhai.errors import PermanentError

_LEFTOVER = re.compile(r"\{\{|\{%|\{#")


def nfc_deep(value: Any) -> Any:
    """NFC on every string inside dicts, lists and tuples (keys included)."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, Mapping):
        return {nfc_deep(k): nfc_deep(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [nfc_deep(v) for v in value]
    return value


def template_path(kind: Kind, templates_dir: Path | None = None) -> Path:
    return (templates_dir or settings().templates_dir) / kind.template


def _env() -> jinja2.Environment:
    return jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=True)


def missing_fields(kind: str, context: Mapping[str, Any]) -> list[str]:
    """Manifest fields absent from the context (sorted)."""
    return sorted(set(all_fields(kind)) - set(context))


def _check_fields(kind: Kind, context: Mapping[str, Any]) -> None:
    missing = missing_fields(kind.id, context)
    if missing:
        names = ", ".join(missing)
        raise PermanentError(
            f"Thiếu trường cho văn bản {kind.id}: {names}",
            f"Missing fields for {kind.id}: {names}",
            kind="missing_field",
            field=missing[0],
        )


def _atomic_write(out: Path, write: Any) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _leftover_tags(docx: Path) -> list[str]:
    """Jinja tag remnants in any XML part of a .docx (document, headers, footers, properties)."""
    found = []
    with zipfile.ZipFile(docx) as z:
        for name in z.namelist():
            if name.endswith(".xml") and _LEFTOVER.search(z.read(name).decode("utf-8", "replace")):
                found.append(name)
    return found


def render(
    kind: str,
    context: Mapping[str, Any],
    out: Path,
    *,
    author: str | None = None,
    templates_dir: Path | None = None,
    before_save: Callable[[Any], None] | None = None,
) -> Path:
    """Render ``kind`` with ``context`` to ``out`` (.docx); returns ``out``.

    ``author`` is the commune's body name for the core properties (default: the context's
    ``issuer_lines`` joined). ``before_save`` gets the rendered python-docx Document just before it is
    written (the QR stamp). Raises PermanentError naming the field when one is missing.
    """
    from docxtpl import DocxTemplate  # heavy import: only when rendering

    k = get_kind(kind)
    ctx: dict[str, Any] = nfc_deep(dict(context))
    _check_fields(k, ctx)
    tpl_path = template_path(k, templates_dir)
    if not tpl_path.is_file():
        raise PermanentError(
            f"Không tìm thấy mẫu văn bản {tpl_path}", f"Template not found: {tpl_path}",
            kind="missing_template", path=str(tpl_path),
        )
    tpl = DocxTemplate(str(tpl_path))
    try:
        tpl.render(ctx, jinja_env=_env(), autoescape=True)
    except jinja2.UndefinedError as err:
        name = _undefined_name(str(err))
        raise PermanentError(
            f"Thiếu trường cho văn bản {kind}: {name}",
            f"Missing field for {kind}: {name} ({err})",
            kind="missing_field",
            field=name,
        ) from err
    props = tpl.docx.core_properties
    title = f"{k.doc_type.capitalize()} {' '.join(str(ctx['number_notation']).split())}: {ctx['subject']}"
    props.title = _nfc(f"{DRAFT_MARK} - {title}" if ctx.get("draft_mark") else title)
    props.subject = _nfc(str(ctx["subject"]))
    props.author = _nfc(author or " ".join(ctx["issuer_lines"]).strip())
    props.last_modified_by = props.author
    props.keywords = k.id
    props.comments = ""
    props.category = k.doc_type
    if before_save is not None:
        before_save(tpl.docx)
    out = Path(out)
    _atomic_write(out, lambda p: tpl.save(str(p)))
    left = _leftover_tags(out)
    if left:
        out.unlink(missing_ok=True)
        raise PermanentError(
            f"Mẫu {k.template} còn thẻ chưa thay trong {', '.join(left)}",
            f"Template {k.template} left unrendered tags in {', '.join(left)}",
            kind="leftover_tags", path=str(out),
        )
    if k.text_too:
        render_text(kind, ctx, out.with_suffix(".txt"), templates_dir=templates_dir)
    return out


def render_text(kind: str, context: Mapping[str, Any], out: Path, *, templates_dir: Path | None = None) -> Path:
    """The plain-text twin (UTF-8, NFC, no escaping) of a kind that has one (``group_notice``)."""
    k = get_kind(kind)
    src = (templates_dir or settings().templates_dir) / f"{k.id}.txt"
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=True)
    try:
        text = env.from_string(src.read_text(encoding="utf-8")).render(nfc_deep(dict(context)))
    except jinja2.UndefinedError as err:
        name = _undefined_name(str(err))
        raise PermanentError(
            f"Thiếu trường cho văn bản {kind}: {name}", f"Missing field for {kind}: {name}",
            kind="missing_field", field=name,
        ) from err
    text = re.sub(r"\n{3,}", "\n\n", _nfc(text))
    _atomic_write(out, lambda p: p.write_text(text, encoding="utf-8"))
    return out


def _nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


def _undefined_name(message: str) -> str:
    """``'dict object' has no attribute 'x'`` / ``'x' is undefined`` -> ``x``."""
    m = re.search(r"'([^']+)' is undefined", message) or re.search(r"has no attribute '([^']+)'", message)
    return m.group(1) if m else message
