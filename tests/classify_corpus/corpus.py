"""The classification corpus (issue 15, point 5): records, their fixed split, rendering, measuring.

``real.yaml`` holds real public documents (source address and page title kept per record);
``synthetic.yaml`` holds documents written for the project, always reported apart. Each record is
rendered at test or bench time into a document the intake reads — a Nghị định 30 style .docx
(python-docx), a text PDF (one LibreOffice run for all) or, for a few, a scan (page 1 rasterised,
skewed and speckled, OCR'd by the intake) — never cached in git.

The split is fixed: a record is **held out** when the SHA-256 of its source address (its id for
synthetic records) is 0 modulo 3, else it is for **tuning**; adding records never moves others.

``measure`` classifies each record (from its rendered file through ``inspect``, or straight from
its fields) against Kép's plan for its year (the nearest plan when the year has none) and says,
per record, whether the law category and the plan item are right, and for a wrong one whether it
would go to review or has the right answer as runner-up.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from corpus.make_corpus import _cell, _fonts, _para, _widths, convert_all, make_scan  # noqa: E402

FILES = {"real": HERE / "real.yaml", "synthetic": HERE / "synthetic.yaml"}
#: Scans are slow to read (OCR, ~7 s a page): this many records are rendered as scans.
SCANS = 10


@dataclass
class Record:
    id: str
    kind: str  # real | synthetic
    source: str
    subject: str
    doc_type: str | None
    issuer: list[str]
    number: str | None
    code: str
    place: str
    issued: dt.date | None
    expected_law: int
    expected_item: str | None
    level: str = "commune"
    province: str = ""
    title: str = ""
    posted: dt.date | None = None
    signer: str | None = None
    recipients: str | None = None
    body: list[str] = field(default_factory=list)
    note: str | None = None

    @property
    def key(self) -> str:
        return self.source if self.kind == "real" else self.id

    @property
    def split(self) -> str:
        return "holdout" if int(hashlib.sha256(self.key.encode()).hexdigest(), 16) % 3 == 0 else "tuning"

    @property
    def rank(self) -> int:
        """A stable pseudo-random order (the scans are the first ``SCANS`` of it)."""
        return int(hashlib.sha256(f"fmt:{self.key}".encode()).hexdigest(), 16)

    @property
    def is_council(self) -> bool:
        return any("HỘI ĐỒNG NHÂN DÂN" in line.upper() for line in self.issuer)


def load(kind: str = "real") -> list[Record]:
    """The records of ``real``, ``synthetic`` or ``all``."""
    kinds = ["real", "synthetic"] if kind == "all" else [kind]
    out: list[Record] = []
    for k in kinds:
        data = yaml.safe_load(FILES[k].read_text(encoding="utf-8"))
        defaults = data.get("defaults") or {}
        for raw in data["records"]:
            r = {**defaults, **raw}
            r.setdefault("source", "synthetic")
            out.append(Record(kind=k, **{f: r.get(f) for f in _FIELDS if f in r}))
    for r in out:
        if not r.body:
            r.body = _generic_body(r)
    return out


_FIELDS = ("id", "source", "subject", "doc_type", "issuer", "number", "code", "place", "issued", "expected_law",
           "expected_item", "level", "province", "title", "posted", "signer", "recipients", "body", "note")


def _generic_body(r: Record) -> list[str]:
    """The body a synthetic record gets: the usual grounds and one sentence naming the subject."""
    subj = r.subject[0].lower() + r.subject[1:]
    return [
        "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;",
        "Căn cứ Luật Thực hiện dân chủ ở cơ sở số 10/2022/QH15 ngày 10 tháng 11 năm 2022;",
        f"Ủy ban nhân dân thị trấn Kép {(r.doc_type or 'thông báo').lower()} {subj} như sau:",
        "Các bộ phận chuyên môn, tổ dân phố căn cứ nội dung trên tổ chức thực hiện.",
    ]


def splits(records: list[Record]) -> dict[str, list[Record]]:
    return {s: [r for r in records if r.split == s] for s in ("tuning", "holdout")}


def formats(records: list[Record], scans: int = SCANS) -> dict[str, str]:
    """id -> ``scan`` (the first ``scans`` by the stable order), else ``docx`` / ``pdf`` alternately."""
    order = sorted(records, key=lambda r: r.rank)
    out = {}
    for i, r in enumerate(order):
        out[r.id] = "scan" if i < scans else ("docx" if i % 2 else "pdf")
    return out


# ---------------------------------------------------------------- rendering


def _date_line(r: Record) -> str:
    if r.issued is None:
        year = r.posted.year if r.posted else ""
        return f"{r.place}, ngày     tháng     năm {year}"
    d = r.issued
    month = f"{d.month:02d}" if d.month <= 2 else str(d.month)
    return f"{r.place}, ngày {d.day:02d} tháng {month} năm {d.year}"


def render_docx(r: Record, path: Path) -> Path:
    """The record as a Nghị định 30 style .docx: header table, type and subject, body, signature."""
    doc = Document()
    _fonts(doc)
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Cm(21), Cm(29.7)
    sec.top_margin, sec.bottom_margin = Cm(2), Cm(2)
    sec.left_margin, sec.right_margin = Cm(3), Cm(1.5)
    doc.core_properties.title = ""
    head = doc.add_table(rows=1, cols=2)
    head.alignment = WD_TABLE_ALIGNMENT.CENTER
    _widths(head, (6.5, 10.0))
    left, right = _cell(head, 0, 0), _cell(head, 0, 1)
    for i, line in enumerate(r.issuer):
        superior = len(r.issuer) > 1 and i == 0 and line.upper().startswith("UBND ")
        _para(left, line, bold=not superior, size=12 if superior else 13)
    _para(left, "_______", size=8)
    _para(left, f"Số: {r.number or '…'}/{r.code}")
    if r.doc_type is None:  # an official letter: its V/v under the number
        _para(left, r.subject, size=12)
    _para(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, size=12)
    _para(right, "Độc lập - Tự do - Hạnh phúc", bold=True, size=13)
    _para(right, "_______________________", size=8)
    _para(right, _date_line(r), italic=True, size=13)
    _para(doc, "", size=6)
    if r.doc_type is not None:
        _para(doc, r.doc_type, bold=True, size=14)
        _para(doc, r.subject, bold=True, size=14)
        _para(doc, "_________", size=8, space_after=6)
    elif r.recipients:
        _para(doc, r.recipients, size=14, space_after=6)
    for line in r.body:
        _para(doc, line, size=13, align=WD_ALIGN_PARAGRAPH.JUSTIFY, space_after=6, indent=True)
    _para(doc, "", size=6)
    sig = doc.add_table(rows=1, cols=2)
    _widths(sig, (8.0, 8.5))
    left, right = _cell(sig, 0, 0), _cell(sig, 0, 1)
    _para(left, "Nơi nhận:", bold=True, italic=True, size=12, align=WD_ALIGN_PARAGRAPH.LEFT)
    for line in ("- Như trên;", "- Lưu: VT."):
        _para(left, line, size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
    _para(right, "TM. HỘI ĐỒNG NHÂN DÂN" if r.is_council else "TM. ỦY BAN NHÂN DÂN", bold=True, size=13)
    _para(right, "CHỦ TỊCH", bold=True, size=13)
    _para(right, "(Đã ký)", italic=True, size=13)
    if r.signer:
        _para(right, r.signer, bold=True, size=14)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path


def build(outdir: Path, records: list[Record], fmts: dict[str, str] | None = None) -> dict[str, Path]:
    """Render every record into ``outdir`` in its format (``formats``); returns id -> file."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    fmts = fmts or formats(records)
    out: dict[str, Path] = {}
    with tempfile.TemporaryDirectory(prefix="cls-corpus-") as td:
        work = Path(td)
        to_pdf = []
        for r in records:
            src = render_docx(r, work / f"{r.id}.docx")
            if fmts[r.id] == "docx":
                out[r.id] = Path(shutil.copyfile(src, outdir / f"{r.id}.docx"))
            else:
                to_pdf.append(src)
        convert_all(to_pdf, work)
        for i, r in enumerate(records):
            if fmts[r.id] == "pdf":
                out[r.id] = Path(shutil.copyfile(work / f"{r.id}.pdf", outdir / f"{r.id}.pdf"))
            elif fmts[r.id] == "scan":
                out[r.id] = outdir / f"{r.id}-scan.pdf"
                make_scan(work / f"{r.id}.pdf", out[r.id], seed=i)
    return out


