"""Sample cases and contexts for every kind: used by the previews script and the tests.

The sample document is a made-up decision (Quyết định số 15/QĐ-UBND) on the poor-household
review, an item with radio (Điều 11 khoản 7), so every kind has something real to print.

``sample_contexts(code, register)`` gives the drafts (nothing recorded: blanks, ``DỰ THẢO``);
``sample_contexts(code, register, final=True)`` the finals, from the answers of the evidence contract
(:data:`SAMPLE_ANSWERS`) and a copy of the commune whose placeholders count as real
(:func:`as_real`) — for previews and tests only: the pipeline never does that.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from congkhai import evidence
from congkhai.case import Case
from congkhai.commune import Commune
from congkhai.documents.context import build_context
from congkhai.documents.kinds import KINDS
from congkhai.documents.register import Register

#: The answers of the contract example of ``congkhai.evidence`` (Quyết định 15/QĐ-UBND), with the
#: clerk's numbers of its other documents.
SAMPLE_ANSWERS: dict[str, Any] = {
    "posting": {"at": "2024-01-08 14:30", "by": "Lê Thị Hoa", "witnesses": ["Nguyễn Văn Bình"], "groups": "all"},
    "broadcast": {"days": ["2024-01-08", "2024-01-09", "2024-01-10"], "sessions": ["06:30", "17:15"],
                  "by": "Phạm Văn Tuấn"},
    "end": {"feedback": ["Ông Trần Văn Đức hỏi về tiêu chí bình xét hộ cận nghèo; đã được công chức Văn hóa - "
                         "Xã hội giải thích tại buổi họp tổ dân phố"]},
    "numbers": {"posting_start_ubnd": 31, "group_notice": 4, "broadcast_report": 3, "posting_end": 40,
                "activity_plan": 2},
}


def with_answers(case: Case, answers: dict[str, Any], *, by: str = "mẫu",
                 at: dt.datetime = dt.datetime(2024, 2, 9, 9, 0, tzinfo=dt.UTC)) -> Case:
    """The case with ``answers`` recorded as ``actions.record_evidence`` records them (no archive)."""
    for section, answer in answers.items():
        facts = evidence.parse_section(section, answer)
        case.evidence[section] = evidence.recorded(section, facts, by, at)
        if section == "posting":
            case.posted = facts.at.date()
        if section == "end":
            case.feedback = list(facts.feedback)
    return case


def as_real(commune: Commune, numbering: str | None = None) -> Commune:
    """A copy of ``commune`` whose placeholders (``sample: true``) count as real names (previews of
    finals, tests); ``numbering`` overrides how it numbers."""
    def real(p: Any) -> Any:
        return p.model_copy(update={"sample": False}) if p is not None else None

    office = commune.office.model_copy(update={"head": real(commune.office.head)})
    radio = commune.radio.model_copy(update={"head": real(commune.radio.head)})
    update: dict[str, Any] = {
        "chairman": real(commune.chairman), "office": office, "radio": radio, "groups_sample": False,
        "signers": [real(s) for s in commune.signers], "civil_servants": [real(c) for c in commune.civil_servants],
        "groups": [real(g) for g in commune.groups],
    }
    if numbering:
        update["numbering"] = numbering
    return commune.model_copy(update=update)


def sample_cases(commune: Commune, year: int = 2024) -> list[Case]:
    unit = commune.unit_word
    return [
        Case(commune=commune.code, issued=dt.date(year, 1, 5),
             subject=f"Phê duyệt kết quả rà soát hộ nghèo, hộ cận nghèo trên địa bàn {unit} năm {year}",
             doc_number="15", doc_code="QĐ-UBND", doc_type="QUYẾT ĐỊNH", item="Q4-5", law_item=7),
        Case(commune=commune.code, issued=dt.date(year, 2, 20),
             subject=f"Công khai dự toán ngân sách {unit} năm {year}",
             doc_number="20", doc_code="QĐ-UBND", doc_type="QUYẾT ĐỊNH", item="Q1-8", law_item=2,
             feedback=["Bà Nguyễn Thị Hằng đề nghị làm rõ khoản chi sự nghiệp giáo dục"]),
        Case(commune=commune.code, issued=dt.date(year, 3, 12),
             subject=f"Kế hoạch lấy ý kiến Nhân dân về dự thảo quy chế quản lý nghĩa trang của {unit}",
             doc_number="32", doc_code="KH-UBND", doc_type="KẾ HOẠCH", item="Q1-1", law_item=11),
    ]


def sample_contexts(code: str, register: Register, year: int = 2024, *,
                    final: bool = False) -> dict[str, dict[str, Any]]:
    """One context per kind (``broadcast_report`` only when the commune has a radio station): drafts,
    or with ``final`` the finals of :data:`SAMPLE_ANSWERS` (the commune's placeholders taken as real).

    The configuration is loaded once (``CommuneRun``) and the schedules computed as the pipeline does."""
    from congkhai.pipeline.context import CommuneRun

    run = CommuneRun(code)
    commune = as_real(run.commune, "register") if final else run.commune
    cases = sample_cases(commune, year)
    if final:
        with_answers(cases[0], SAMPLE_ANSWERS)
    case = cases[0]
    scheduled = [run.scheduled(c) for c in cases]
    group = commune.groups[1].code if len(commune.groups) > 1 else None
    out: dict[str, dict[str, Any]] = {}
    for kind in KINDS:
        if kind == "broadcast_report" and not commune.has_radio:
            continue
        opts: dict[str, Any] = {}
        if kind == "yearly_plan" and final:  # the clerk's number and date, as plan-<year>.yaml records them
            opts = {"date": dt.date(year, 1, 19), "number": 5}
        elif kind == "quarterly_list":
            own = run.scheduled(Case(commune=code, issued=dt.date(year, 4, 1), subject="Danh sách", item="1.8"))
            opts = {"quarter": 1, "cases": scheduled, "date": dt.date(year, 4, 1), "own_schedule": own.schedule}
        elif kind == "council_report":
            opts = {"cases": scheduled, "period_end": dt.date(year, 6, 30), "date": dt.date(year, 7, 5)}
        out[kind] = build_context(
            kind, commune, year=year, case=case, plan=run.plan(year), item=scheduled[0].item,
            schedule=scheduled[0].schedule, register=register,
            group=group if kind in ("posting_start_group", "group_notice") else None, **opts,
        )
    return out


def soffice_to_pdf(docs: list[Path], outdir: Path, timeout: float = 180) -> list[Path]:
    """Convert .docx files to PDF with one local ``soffice`` call (previews and tests only;
    the pipeline converts through ``congkhai.convert``). A private profile per call: sharing one
    between processes makes the second hand its job to the first. ``soffice`` exits 0 on failure,
    so each output is checked to exist and start with ``%PDF-``."""
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        subprocess.run(
            ["soffice", "--headless", f"-env:UserInstallation=file://{profile}", "--convert-to", "pdf",
             "--outdir", str(outdir), *map(str, docs)],
            check=True, capture_output=True, timeout=timeout,
        )
    pdfs = [outdir / (d.stem + ".pdf") for d in docs]
    bad = [p.name for p in pdfs if not p.is_file() or not p.read_bytes().startswith(b"%PDF-")]
    if bad:
        raise RuntimeError(f"LibreOffice did not convert: {', '.join(bad)}")
    return pdfs
