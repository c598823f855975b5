"""A real archive for the cockpit's tests: six cases of Kép filed, issued and answered by the pipeline.

Built once per test session (``cockpit_archive()``) with the real pipeline functions and the real
LibreOffice: each case is opened with an original, ``run_issuance`` makes its posting documents, and the
answers a person gives are recorded with ``actions.record_evidence`` — exactly the path of the Airflow
required action. The commune profile is a copy of Kép's whose people are real (no ``sample: true``), so
answered documents become finals. On :data:`ON` (Tuesday 2 April 2024) the cases stand as follows:

==========  ==========================  ===================================================================
case        state on ON                 why
==========  ==========================  ===================================================================
PENDING     late                        15/QĐ-UBND of 25/03 (Q1-8): nothing answered; the broadcast
                                        (due 29/03) and the posting (due 01/04) are past due
ENDED       ended                       08/QĐ-UBND of 26/02 (Q1-3): every section answered; posting
                                        ended 28/03
LATE        late                        21/QĐ-UBND of 11/03 (Q1-7): posted on 20/03, after its deadline 18/03
WAITING     waiting_person              30/QĐ-UBND of 29/03 (Q1-10): posting asked since 01/04, due 05/04
POSTING     posting                     12/QĐ-UBND of 15/03 (Q1-9): posted (TDP 1 and 2 only) and broadcast
                                        answered; ends 17/04
CANCELLED   cancelled                   18/QĐ-UBND of 20/03 (Q1-6): cancelled
==========  ==========================  ===================================================================

The tests only read this archive (the state of a case is a function of the day asked); a test that
records something builds its own case.
"""

from __future__ import annotations

import atexit
import datetime as dt
import functools
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from congkhai.config import REPO_ROOT

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
ON = dt.date(2024, 4, 2)
PENDING, ENDED, LATE = "20240325-15-qd-ubnd", "20240226-08-qd-ubnd", "20240311-21-qd-ubnd"
WAITING, POSTING, CANCELLED = "20240329-30-qd-ubnd", "20240315-12-qd-ubnd", "20240320-18-qd-ubnd"

#: (number, issued, item, subject)
CASES = (
    ("15", dt.date(2024, 3, 25), "Q1-8",
     "Dự toán ngân sách, kế hoạch tài chính năm 2024 đã được HĐND quyết định"),
    ("08", dt.date(2024, 2, 26), "Q1-3", "Báo cáo tình hình phát triển kinh tế - xã hội năm 2023"),
    ("21", dt.date(2024, 3, 11), "Q1-7", "Thuyết minh dự toán ngân sách trình Hội đồng nhân dân"),
    ("30", dt.date(2024, 3, 29), "Q1-10", "Kế hoạch tổ chức Ngày hội Đại đoàn kết toàn dân tộc"),
    ("12", dt.date(2024, 3, 15), "Q1-9", "Phương án chuyển dịch cơ cấu kinh tế năm 2024 & <mục tiêu>"),
    ("18", dt.date(2024, 3, 20), "Q1-6", "Kế hoạch phát triển kinh tế - xã hội năm 2024 (bản nhầm)"),
)


@dataclass(frozen=True)
class Built:
    root: Path  # the temp folder holding everything
    archive: Path
    communes: Path
    data: Path

    def env(self) -> dict[str, str]:
        return {"CONGKHAI_ARCHIVE": str(self.archive), "CONGKHAI_COMMUNES": str(self.communes),
                "CONGKHAI_DATA": str(self.data)}


def real_commune(tmp: Path) -> Path:
    """A copy of the communes folder (Kép and demo-xa) where Kép's placeholders are real names."""
    dst = tmp / "communes"
    shutil.copytree(REPO_ROOT / "communes", dst)
    yaml = dst / "kep" / "commune.yaml"
    text = yaml.read_text(encoding="utf-8")
    text = re.sub(r"\n\s*sample: true", "", text).replace("\ngroups_sample: true", "\ngroups_sample: false")
    yaml.write_text(text, encoding="utf-8")
    return dst


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=TZ)


def _blank_pdf(path: Path) -> Path:
    from pypdf import PdfWriter

    w = PdfWriter()
    w.add_blank_page(595, 842)
    w.write(path)
    return path


