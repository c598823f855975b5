"""Evidence, not fiction (issue 14): a document states only what a source document or a person recorded.

GIVEN a decision of Kép (15/QĐ-UBND of 05/01/2024, item Q4-5: posted at the UBND and the cultural houses,
broadcast, 30 days), in a copy of Kép's profile whose people are real (no ``sample: true``; the clerk
numbers documents by hand, ``numbering: clerk``)
WHEN its posting documents, broadcast report and end minutes are made before anybody recorded anything
THEN every one is a draft: ``DỰ THẢO`` on every page and before its PDF title, no clock time, no
"no feedback" nobody stated, the number left for the clerk (``Số:       /BB-UBND``), state ``draft``
in the manifest;
WHEN a person then records the posting (the contract example of ``congkhai.evidence``, posted at two
groups), the broadcast, the end (no feedback, then one) and the clerk's number
THEN the documents are made again as finals carrying exactly those facts, without the mark; the groups
where it was not posted keep their drafts; each place that posted has its own end minute;
AND with Kép's own profile, whose people are placeholders, a final is refused with a Vietnamese message
naming the field of commune.yaml to fill — and drafts print those names followed by ``(mẫu)``.
Real rendering, real LibreOffice, text read back from the PDFs (pypdf).
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import unicodedata
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader, PdfWriter

from congkhai.case import Case
from congkhai.config import REPO_ROOT, settings
from congkhai.errors import PermanentError
from congkhai.pipeline import actions
from congkhai.pipeline.calendar_jobs import run_council, run_daily, run_january, run_quarterly
from congkhai.pipeline.context import CommuneRun
from congkhai.pipeline.issuance import run_issuance

pytestmark = pytest.mark.slow

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
CASE = Case(commune="kep", issued=dt.date(2024, 1, 5),
            subject="Phê duyệt kết quả rà soát hộ nghèo, hộ cận nghèo trên địa bàn thị trấn năm 2024",
            doc_number="15", doc_code="QĐ-UBND", doc_type="QUYẾT ĐỊNH", item="Q4-5", law_item=7,
            dropped=dt.date(2024, 1, 5))
#: The contract example of congkhai.evidence (posted at two groups only).
POSTING = {"at": "2024-01-08 14:30", "by": "Lê Thị Hoa", "witnesses": ["Nguyễn Văn Bình"], "groups": ["tdp01", "tdp03"]}
BROADCAST = {"days": ["2024-01-08", "2024-01-09"], "sessions": ["06:30", "17:15"], "by": "Phạm Văn Tuấn"}
FEEDBACK = "Bà Nguyễn Thị Hằng đề nghị công khai danh sách hộ cận nghèo theo từng tổ dân phố"
CLOCK = re.compile(r"\d{1,2} giờ \d{2}")
NUMBER_IN_SO = re.compile(r"Số: ?\d")


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def pdf_text(path: Path) -> str:
    return flat(" ".join(p.extract_text() or "" for p in PdfReader(path).pages))


def page_texts(path: Path) -> list[str]:
    return [flat(p.extract_text() or "") for p in PdfReader(path).pages]


def real_commune(tmp: Path) -> Path:
    """A copy of Kép's profile and plans whose placeholders are replaced by real names."""
    dst = tmp / "communes" / "kep"
    shutil.copytree(REPO_ROOT / "communes" / "kep", dst)
    yaml = dst / "commune.yaml"
    text = yaml.read_text(encoding="utf-8")
    text = re.sub(r"\n\s*sample: true", "", text).replace("\ngroups_sample: true", "\ngroups_sample: false")
    assert "numbering: clerk" in text and not re.search(r"^\s*(groups_)?sample: true", text, re.M)
    yaml.write_text(text, encoding="utf-8")
    return dst.parent


@pytest.fixture(scope="module")
def converter():
    from congkhai.convert import get_converter

    with get_converter() as conv:
        yield conv


def blank_pdf(path: Path) -> Path:
    w = PdfWriter()
    w.add_blank_page(595, 842)
    w.write(path)
    return path


def open_case(run: CommuneRun, tmp: Path) -> str:
    case = Case(**{k: getattr(CASE, k) for k in CASE.__dataclass_fields__ if k not in ("evidence", "feedback", "extra")})
    run.archive.open_case(case).add_original(blank_pdf(tmp / "orig.pdf"))
    return case.case_id