# ---------------------------------------------------------------- measuring


@dataclass
class Outcome:
    record: Record
    fmt: str
    law: int | None
    item: str | None
    confidence: float
    law_candidates: list[tuple[int, float]]
    candidates: list[tuple[str, float]]
    plan_year: int | None
    read_subject: str | None = None

    @property
    def review(self) -> bool:
        from congkhai.intake.classify import REVIEW_THRESHOLD

        return self.confidence < REVIEW_THRESHOLD

    @property
    def law_right(self) -> bool:
        return self.law == self.record.expected_law

    @property
    def item_right(self) -> bool:
        want = self.record.expected_item
        if want is None:  # no item fits: nothing filed under a wrong item
            return self.item is None or self.review
        return self.item == want

    @property
    def law_runner_up(self) -> bool:
        return self.record.expected_law in [n for n, _ in self.law_candidates[1:3]]

    @property
    def item_runner_up(self) -> bool:
        want = self.record.expected_item
        return want is not None and want in [c for c, _ in self.candidates[1:3]]

    def covered(self, what: str) -> bool:
        """A wrong answer a person will see: the document goes to review, or the right one is
        the runner-up (shown in the note)."""
        return self.review or (self.law_runner_up if what == "law" else self.item_runner_up)


def classify_record(r: Record, path: Path | None = None, fmt: str = "fields") -> Outcome:
    """Classify one record, from its rendered file when given (the intake's reading), else from
    its fields; against Kép's plan of its year (or the nearest)."""
    from congkhai.intake.classify import classify, classify_info, plan_for

    if path is not None:
        from congkhai.intake.extract import inspect

        info = inspect(path, commune="kep", classify=False)
        plan = plan_for("kep", info.issued)
        c = classify_info(info, plan)
        subject = info.subject
    else:
        plan = plan_for("kep", r.issued)
        issuer = " ".join(r.issuer)
        c = classify(r.subject, r.doc_type or "CÔNG VĂN", r.issued, plan, body="\n".join(r.body), issuer=issuer)
        subject = r.subject
    return Outcome(r, fmt, c.law_item, c.item, c.confidence, c.law_candidates, c.candidates, c.plan_year, subject)


def measure(records: list[Record], files: dict[str, Path] | None = None,
            fmts: dict[str, str] | None = None) -> list[Outcome]:
    return [classify_record(r, (files or {}).get(r.id), (fmts or {}).get(r.id, "fields")) for r in records]


def summary(outcomes: list[Outcome]) -> dict[str, Any]:
    n = len(outcomes)
    items = [o for o in outcomes if o.record.expected_item is not None]
    law_ok = sum(o.law_right for o in outcomes)
    item_ok = sum(o.item_right for o in outcomes)
    return {
        "n": n,
        "law_acc": law_ok / n if n else 0.0,
        "item_acc": item_ok / n if n else 0.0,
        "item_acc_with_item": (sum(o.item_right for o in items) / len(items)) if items else 0.0,
        "auto_filed": sum(not o.review for o in outcomes) / n if n else 0.0,
        "law_wrong": [o for o in outcomes if not o.law_right],
        "item_wrong": [o for o in outcomes if not o.item_right],
        "uncovered": [o for o in outcomes if (not o.law_right and not o.covered("law"))
                      or (not o.item_right and not o.covered("item"))],
    }