def open_cases(run, tmp: Path, cases=CASES) -> list[str]:  # noqa: ANN001 - a CommuneRun
    from congkhai.case import Case

    ids = []
    for number, issued, item, subject in cases:
        case = Case(commune=run.code, issued=issued, subject=subject, doc_number=number, doc_code="QĐ-UBND",
                    doc_type="QUYẾT ĐỊNH", item=item, law_item=1, dropped=issued, signer="Đặng Minh Khôi")
        run.archive.open_case(case).add_original(_blank_pdf(tmp / f"orig-{number}.pdf"))
        ids.append(case.case_id)
    return ids


def answer(run, case_id: str, section: str, value, when: str, converter) -> None:  # noqa: ANN001
    """Record an answer as the required action does (``record_evidence``: by the Airflow user, at a time)."""
    from congkhai.errors import PermanentError
    from congkhai.pipeline import actions

    t = at(when)
    try:
        actions.record_evidence(run, case_id, section, value, by="admin", at=t, day=t.date(),
                                converter=converter)
    except PermanentError:  # a document refused as a final is reported; the answer stays recorded
        pass


@functools.cache
def cockpit_archive() -> Built:
    """The archive of the module docstring (built once per session, in its own temp folder)."""
    from congkhai.config import settings
    from congkhai.convert import get_converter
    from congkhai.pipeline import actions
    from congkhai.pipeline.calendar_jobs import run_daily
    from congkhai.pipeline.context import CommuneRun
    from congkhai.pipeline.issuance import run_issuance

    root = Path(tempfile.mkdtemp(prefix="congkhai-cockpit-"))
    atexit.register(shutil.rmtree, root, True)
    built = Built(root=root, archive=root / "archive", communes=real_commune(root), data=root / "data")
    saved = {k: os.environ.get(k) for k in built.env()}
    os.environ.update(built.env())
    try:
        run = CommuneRun("kep", settings())
        ids = open_cases(run, root)
        assert ids == [PENDING, ENDED, LATE, WAITING, POSTING, CANCELLED], ids
        with get_converter() as conv:
            run_issuance(run, ids, conv)
            everywhere = {"by": "Lê Thị Hoa", "witnesses": ["Nguyễn Văn Bình"], "groups": "all"}
            answer(run, ENDED, "posting", {**everywhere, "at": "2024-02-27 08:00"}, "2024-02-27 09:12", conv)
            answer(run, ENDED, "broadcast", {"days": ["2024-02-27", "2024-02-28", "2024-02-29"],
                                             "sessions": ["06:30", "17:15"], "by": "Phạm Văn Tuấn"},
                   "2024-03-01 10:00", conv)
            answer(run, ENDED, "end", {"feedback": []}, "2024-03-28 16:30", conv)
            answer(run, ENDED, "numbers", {"posting_start_ubnd": 31}, "2024-02-27 09:30", conv)
            answer(run, LATE, "posting", {**everywhere, "at": "2024-03-20 14:30"}, "2024-03-20 15:00", conv)
            answer(run, LATE, "broadcast", {"days": ["2024-03-20", "2024-03-21", "2024-03-22"],
                                            "sessions": ["06:30"]}, "2024-03-25 08:00", conv)
            answer(run, POSTING, "posting", {"at": "2024-03-18 07:45", "by": "Lê Thị Hoa", "witnesses": [],
                                             "groups": ["tdp01", "tdp02"]}, "2024-03-18 08:05", conv)
            answer(run, POSTING, "broadcast", {"days": ["2024-03-18", "2024-03-19", "2024-03-20"],
                                               "sessions": ["06:30", "17:15"]}, "2024-03-21 09:00", conv)
            actions.cancel_case(run, CANCELLED, "Văn bản thả nhầm, đã có bản đúng", by="admin")
            run_daily(run, ON, conv)  # broadcast reports and end minutes due by then; the ended case closed
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return built


def commune_run(built: Built, monkeypatch) -> object:  # noqa: ANN001
    """A CommuneRun of Kép reading the built archive (environment set through ``monkeypatch``)."""
    from congkhai.config import settings
    from congkhai.pipeline.context import CommuneRun

    for k, v in built.env().items():
        monkeypatch.setenv(k, v)
    return CommuneRun("kep", settings())