def at(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(tzinfo=TZ)


def latest(run: CommuneRun, cid: str, key: str) -> dict:
    folder = run.archive.find_case(cid)
    files = [f for f in folder.manifest["files"] if f["key"] == key and f["path"].endswith(".pdf")]
    assert files, f"no PDF for {key}"
    entry = max(files, key=lambda f: f["version"])
    return {**entry, "abs": folder.path / entry["path"]}


@pytest.fixture(scope="module")
def story(tmp_path_factory, converter):
    """The case through the pipeline: drafts first, then each answer; the texts at each step."""
    tmp = tmp_path_factory.mktemp("evidence")
    mp = pytest.MonkeyPatch()
    mp.setenv("CONGKHAI_DATA", str(tmp / "data"))
    mp.setenv("CONGKHAI_ARCHIVE", str(tmp / "archive"))
    mp.setenv("CONGKHAI_COMMUNES", str(real_commune(tmp)))
    try:
        run = CommuneRun("kep", settings())
        cid = open_case(run, tmp)
        assert not run_issuance(run, [cid], converter)["failed"]
        daily = run_daily(run, dt.date(2024, 2, 8), converter)  # the period ended on 07/02: reports, end minutes
        assert not daily["failed"], daily["failed"]
        keys = ["posting_start_ubnd", "group_notice", "broadcast_report", "posting_end",
                *[f"posting_start_group:tdp{i:02d}" for i in range(1, 11)],
                *[f"posting_end:tdp{i:02d}" for i in range(1, 11)]]
        drafts = {k: latest(run, cid, k) for k in keys}
        steps = {}
        steps["posting"] = actions.record_evidence(run, cid, "posting", POSTING, by="vp", at=at("2024-01-08 15:00"),
                                                   day=dt.date(2024, 1, 8), converter=converter)
        steps["broadcast"] = actions.record_evidence(run, cid, "broadcast", BROADCAST, by="dai",
                                                     at=at("2024-01-09 18:00"), day=dt.date(2024, 1, 9),
                                                     converter=converter)
        steps["end"] = actions.record_evidence(run, cid, "end", {"feedback": []}, by="vp", at=at("2024-02-08 08:00"),
                                               day=dt.date(2024, 2, 8), converter=converter)
        ended_none = {k: latest(run, cid, k) for k in ("posting_end", "posting_end:tdp01")}
        steps["end2"] = actions.record_evidence(run, cid, "end", {"feedback": [FEEDBACK]}, by="vp",
                                                at=at("2024-02-08 09:00"), day=dt.date(2024, 2, 8),
                                                converter=converter)
        steps["numbers"] = actions.record_evidence(run, cid, "numbers", {"posting_start_ubnd": 31}, by="vt",
                                                   at=at("2024-02-08 10:00"), day=dt.date(2024, 2, 8),
                                                   converter=converter)
        finals = {k: latest(run, cid, k) for k in keys}
        quarterly = run_quarterly(run, dt.date(2024, 4, 1), converter)
        january = run_january(run, dt.date(2024, 1, 2), converter)
        council = run_council(run, dt.date(2024, 7, 5), converter)  # before the session of 12/07
        yield {"council": council, "run": run, "cid": cid, "drafts": drafts, "finals": finals, "steps": steps, "ended_none": ended_none,
               "quarterly": quarterly, "january": january}
    finally:
        mp.undo()


POSTING_KINDS = ("posting_start_ubnd", "posting_start_group:tdp01", "posting_start_group:tdp02", "broadcast_report",
                 "posting_end", "posting_end:tdp01", "posting_end:tdp03")


@pytest.mark.parametrize("key", POSTING_KINDS)
def test_nothing_recorded_every_document_is_a_draft(story, key):
    entry = story["drafts"][key]
    text = pdf_text(entry["abs"])
    pages = page_texts(entry["abs"])
    assert all("DỰ THẢO" in p for p in pages), key  # on every page
    assert not CLOCK.search(text), (key, CLOCK.search(text))
    assert "không nhận được ý kiến" not in text
    assert not NUMBER_IN_SO.search(text), key  # the clerk's number is left blank
    assert "Số: /" in text
    assert entry["state"] == "draft"
    assert entry["title"].startswith("DỰ THẢO - ")
    assert PdfReader(entry["abs"]).metadata["/Title"].startswith("DỰ THẢO - ")
    if key != "broadcast_report":
        assert "Kép, ngày …… tháng …… năm ……" in text  # the day is not known yet
        assert "vào hồi …… giờ …… phút" in text or key.startswith("posting_end")


def test_drafts_leave_blanks_not_invented_facts(story):
    d = story["drafts"]
    end = pdf_text(d["posting_end"]["abs"])
    assert "đã nhận được …… ý kiến" in end and "……………………" in end
    assert "16 giờ" not in end and "của 10 tổ dân phố" not in end  # neither a time nor the ten places invented
    radio = pdf_text(d["broadcast_report"]["abs"])
    assert "06 giờ 00" not in radio and "17 giờ 00" not in radio and "02 lần" not in radio
    assert "Đã phát …… lần trong …… ngày" in radio
    assert re.search(r"TRƯỞNG ĐÀI ………………", radio), radio  # a name line to fill in
    assert "Ý kiến phản hồi" not in radio  # feedback belongs to the end minutes
    group = pdf_text(d["posting_start_group:tdp02"]["abs"])
    assert "Nguyễn Văn An" not in group  # another group's leader
    assert "Trần Văn Bình - Tổ trưởng tổ dân phố số 2, chủ trì" in group  # this copy's leader is real: no "(mẫu)"


def test_finals_carry_exactly_the_recorded_facts(story):
    f = story["finals"]
    ubnd = pdf_text(f["posting_start_ubnd"]["abs"])
    assert "DỰ THẢO" not in ubnd and f["posting_start_ubnd"]["state"] == "final"
    assert "vào hồi 14 giờ 30 phút, ngày 08 tháng 01 năm 2024" in ubnd
    assert "Kép, ngày 08 tháng 01 năm 2024" in ubnd
    assert "Lê Thị Hoa" in ubnd and "Nguyễn Văn Bình" in ubnd
    assert "Số: 31/BB-UBND" in ubnd
    assert "từ ngày 08 tháng 01 năm 2024 đến hết ngày 07 tháng 02 năm 2024" in ubnd
    assert "Văn bản được niêm yết trong thời hạn công khai (chậm nhất ngày 12/01/2024)" in ubnd
    assert not PdfReader(f["posting_start_ubnd"]["abs"]).metadata["/Title"].startswith("DỰ THẢO")
    # the witnesses sign in their own column (read cell by cell), under their own heading, not under the
    # secretary's or the chair's name as if it were a title
    assert ("THƯ KÝ (Ký, ghi rõ họ tên) Lê Thị Hoa NGƯỜI CHỨNG KIẾN (Ký, ghi rõ họ tên) Nguyễn Văn Bình "
            "CHỦ TỌA (Ký, ghi rõ họ tên) Trần Thị Mẫu Nơi nhận:") in ubnd

    radio = pdf_text(f["broadcast_report"]["abs"])
    assert "DỰ THẢO" not in radio and f["broadcast_report"]["state"] == "final"
    assert radio.count("06 giờ 30 phút, 17 giờ 15 phút") == 2
    assert "Đã phát 04 lần trong 02 ngày liên tục, từ ngày 08 tháng 01 năm 2024 đến ngày 09 tháng 01 năm 2024" in radio
    assert "TRƯỞNG ĐÀI Phạm Văn Tuấn" in radio
    assert "Kép, ngày 09 tháng 01 năm 2024" in radio  # the last day broadcast
    assert "06 giờ 00" not in radio and "17 giờ 00" not in radio


def test_only_the_groups_posted_at_get_finals(story):
    f = story["finals"]
    for key in ("posting_start_group:tdp01", "posting_start_group:tdp03"):
        text = pdf_text(f[key]["abs"])
        assert "DỰ THẢO" not in text and f[key]["state"] == "final", key
        assert "Hôm nay, ngày 08 tháng 01 năm 2024" in text  # posted that day: no clock time recorded there
        assert not CLOCK.search(text), key
        assert "Lê Thị Hoa" in text
    other = f["posting_start_group:tdp02"]
    assert other["state"] == "draft" and other["version"] == 1  # never posted there: the draft stays
    assert "DỰ THẢO" in pdf_text(other["abs"])


def test_end_minutes_per_place(story):
    f, none = story["finals"], story["ended_none"]
    text = pdf_text(none["posting_end"]["abs"])
    assert "DỰ THẢO" not in text and none["posting_end"]["state"] == "final"
    assert "trong thời gian công khai không nhận được ý kiến phản hồi nào" in text  # a person stated it
    assert "02/10 tổ dân phố: Tổ dân phố số 1, 3 (mỗi tổ dân phố có biên bản kết thúc riêng)" in text
    assert "Phát trên hệ thống truyền thanh của thị trấn: 04 lần trong 02 ngày" in text
    assert "Kép, ngày 15 tháng 02 năm 2024" in text  # the working day after the last it certifies (Tết 8-14/02)
    assert "đến hết ngày 07 tháng 02 năm 2024" in text and not CLOCK.search(text)
    hq = pdf_text(f["posting_end"]["abs"])
    assert "đã nhận được 01 ý kiến" in hq and FEEDBACK in hq
    group = pdf_text(f["posting_end:tdp01"]["abs"])
    assert "DỰ THẢO" not in group and FEEDBACK in group
    assert "tại nhà văn hóa Tổ dân phố số 1" in group and "Nguyễn Văn An - Tổ trưởng tổ dân phố số 1, chủ trì" in group
    for key in ("posting_end:tdp02", "posting_end:tdp10"):  # no posting there: no final end minute
        assert f[key]["state"] == "draft", key
    folder = story["run"].archive.find_case(story["cid"])
    states = {f["key"]: f.get("state") for f in folder.manifest["files"] if f["path"].endswith(".pdf")}
    assert states["original"] is None and {states[k] for k in POSTING_KINDS} <= {"draft", "final"}


def test_clerk_numbering_never_invents_a_number(story):
    f = story["finals"]
    for key in ("posting_start_group:tdp01", "broadcast_report", "posting_end"):  # finals, no number recorded
        assert not NUMBER_IN_SO.search(pdf_text(f[key]["abs"])), key
        assert f[key]["number"] is None
    assert f["posting_start_ubnd"]["number"] == 31
    assert story["run"].register.issued() == []  # the product's register gave nothing


def test_quarterly_list_is_a_notice_with_its_own_period(story):
    run = story["run"]
    q = story["quarterly"]
    assert not q["list"]["failed"] and not q["posting"]["failed"], q
    year = run.archive.year_folder(2024)
    text = pdf_text(year.latest("quarterly_list:2024-Q1", "pdf").abs_path)
    assert "THÔNG BÁO" in text and "DỰ THẢO" in text  # the clerk numbers it
    assert "trong thời gian 90 ngày liên tục, dự kiến từ ngày 02 tháng 4 năm 2024 đến hết ngày" in text
    posted = [f for f in q["posting"]["filed"] if f["key"] == "posting_start_ubnd"]
    assert posted
    folder = run.archive.find_case(posted[0]["folder"].split(":", 1)[1])
    minute = pdf_text(folder.latest("posting_start_ubnd", "pdf").abs_path)
    assert ("Thông báo số ……/TB-UBND ngày 01/04/2024 của UBND thị trấn Kép về danh sách các nội dung đã thực hiện "
            "công khai quý I") in minute  # the clerk's number, to fill in
    assert "Danh sách số" not in minute and "về việc danh sách" not in minute


def test_yearly_plan_has_no_invented_date(story):
    j = story["january"]
    assert not j["plan"]["failed"], j
    assert "skipped" in j["plan_posting"]  # a plan nobody dated is not posted
    year = story["run"].archive.year_folder(2024)
    pdf = year.latest("yearly_plan", "pdf").abs_path
    pages = page_texts(pdf)
    text = " ".join(pages)
    assert "Kép, ngày …… tháng …… năm ……" in text and "02 tháng 01 năm 2024" not in text
    assert all("DỰ THẢO" in p for p in pages)
    # the signature block stays with the closing paragraph, on the last page
    assert "Giao cho Văn phòng UBND thị trấn Kép" in pages[-1] and "TM. ỦY BAN NHÂN DÂN" in pages[-1]
    assert "Đặng Minh Khôi" in pages[-1] and "Nơi nhận:" in pages[-1]


def test_council_report_states_only_recorded_feedback_and_keeps_its_signature(story):
    assert not story["council"]["failed"], story["council"]
    year = story["run"].archive.year_folder(2024)
    pages = page_texts(year.latest("council_report:2024-07-12", "pdf").abs_path)
    text = " ".join(pages)
    assert "Số nội dung nhận được ý kiến phản hồi của Nhân dân: 01." in text
    assert "chưa có xác nhận kết thúc công khai (chưa tổng hợp ý kiến phản hồi): 01." in text  # the Q1 list
    assert "Trong kỳ không nhận được ý kiến phản hồi" not in text
    assert "HĐND thị trấn Kép" in text
    last = pages[-1]
    assert "Trên đây là báo cáo kết quả thực hiện công khai thông tin" in last  # the closing, with the signature
    assert "TM. ỦY BAN NHÂN DÂN" in last and "Đặng Minh Khôi" in last and "Nơi nhận:" in last


# ---------------------------------------------------------------------------- Kép's own profile

@pytest.fixture(scope="module")
def sample_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("sample")
    mp = pytest.MonkeyPatch()
    mp.setenv("CONGKHAI_DATA", str(tmp / "data"))
    mp.setenv("CONGKHAI_ARCHIVE", str(tmp / "archive"))
    mp.setenv("CONGKHAI_COMMUNES", str(REPO_ROOT / "communes"))
    try:
        run = CommuneRun("kep", settings())
        yield run, open_case(run, tmp)
    finally:
        mp.undo()


def test_a_final_is_refused_while_a_placeholder_would_be_printed(sample_run, converter):
    """GIVEN Kép's own profile (the office head, civil servants and group leaders are placeholders)
    WHEN the drafts are made THEN the placeholders read '(mẫu)'; WHEN the posting is recorded THEN the
    finals are refused in Vietnamese, naming the commune.yaml field, and the answer stays recorded."""
    run, cid = sample_run
    assert not run_issuance(run, [cid], converter)["failed"]
    draft = pdf_text(latest(run, cid, "posting_start_ubnd")["abs"])
    assert "Trần Thị Mẫu (mẫu)" in draft and "Hoàng Thị Mẫu (mẫu)" in draft
    assert "Nguyễn Văn An (mẫu)" in pdf_text(latest(run, cid, "posting_start_group:tdp01")["abs"])
    with pytest.raises(PermanentError) as err:
        actions.record_evidence(run, cid, "posting", {**POSTING, "groups": "all"}, by="vp",
                                at=at("2024-01-08 15:00"), day=dt.date(2024, 1, 8), converter=converter)
    msg = err.value.message_vi
    assert err.value.kind == "sample_value" and err.value.field == "office.head"
    assert "Không lập được bản chính thức" in msg and "dữ liệu mẫu" in msg
    assert "office.head" in msg and "communes/kep/commune.yaml" in msg and "groups[tdp01].leader" in msg
    folder = run.archive.find_case(cid)
    assert folder.case.evidence["posting"]["value"]["by"] == "Lê Thị Hoa"  # recorded; made once commune.yaml is fixed
    assert latest(run, cid, "posting_start_ubnd")["state"] == "draft"


def test_sample_final_refused_without_rendering(monkeypatch):
    """The same refusal from the builder alone (no archive, no LibreOffice)."""
    from congkhai.commune import load_commune
    from congkhai.documents.context import build_context
    from congkhai.documents.samples import with_answers

    monkeypatch.setenv("CONGKHAI_COMMUNES", str(REPO_ROOT / "communes"))
    kep = load_commune("kep")
    case = with_answers(Case(**{k: getattr(CASE, k) for k in ("commune", "issued", "subject", "doc_number",
                                                             "doc_code", "doc_type", "item")}),
                        {"posting": POSTING})
    with pytest.raises(PermanentError) as err:
        build_context("posting_start_group", kep, case=case, item=None, schedule=None, group="tdp03")
    assert err.value.field == "groups[tdp03].leader" and "Lê Thị Cúc" in err.value.message_vi
    draft = build_context("posting_start_group", kep, case=case, item=None, schedule=None, group="tdp02")
    assert draft["draft_mark"] == "DỰ THẢO" and draft["chair_name"] == "Trần Văn Bình (mẫu)"
