"""Minutes follow the source (issue 13, point 1): a cover letter's documents, places, people and period.

GIVEN the two samples of Kép 2024 that ask for a posting, dropped in the inbox on 21/08/2024 and read by
the real intake (``process_inbox``):
  - công văn 245/UBND-VP of 12/08/2024: the Địa chính officer and the leaders of TDP 4 and 5 post the
    district's notice 125/TB-UBND of 05/08/2024 and the list of households whose land is recovered, at
    the People's Committee and the cultural houses of TDP 4 and 5, from 14/8 to the end of 12/9/2024;
  - the district's notice 310/TB-UBND of 20/08/2024 addressed to Kép: post decision 1520/QĐ-UBND and
    the plan drawing at the People's Committee and TDP 2 and 3, 30 days from 26/8 to the end of 24/9/2024;
WHEN their posting documents are made (issuance) and, after the period, the end minutes (daily), with
the real LibreOffice
THEN each UBND minute names the documents posted, "kèm theo" the letter (the district's notice printed
as the district's), the letter's period (the schedule takes it: the dates are the same in the stored
schedule, the minutes and the notice), the civil servant of the named role (a sample name marked
"(mẫu)" on the draft); group minutes, notices and end minutes exist for the listed groups only;
AND the district's number 310/TB-UBND is not taken into the commune's register;
AND staff can correct the request (validated, documents remade).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import time
import unicodedata
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from congkhai.case import Case
from congkhai.commune import load_commune
from congkhai.config import settings
from congkhai.documents.context import Recorded, disclosed
from congkhai.errors import UsageError
from congkhai.intake.claim import IntakeOptions, process_inbox
from congkhai.pipeline import actions
from congkhai.pipeline.calendar_jobs import end_places, run_daily
from congkhai.pipeline.context import CommuneRun
from congkhai.pipeline.issuance import run_issuance

pytestmark = pytest.mark.slow

SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "kep-2024"
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
FAST = IntakeOptions(stable_seconds=0, settle_seconds=0, review_threshold=0.5)
LETTER, NOTICE = "20240812-245-ubnd-vp", "20240820-310-tb-ubnd"


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def pdf_text(path: Path) -> str:
    return flat(" ".join(p.extract_text() or "" for p in PdfReader(path).pages))


@pytest.fixture(scope="module")
def converter():
    from congkhai.convert import get_converter

    with get_converter() as conv:
        yield conv


@pytest.fixture(scope="module")
def made(tmp_path_factory, converter):
    tmp = tmp_path_factory.mktemp("cover-letter")
    mp = pytest.MonkeyPatch()
    mp.setenv("CONGKHAI_DATA", str(tmp / "data"))
    mp.setenv("CONGKHAI_ARCHIVE", str(tmp / "archive"))
    for var in ("CONGKHAI_INBOX", "CONGKHAI_INDEX_URL", "CONGKHAI_COMMUNES"):
        mp.delenv(var, raising=False)
    try:
        s = settings()
        inbox = s.inbox_dir("kep")
        inbox.mkdir(parents=True)
        for name in ("cv245.pdf", "TB huyen quy hoach.docx"):
            p = inbox / name
            p.write_bytes((SAMPLES / name).read_bytes())
            t = time.time() - 120
            os.utime(p, (t, t))
        # dropped a week after the letter: its own start date still decides, not the late-drop rule
        report = process_inbox("kep", s, now=dt.datetime(2024, 8, 21, 8, 0, tzinfo=TZ), options=FAST)
        assert sorted(report.new) == [LETTER, NOTICE], (report.review, report.errors)
        run = CommuneRun("kep", s)
        issued = run_issuance(run, [LETTER, NOTICE], converter)
        assert not issued["failed"], issued["failed"]
        daily = run_daily(run, dt.date(2024, 9, 25), converter)  # both periods are over: end minutes
        assert not daily["failed"], daily["failed"]
        yield run
    finally:
        mp.undo()


def keys(run: CommuneRun, cid: str) -> set[str]:
    return {f["key"] for f in run.archive.find_case(cid).manifest["files"] if f["path"].endswith(".pdf")}


def text_of(run: CommuneRun, cid: str, key: str) -> str:
    entry = run.archive.find_case(cid).latest(key, "pdf")
    assert entry is not None, f"{cid}: no PDF for {key}"
    return pdf_text(entry.abs_path)


def test_the_letters_period_is_the_schedule(made):
    """GIVEN the letter's 14/8–12/9 and the notice's 26/8–24/9 WHEN scheduled THEN exactly those (the
    drop on 21/8 does not move the letter's start), stored in the manifest, not recorded as posted."""
    for cid, start, end in ((LETTER, "2024-08-14", "2024-09-12"), (NOTICE, "2024-08-26", "2024-09-24")):
        stored = made.archive.find_case(cid).manifest["schedule"]
        assert (stored["posting_start"], stored["posting_end"]) == (start, end), cid
        s = made.schedule_of(made.archive.find_case(cid).case)
        assert s.asked_start and s.asked_end and not s.posted_given


def test_ubnd_minute_names_what_the_letter_asks_to_post(made):
    text = text_of(made, LETTER, "posting_start_ubnd")
    assert "Thông báo số 125/TB-UBND ngày 05/08/2024 của UBND huyện Lạng Giang về việc thu hồi đất để thực hiện " \
           "dự án đường tỉnh 295 đoạn qua thị trấn Kép và danh sách các hộ gia đình, cá nhân có đất bị thu hồi" in text
    assert "(kèm theo Công văn số 245/UBND-VP ngày 12/08/2024 của UBND thị trấn Kép về việc niêm yết công khai " \
           "Thông báo thu hồi đất)" in text
    assert "từ ngày 14 tháng 8 năm 2024 đến hết ngày 12 tháng 9 năm 2024 (theo Công văn số 245/UBND-VP ngày " \
           "12/08/2024)" in text
    # the civil servant of the role the letter names; Kép's profile holds a sample name: a draft says so
    assert "Phạm Văn Mẫu (mẫu) - Công chức Địa chính - Xây dựng - Đô thị và Môi trường, thư ký" in text
    assert "DỰ THẢO" in text
    assert "niêm yết tại nhà văn hóa tổ dân phố số 4, 5" in text
    assert "nhà văn hóa các tổ dân phố" not in text


def test_group_documents_only_for_the_listed_groups(made):
    have = keys(made, LETTER)
    groups = {k.split(":", 1)[1] for k in have if k.startswith(("posting_start_group:", "posting_end:"))}
    assert groups == {"tdp04", "tdp05"}, sorted(have)
    assert {"posting_start_ubnd", "group_notice", "posting_end", "posting_start_group:tdp04",
            "posting_end:tdp05"} <= have
    notice = text_of(made, LETTER, "group_notice")
    assert "Kính gửi: Tổ trưởng tổ dân phố số 4, 5" in notice
    assert "từ ngày 14 tháng 8 năm 2024 đến hết ngày 12 tháng 9 năm 2024" in notice
    group = text_of(made, LETTER, "posting_start_group:tdp04")
    assert "Thông báo số 125/TB-UBND ngày 05/08/2024" in group and "tổ dân phố số 4" in group
    assert "từ ngày 14 tháng 8 năm 2024 đến hết ngày 12 tháng 9 năm 2024" in group
    end = text_of(made, LETTER, "posting_end")
    assert "(theo yêu cầu: tổ dân phố số 4, 5)" in end
    assert "Thông báo số 125/TB-UBND" in end


def test_the_district_notice_is_printed_as_the_districts(made):
    text = text_of(made, NOTICE, "posting_start_ubnd")
    assert "Quyết định số 1520/QĐ-UBND ngày 12/08/2024 của UBND huyện Lạng Giang về việc phê duyệt đồ án quy " \
           "hoạch chi tiết xây dựng khu dân cư mới tổ dân phố số 2, thị trấn Kép và bản vẽ quy hoạch tổng mặt bằng " \
           "sử dụng đất" in text
    assert "kèm theo Thông báo số 310/TB-UBND ngày 20/08/2024 của UBND huyện Lạng Giang" in text
    assert "310/TB-UBND ngày 20/08/2024 của UBND thị trấn Kép" not in text
    assert "từ ngày 26 tháng 8 năm 2024 đến hết ngày 24 tháng 9 năm 2024 (30 ngày liên tục, theo Thông báo số " \
           "310/TB-UBND ngày 20/08/2024 của UBND huyện Lạng Giang)" in text
    groups = {k.split(":", 1)[1] for k in keys(made, NOTICE) if ":" in k}
    assert groups == {"tdp02", "tdp03"}
    # the district's number is not one of the commune's own: the register keeps none of it
    assert not [i for i in made.register.issued(2024, "TB") if i.number == 310]


def test_all_groups_recorded_means_the_groups_asked():
    """GIVEN the letter's request (TDP 4, 5) WHEN a person records the posting "at all groups" THEN that
    means the groups the letter lists: end minutes are due there only."""
    kep = load_commune("kep")
    case = Case(commune="kep", issued=dt.date(2024, 8, 12), subject="V/v niêm yết", doc_number="245",
                doc_code="UBND-VP", doc_type="CÔNG VĂN", item="N-2",
                posting_request={"places": {"hq": True, "groups": ["tdp05", "tdp04"]}, "roles": ["dia_chinh"]},
                evidence={"posting": {"value": {"at": "2024-08-14T08:00", "by": "Lê Văn A", "witnesses": [],
                                                "groups": "all"}, "by": "vp", "at": "2024-08-14T09:00:00+07:00"}})
    assert [g.code for g in Recorded.of(case).posted_groups(kep)] == ["tdp04", "tdp05"]
    case.posting_request = {"places": {"hq": True, "groups": []}}  # the headquarters only
    assert Recorded.of(case).posted_groups(kep) == []
    case.posting_request = None
    assert len(Recorded.of(case).posted_groups(kep)) == len(kep.groups)


def test_a_request_without_documents_names_the_case_itself():
    kep = load_commune("kep")
    case = Case(commune="kep", issued=dt.date(2024, 8, 20), subject="Công khai đồ án quy hoạch",
                doc_number="310", doc_code="TB-UBND", doc_type="THÔNG BÁO", issuer="ỦY BAN NHÂN DÂN HUYỆN LẠNG GIANG",
                posting_request={"places": {"hq": True, "groups": ["tdp02"]}, "start": "2024-08-26"})
    assert disclosed(case, kep) == ("Thông báo số 310/TB-UBND ngày 20/08/2024 của UBND huyện Lạng Giang về việc "
                                    "công khai đồ án quy hoạch")


# ------------------------------------------------------------------ correcting the request


@pytest.fixture
def letter_case(tmp_path, monkeypatch, converter):
    """The 245 case as intake files it (its request as read from the sample), issued."""
    from congkhai.intake.cover import read_posting_request
    from congkhai.intake.extract import inspect

    monkeypatch.setenv("CONGKHAI_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("CONGKHAI_ARCHIVE", str(tmp_path / "archive"))
    kep = load_commune("kep")
    info = inspect(SAMPLES / "cv245.pdf", commune="kep", classify=False)
    req = read_posting_request(info.text.splitlines(), kep, issued=info.issued, own_number="245/UBND-VP")
    case = Case(commune="kep", issued=info.issued, subject=info.subject, doc_number="245", doc_code="UBND-VP",
                doc_type="CÔNG VĂN", issuer=info.issuer, item="N-2", law_item=3, dropped=info.issued,
                posting_request=req.to_json())
    run = CommuneRun("kep", settings())
    run.archive.open_case(case).add_original(SAMPLES / "cv245.pdf")
    assert not run_issuance(run, [case.case_id], converter)["failed"]
    return run, case.case_id


def test_staff_correct_the_request_and_the_documents_follow(letter_case, converter):
    """GIVEN the 245 case WHEN staff correct its request (TDP 4 only, to the end of 13/9, the Tư pháp
    officer) THEN it is validated, kept, and the minutes are remade from it; a wrong group or role, a
    period before the issue date, a value that is no request are refused in Vietnamese."""
    run, cid = letter_case
    day = dt.date(2024, 8, 13)
    for bad, field in ((({"places": {"hq": True, "groups": ["tdp99"]}}), "posting_request.places.groups"),
                       ({"roles": ["thu_quy"]}, "posting_request.roles"),
                       ({"start": "2024-08-01"}, "posting_request.start"),
                       ({"end": "2024-08-13"}, "posting_request.end"),
                       ({"start": "không phải ngày"}, "posting_request"),
                       ("[1, 2", "posting_request")):
        with pytest.raises(UsageError) as err:
            actions.correct_case(run, cid, {"posting_request": bad}, day, by="vp", converter=converter)
        assert err.value.field == field and err.value.message_vi.strip(), bad
    before = run.archive.find_case(cid).case.posting_request
    assert before["places"]["groups"] == ["tdp04", "tdp05"]  # nothing refused was kept
    out = actions.correct_case(run, cid, {"posting_request": {
        "places": {"hq": True, "groups": ["tdp04"]}, "end": "2024-09-13", "roles": ["tu_phap"]}}, day,
        by="vp", converter=converter)
    assert not out["failed"]
    case = run.archive.find_case(cid).case
    assert case.posting_request["places"]["groups"] == ["tdp04"]
    assert case.posting_request["documents"] == before["documents"]  # the keys not given are kept
    text = text_of(run, cid, "posting_start_ubnd")
    assert "đến hết ngày 13 tháng 9 năm 2024" in text and "Công chức Tư pháp - Hộ tịch, thư ký" in text
    assert "niêm yết tại nhà văn hóa tổ dân phố số 4;" in text
    assert end_places(run, run.archive.find_case(cid), case) == [None, "tdp04"]
    assert actions.checked_request(run, case, None) is None  # cleared: the plan item's channels apply again


@pytest.mark.airflow
def test_the_correct_action_dag_takes_a_posting_request(airflow_db, tmp_path, monkeypatch):
    """GIVEN a letter case WHEN staff trigger ``congkhai_action_correct`` with a posting request typed as
    JSON in the form THEN the case keeps it (validated) and its minutes are made for that group only; a
    request naming a group the profile does not have fails the run, and the case keeps the old one."""
    from airflow.dag_processing.dagbag import DagBag

    from tests.conftest import REPO

    monkeypatch.setenv("CONGKHAI_ARCHIVE", str(tmp_path / "archive"))
    monkeypatch.setenv("CONGKHAI_DATA", str(tmp_path / "data"))
    case = Case(commune="kep", issued=dt.date(2024, 8, 12), subject="V/v niêm yết công khai Thông báo thu hồi đất",
                doc_number="245", doc_code="UBND-VP", doc_type="CÔNG VĂN", item="N-2", law_item=3,
                dropped=dt.date(2024, 8, 12))
    run = CommuneRun("kep", settings())
    run.archive.open_case(case).add_original(SAMPLES / "cv245.pdf")
    dag = DagBag(dag_folder=str(REPO / "dags" / "congkhai_actions.py")).get_dag("congkhai_action_correct")
    asked = '{"places": {"hq": true, "groups": ["tdp05"]}, "start": "2024-08-14", "end": "2024-09-12"}'
    done = dag.test(run_conf={"commune": "kep", "case_id": case.case_id, "posting_request": asked})
    assert "success" in str(done.state)
    folder = run.archive.find_case(case.case_id)
    assert folder.case.posting_request["places"]["groups"] == ["tdp05"]
    groups = {f["key"] for f in folder.manifest["files"] if f["key"].startswith("posting_start_group")}
    assert groups == {"posting_start_group:tdp05"}
    bad = dag.test(run_conf={"commune": "kep", "case_id": case.case_id,
                             "posting_request": '{"places": {"groups": ["tdp42"]}}'})
    assert "failed" in str(bad.state)
    assert run.archive.find_case(case.case_id).case.posting_request["places"]["groups"] == ["tdp05"]
