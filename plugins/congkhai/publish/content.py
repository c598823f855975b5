"""What the citizens' page may show: the public part of the archive on one day, as plain values.

Nothing here computes a date. The state of a case, its schedule and its documents (newest version,
draft / final / signed) come from :func:`congkhai.cockpit.status.case_detail`; the posting time, places
and broadcast days come from what people recorded (``case.evidence``). This module only chooses:

- a case is **published** when it is not cancelled and at least one of its generated documents is a
  final or has a signed scan: a final is made only once a person recorded the facts it prints, so a
  case made only of drafts (or of a profile whose placeholders refuse finals) shows nothing;
- of its files, only PDFs: each document's newest version when it is a final, its signed scan when
  that is a PDF, and the original issued document when it was filed as a PDF. Never a draft, a .docx,
  a .txt, a manifest, a sidecar or a photo;
- its posting period and places only when the posting was recorded (otherwise "chưa ghi nhận").
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from congkhai.archive.store import CaseFolder
from congkhai.cockpit.status import HQ, RADIO, CaseDetail, DocumentRow, case_detail
from congkhai.commune import Commune
from congkhai.errors import CongkhaiError
from congkhai.evidence import facts_of
from congkhai.pipeline.context import CommuneRun

log = logging.getLogger(__name__)

#: What each published state is called on the page.
STATE_LABELS_VI = {"original": "Văn bản gốc", "final": "Bản chính thức", "signed": "Bản có chữ ký, đóng dấu"}
#: Ended postings shown on the first page (the rest are on the month and item pages).
RECENT_ENDED = 10
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class PublicFile:
    """One PDF the site publishes (``source`` is read to copy it, never printed)."""

    label: str  # "Biên bản niêm yết tại nhà văn hóa thôn, tổ dân phố — Tổ dân phố số 1"
    state: str  # original | final | signed
    doc_date: dt.date | None
    number: int | None
    source: Path
    href: str  # "tep/<case>/<name>.pdf", relative to the site's root
    size: int

    @property
    def state_label(self) -> str:
        return STATE_LABELS_VI[self.state]

    @property
    def size_label(self) -> str:
        kb = max(1, round(self.size / 1024))
        return f"{kb} KB" if kb < 1024 else f"{self.size / 1024 / 1024:.1f} MB".replace(".", ",")


@dataclass(frozen=True)
class PublicCase:
    case_id: str
    page: str  # "hs-<case_id>.html"
    notation: str
    doc_type: str | None
    subject: str
    issued: dt.date
    issuer: str | None
    item: str | None
    item_title: str | None
    posted: bool  # a person recorded the posting
    posting_start: dt.date | None
    posting_end: dt.date | None
    permanent: bool
    places: tuple[str, ...]
    broadcast_days: tuple[dt.date, ...]
    radio: str | None
    files: tuple[PublicFile, ...]
    current: bool  # its recorded posting covers the day
    ended: bool  # its recorded posting ended before the day

    @property
    def title(self) -> str:
        return doc_title(self.doc_type, self.notation)

    @property
    def item_anchor(self) -> str:
        return item_anchor(self.item)

    @property
    def sort_day(self) -> dt.date:
        return self.posting_start or self.issued


@dataclass(frozen=True)
class ItemGroup:
    code: str | None
    title: str
    anchor: str
    cases: tuple[PublicCase, ...]


@dataclass(frozen=True)
class MonthGroup:
    year: int
    month: int
    anchor: str
    cases: tuple[PublicCase, ...]

    @property
    def label(self) -> str:
        return f"Tháng {self.month:02d}/{self.year}"


@dataclass(frozen=True)
class SiteContent:
    code: str
    commune: Commune  # the profile on the day
    day: dt.date
    sample: bool
    cases: tuple[PublicCase, ...]  # newest first

    @property
    def current(self) -> tuple[PublicCase, ...]:
        return tuple(c for c in self.cases if c.current)

    @property
    def recent_ended(self) -> tuple[PublicCase, ...]:
        ended = sorted((c for c in self.cases if c.ended), key=lambda c: (c.posting_end or c.issued, c.case_id),
                       reverse=True)
        return tuple(ended[:RECENT_ENDED])

    @property
    def by_item(self) -> tuple[ItemGroup, ...]:
        groups: dict[str | None, list[PublicCase]] = {}
        for c in self.cases:
            groups.setdefault(c.item, []).append(c)
        out = []
        for code in sorted(groups, key=lambda k: (k is None, _item_order(k))):
            cases = groups[code]
            title = next((c.item_title for c in cases if c.item_title), None)
            label = (f"{code} — {title}" if title else f"Mục {code}") if code else "Ngoài kế hoạch công khai"
            out.append(ItemGroup(code, label, item_anchor(code), tuple(cases)))
        return tuple(out)

    @property
    def by_month(self) -> tuple[MonthGroup, ...]:
        groups: dict[tuple[int, int], list[PublicCase]] = {}
        for c in self.cases:
            groups.setdefault((c.sort_day.year, c.sort_day.month), []).append(c)
        return tuple(MonthGroup(y, m, f"thang-{y}-{m:02d}",
                                tuple(sorted(cs, key=lambda c: (c.sort_day, c.case_id), reverse=True)))
                     for (y, m), cs in sorted(groups.items(), reverse=True))

    @property
    def files(self) -> tuple[PublicFile, ...]:
        return tuple(f for c in self.cases for f in c.files)


def _item_order(code: str | None) -> tuple:
    """``Q1-2`` before ``Q1-10``; other codes by their text."""
    parts = re.split(r"(\d+)", code or "")
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in parts)


def doc_title(doc_type: str | None, notation: str | None) -> str:
    """``Quyết định 15/QĐ-UBND`` (``Văn bản`` when the type was not read; no number: the type alone)."""
    kind = (doc_type or "Văn bản").strip().lower()
    kind = kind[:1].upper() + kind[1:]
    return f"{kind} {notation}" if notation else kind


def item_anchor(code: str | None) -> str:
    """The id of an item's section on the item page: ``muc-q1-8`` (``muc-khac``: outside the plan)."""
    return "muc-" + safe_name(code or "khac").lower()


def safe_name(text: str) -> str:
    """ASCII letters, digits, ``.``, ``_`` and ``-`` only (a site's file names work on any server)."""
    return _SAFE.sub("-", text).strip("-.") or "x"


def profile_has_samples(commune: Commune) -> bool:
    """A made-up commune (``demo: true``) or a profile whose people or groups are still placeholders
    (``sample: true``, ``groups_sample``): the site then says on every page that its data are a sample.
    (The council's sample session dates print nowhere on the site.)"""
    people = [commune.chairman, commune.office.head, commune.radio.head, *commune.signers, *commune.civil_servants]
    return (commune.demo or commune.groups_sample or any(p is not None and p.sample for p in people)
            or any(g.sample for g in commune.groups))


def _place_label(commune: Commune, place: str) -> str:
    if place == HQ:
        return f"Trụ sở {commune.body_short}"
    try:
        group = commune.group(place)
    except CongkhaiError:
        return place
    return group.cultural_house + (" (mẫu)" if commune.leader_is_sample(group) else "")


def _published_files(folder: CaseFolder, detail: CaseDetail, archive_root: Path,
                     original_label: str) -> list[PublicFile]:
    """The PDFs of the case that may be published (module docstring), in the case page's order."""
    case_id = detail.status.case_id
    out: list[PublicFile] = []
    own_state = {(f.key, f.version): f.state for f in folder.files(ext="pdf")}
    case_dir = folder.path.resolve()

    def add(row: DocumentRow, rel: str, state: str, label: str) -> None:
        src = archive_root / rel
        # Only a regular file of this case's own folder (a manifest naming another path publishes nothing).
        if src.is_symlink() or not src.is_file() or not src.resolve().is_relative_to(case_dir):
            log.warning("public site: %s is not a file of its case folder, not published", rel)
            return
        name = safe_name(Path(rel).name)
        out.append(PublicFile(label=label, state=state, doc_date=row.doc_date, number=row.number, source=src,
                              href=f"tep/{safe_name(case_id)}/{name}", size=src.stat().st_size))

    for row in detail.documents:
        if row.kind == "original":
            if row.pdf:
                add(row, row.pdf, "original", original_label)
            continue
        if row.signed_scan and row.signed_scan.lower().endswith(".pdf"):
            add(row, row.signed_scan, "signed", row.label)
        if row.pdf and own_state.get((row.key, row.version)) in ("final", "signed"):
            add(row, row.pdf, "final", row.label)
    originals = [f for f in out if f.state == "original"]
    return originals + [f for f in out if f.state != "original"]


def public_case(run: CommuneRun, folder: CaseFolder, day: dt.date) -> PublicCase | None:
    """The public view of one case on ``day``, or None when it publishes nothing (module docstring)."""
    case = folder.case
    if case is None or case.issued > day or case.status == "cancelled" or case.case_id is None:
        return None
    detail = case_detail(run, case.case_id, day)
    status = detail.status
    if status.state == "cancelled":
        return None
    files = _published_files(folder, detail, run.archive.root,
                             f"{doc_title(case.doc_type, status.notation)} (văn bản gốc)")
    if not any(f.state != "original" for f in files):
        return None
    posting = facts_of(case.evidence, "posting")
    posted = posting is not None or case.posted is not None
    schedule = status.schedule
    start = status.posting_start if posted else None
    end = status.posting_end if posted else None
    permanent = bool(posted and schedule is not None and schedule.permanent)
    profile = run.commune_on(start or case.issued)
    places = tuple(_place_label(profile, b.place) for b in status.bars if b.place != RADIO) if posted else ()
    broadcast = facts_of(case.evidence, "broadcast")
    days = tuple(sorted(broadcast.days)) if broadcast is not None else ()
    current = bool(start is not None and start <= day and (permanent or (end is not None and day <= end)))
    ended = bool(start is not None and not permanent and end is not None and end < day)
    return PublicCase(
        case_id=case.case_id, page=f"hs-{safe_name(case.case_id)}.html", notation=status.notation,
        doc_type=case.doc_type, subject=case.subject, issued=case.issued, issuer=case.issuer,
        item=case.item, item_title=status.item_title, posted=posted, posting_start=start, posting_end=end,
        permanent=permanent, places=places, broadcast_days=days,
        radio=profile.radio_name if days else None, files=tuple(files), current=current, ended=ended)


def site_content(run: CommuneRun, day: dt.date) -> SiteContent:
    """Everything the site shows for the commune on ``day`` (sorted: the same archive, the same site).

    A case that cannot be read (a posting answer naming an unknown group…) is left out with a warning:
    the others are still published; the cockpit shows what to fix."""
    cases = []
    for folder in run.case_folders():
        try:
            found = public_case(run, folder, day)
        except CongkhaiError as err:
            log.warning("public site of %s: case %s left out: %s", run.code, folder.case_id, err)
            continue
        if found is not None:
            cases.append(found)
    cases.sort(key=lambda c: (c.sort_day, c.case_id), reverse=True)
    profile = run.commune_on(day)
    return SiteContent(code=run.code, commune=profile, day=day,
                       sample=profile_has_samples(run.commune) or profile_has_samples(profile), cases=tuple(cases))
