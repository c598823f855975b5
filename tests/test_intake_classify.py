"""Classification of documents to items of Kép's plans (the real plan files) and to the law's categories."""

from __future__ import annotations

import datetime as dt

import pytest

from congkhai.errors import PermanentError
from congkhai.intake.classify import classify, norm, override_item, plan_for
from congkhai.intake.law_categories import LAW_CATEGORIES, classify_law
from congkhai.plan import load_plan

D = dt.date


@pytest.fixture(scope="module")
def plan():
    return load_plan("kep", 2024)


@pytest.mark.parametrize(("doc_type", "subject", "issued", "item"), [
    ("KẾ HOẠCH", "Thực hiện công khai trong cơ quan hành chính nhà nước và theo Luật dân chủ ở cơ sở năm 2024",
     D(2024, 1, 5), "1.1"),
    ("BÁO CÁO", "Tình hình phát triển kinh tế - xã hội năm 2023", D(2024, 1, 15), "Q1-3"),
    ("KẾ HOẠCH", "Phát triển kinh tế - xã hội năm 2024", D(2024, 1, 18), "Q1-6"),
    ("NGHỊ QUYẾT", "Phê chuẩn quyết toán ngân sách nhà nước năm 2023", D(2024, 4, 15), "Q2-1"),
    # the same "lấy ý kiến" words in every quarter: the issue date decides
    ("KẾ HOẠCH", "Lấy ý kiến Nhân dân về dự thảo quy hoạch", D(2024, 5, 6), "Q2-3"),
    ("KẾ HOẠCH", "Lấy ý kiến Nhân dân về dự thảo quy hoạch", D(2024, 8, 6), "Q3-2"),
    ("THÔNG BÁO", "Mất Giấy chứng nhận quyền sử dụng đất của hộ ông Nguyễn Văn Tám", D(2024, 8, 1), "N-12"),
    ("QUYẾT ĐỊNH", "Về việc công nhận kết quả rà soát hộ nghèo, hộ cận nghèo năm 2024", D(2024, 11, 28), "Q4-5"),
    ("QUYẾT ĐỊNH", "Về việc tạm hoãn gọi nhập ngũ, miễn gọi nhập ngũ đối với công dân năm 2025", D(2024, 12, 18),
     "Q4-10"),
    ("BÁO CÁO", "Kết quả thực hiện các kiến nghị của Kiểm toán nhà nước", D(2024, 12, 25), "N-11"),
    ("KẾ HOẠCH", "Thu hồi đất, bồi thường, hỗ trợ, tái định cư thực hiện dự án đường tỉnh 295", D(2024, 7, 15), "N-2"),
])
def test_classify_known_subjects(plan, doc_type, subject, issued, item):
    r = classify(subject, doc_type, issued, plan)
    assert r.item == item, r.candidates
    assert r.law_item == plan.item(item).law_item
    assert 0 < r.confidence <= 1


def test_without_diacritics_or_with_ocr_slips_the_result_is_the_same(plan):
    a = classify("Danh sách công dân được gọi nhập ngũ năm 2025", "THÔNG BÁO", D(2024, 12, 16), plan)
    b = classify("Danh sach cong dan duoc goi nhap ngu nam 2025", "THONG BAO", D(2024, 12, 16), plan)
    c = classify("Danh sảch công dân đuợc gọi nhâp ngũ năm 2025", "THÔNG BÁO", D(2024, 12, 16), plan)
    assert a.item == b.item == c.item == "Q4-9"
    assert a.confidence == b.confidence


def test_unrelated_subject_has_low_confidence(plan):
    r = classify("Về việc tổ chức giải bóng đá thiếu niên hè", "KẾ HOẠCH", D(2024, 6, 1), plan)
    assert r.confidence < 0.5


def test_confident_results_score_higher_than_ambiguous_ones(plan):
    clear = classify("Danh sách công dân đủ điều kiện thực hiện nghĩa vụ tham gia Công an nhân dân năm 2025",
                     "THÔNG BÁO", D(2024, 12, 20), plan)
    # the same words name the budget execution of the year, of quarter I, of 6 months and of 9 months
    vague = classify("Về tình hình thực hiện dự toán ngân sách", "BÁO CÁO", D(2024, 4, 8), plan)
    assert clear.confidence > 0.6 > vague.confidence


def test_override_must_be_a_plan_code(plan):
    assert override_item("q4-8", plan, "sidecar").item == "Q4-8"
    with pytest.raises(PermanentError) as e:
        override_item("Q9-1", plan, "folder")
    assert e.value.kind == "unknown_item" and "Q9-1" in e.value.message_vi


def test_norm():
    assert norm("Kinh tế - xã hội; NĂM 2024") == "kinh te xa hoi nam 2024"


# ------------------------------------------------------------------ issue 15: quarter as a tie-breaker


def test_call_up_list_issued_in_january_keeps_its_q4_item_with_a_note(plan):
    """GIVEN the call-up list of January (the plan puts conscription in quarter IV)
    WHEN classified THEN it is item Q4-9 with a confident score (it used to drop to 0.34 and go to
    review), and the quarter is a note, not a doubt."""
    r = classify("Danh sách công dân được gọi nhập ngũ năm 2024", "THÔNG BÁO", D(2024, 1, 22), plan)
    assert r.item == "Q4-9" and r.law_item == 9
    assert r.confidence >= 0.7
    assert r.note_quarter and "quý IV" in r.note_quarter and "22/01/2024" in r.note_quarter
    assert "quý I)" in r.note_quarter
    # the same list in its planned quarter: the same confidence, no note
    dec = classify("Danh sách công dân được gọi nhập ngũ năm 2025", "THÔNG BÁO", D(2024, 12, 16), plan)
    assert dec.item == "Q4-9" and dec.note_quarter is None
    assert dec.confidence == r.confidence


@pytest.mark.parametrize(("issued", "item"), [
    (D(2024, 2, 20), "Q1-1"), (D(2024, 5, 6), "Q2-3"), (D(2024, 8, 6), "Q3-2"), (D(2024, 11, 12), "Q4-2"),
])
def test_items_repeated_each_quarter_are_told_apart_by_the_issue_quarter(plan, issued, item):
    """GIVEN the "lấy ý kiến Nhân dân" items, the same words in every quarter's list
    WHEN a consultation plan is classified THEN the issue quarter picks the item, confidently, and
    the other quarters' copies are not runners-up (they are one candidate)."""
    r = classify("Lấy ý kiến Nhân dân về dự thảo quy hoạch chi tiết khu dân cư số 2", "KẾ HOẠCH", issued, plan)
    assert r.item == item and r.law_item == 11
    assert r.confidence >= 0.6 and r.note_quarter is None
    codes = [c for c, _ in r.candidates]
    assert not {"Q1-1", "Q2-3", "Q3-2", "Q4-2"} - {item} & set(codes)


def test_same_wording_undated_is_suggested_but_goes_to_review(plan):
    """GIVEN the "kết quả tổng hợp ý kiến" report, repeated in all four quarters' lists
    WHEN an undated one is classified (a commune post without its date line, corpus record R47)
    THEN the first quarter's item is only the suggestion: the quarter cannot be told, so the document
    goes to review (it was filed to Q1-2 with confidence 0.7+); dated, it is filed as before."""
    from congkhai.intake.classify import REVIEW_THRESHOLD

    subject = "Kết quả tổng hợp ý kiến và giải trình, tiếp thu ý kiến của Nhân dân"
    r = classify(subject, "BÁO CÁO", None, plan)
    assert r.item == "Q1-2" and r.law_item == 11
    assert 0.2 <= r.confidence < REVIEW_THRESHOLD
    dated = classify(subject, "BÁO CÁO", D(2024, 6, 20), plan)
    assert dated.item == "Q2-4" and dated.confidence >= 0.7
    # wording the plan has once is not affected by a missing date
    once = classify("Tình hình phát triển kinh tế - xã hội năm 2023", "BÁO CÁO", None, plan)
    assert once.item == "Q1-3" and once.confidence >= REVIEW_THRESHOLD


def test_reporting_period_in_the_words_picks_the_budget_execution_item(plan):
    """Budget execution of the year, of quarter I, of 6 months and of quarter III: the period named in
    the subject decides (the issue quarter no longer does)."""
    base = "Số liệu và thuyết minh tình hình thực hiện dự toán ngân sách thị trấn"
    for tail, issued, item in (("năm 2023", D(2024, 1, 22), "Q1-4"), ("quý I năm 2024", D(2024, 4, 10), "Q2-2"),
                               ("6 tháng đầu năm 2024", D(2024, 7, 10), "Q3-1"),
                               ("quý III năm 2024", D(2024, 10, 10), "Q4-1")):
        r = classify(f"{base} {tail}", "THÔNG BÁO", issued, plan)
        assert r.item == item, (tail, r.candidates)
        assert r.confidence >= 0.5, (tail, r.confidence)


@pytest.mark.parametrize(("doc_type", "subject", "issuer"), [
    ("NGHỊ QUYẾT", "Về dự toán ngân sách nhà nước năm 2026", "HỘI ĐỒNG NHÂN DÂN THỊ TRẤN KÉP"),
    ("QUYẾT ĐỊNH", "Về việc công khai dự toán ngân sách năm 2026", "ỦY BAN NHÂN DÂN THỊ TRẤN KÉP"),
    ("QUYẾT ĐỊNH", "Về việc giao dự toán thu, chi ngân sách nhà nước năm 2026", "ỦY BAN NHÂN DÂN THỊ TRẤN KÉP"),
])
def test_kep_budget_decision_of_january_2026_goes_to_its_item(doc_type, subject, issuer):
    """GIVEN Kép's 2026 plan (a draft rolled from 2024) WHEN the budget decided in January 2026 comes
    in THEN it is item Q1-8 (the budget decided by the council), confidently, from the 2026 plan."""
    plan = plan_for("kep", D(2026, 1, 9))
    assert plan.year == 2026
    r = classify(subject, doc_type, D(2026, 1, 9), plan, issuer=issuer)
    assert (r.item, r.law_item, r.plan_year) == ("Q1-8", 2, 2026), r.candidates
    assert r.confidence >= 0.5


# ------------------------------------------------------------------ issue 15: a year without a plan


@pytest.mark.parametrize(("issued", "year"), [
    (D(2023, 6, 1), 2024),   # before the first plan: the nearest is the next one
    (D(2029, 3, 1), 2026),   # after the last plan: the last one
    (None, None),            # undated: this year's plan or the nearest
])
def test_a_year_without_a_plan_uses_the_nearest_plan(issued, year):
    plan = plan_for("kep", issued)
    assert plan is not None
    if year is not None:
        assert plan.year == year


def test_nearest_plan_prefers_the_previous_year_on_a_tie(tmp_path, monkeypatch):
    """GIVEN plans for 2022 and 2024 only WHEN a 2023 document comes THEN the 2022 plan is used."""
    from congkhai.config import settings
    from congkhai.plan import plan_file

    source = plan_file("kep", 2024).read_text(encoding="utf-8")
    monkeypatch.setenv("CONGKHAI_COMMUNES", str(tmp_path))
    (tmp_path / "kep").mkdir()
    for y in (2022, 2024):
        (tmp_path / "kep" / f"plan-{y}.yaml").write_text(source.replace("year: 2024", f"year: {y}", 1),
                                                         encoding="utf-8")
    plan = plan_for("kep", D(2023, 5, 5), settings())
    assert plan is not None and plan.year == 2022
    assert plan_for("kep", D(2024, 5, 5), settings()).year == 2024
    assert plan_for("kep", D(2021, 5, 5), settings()).year == 2022


def test_a_document_no_plan_item_fits_still_gets_its_law_category(plan):
    """A subject the plan does not list (a commune's youth football day) has no item, and the law's
    table still names what it is when the words say so: here an ordinary resident consultation."""
    r = classify("Về việc tổ chức giải bóng đá thiếu niên hè", "KẾ HOẠCH", D(2024, 6, 1), plan)
    assert r.item is None and r.confidence < 0.5
    r = classify("Về việc tổ chức đối thoại và lấy ý kiến cử tri về hương ước tổ dân phố", "KẾ HOẠCH",
                 D(2024, 6, 1), plan)
    assert r.law_item == 11


# ------------------------------------------------------------------ the law's categories


def test_law_table_has_the_fourteen_items_of_article_11():
    assert sorted(LAW_CATEGORIES) == list(range(1, 15))
    assert all(kws for _, kws in LAW_CATEGORIES.values())


@pytest.mark.parametrize(("subject", "law"), [
    ("Về việc phê duyệt danh sách hộ nghèo, hộ cận nghèo năm 2023", 7),
    ("Kết quả lấy phiếu tín nhiệm đối với người giữ chức vụ do Hội đồng nhân dân xã bầu", 10),
    ("Về việc thu hồi đất của hộ gia đình để thực hiện dự án đường giao thông", 3),
    ("Về việc công bố thủ tục hành chính thuộc thẩm quyền giải quyết của UBND xã", 13),
    ("Về việc quyết toán ngân sách xã năm 2022", 2),
    ("Hỗ trợ các hộ gia đình bị thiệt hại do cơn bão số 3", 8),
    ("Về việc thanh lý tài sản công của UBND xã", 6),
    ("Mức thu phí, lệ phí năm 2024", 12),
    ("Danh sách công dân tạm hoãn gọi nhập ngũ năm 2024", 9),
    ("Ban hành Quy chế thực hiện dân chủ ở xã", 4),
    ("Vận động nhân dân đóng góp xây dựng đường giao thông nông thôn", 5),
    ("Báo cáo tình hình kinh tế - xã hội năm 2023, phương hướng nhiệm vụ năm 2024", 1),
])
def test_law_category_from_the_table(subject, law):
    r = classify_law(subject)
    assert r.law_item == law, r.candidates
    assert r.confidence > 0.3


def test_thong_bao_is_not_a_storm():
    """Folded "thông báo" is "thong bao": the table never has the bare word "bão" (nor "dịch", "quỹ", "phí")."""
    r = classify_law("Thông báo kết quả kiểm tra hồ sơ", "THÔNG BÁO")
    assert r.law_item != 8


# ------------------------------------------------------------------ through the intake (real files)


@pytest.fixture
def inbox_env(tmp_path, monkeypatch):
    from congkhai.config import settings

    monkeypatch.setenv("CONGKHAI_DATA", str(tmp_path / "data"))
    for var in ("CONGKHAI_INBOX", "CONGKHAI_ARCHIVE", "CONGKHAI_INDEX_URL"):
        monkeypatch.delenv(var, raising=False)
    s = settings()
    s.inbox_dir("kep").mkdir(parents=True)
    return s


def _drop_docx(s, name: str, subject: str, doc_type: str, issued: dt.date, number: str, code: str,
               sidecar: bytes | None = None) -> None:
    import os
    import sys
    import time
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from corpus import make_corpus

    spec = make_corpus.Spec(name, "docx", number, code, issued, doc_type, [subject], "Đặng Minh Khôi")
    p = s.inbox_dir("kep") / name
    make_corpus.write_docx(spec, p)
    if sidecar is not None:
        (p.parent / (p.stem + ".yaml")).write_bytes(sidecar)
    old = time.time() - 60
    for f in p.parent.iterdir():
        os.utime(f, (old, old))


def _run(s):
    from congkhai.intake.claim import IntakeOptions, process_inbox

    return process_inbox("kep", s, options=IntakeOptions(stable_seconds=0, settle_seconds=0, review_threshold=0.5))


def test_intake_files_the_january_call_up_list_to_q4_9_with_a_quarter_note(inbox_env):
    """GIVEN the 22/01/2024 call-up list WHEN it goes through the intake THEN it is filed (not sent to
    review) as Q4-9, the case records the plan year and the out-of-quarter note."""
    _drop_docx(inbox_env, "ds goi nhap ngu.docx", "Danh sách công dân được gọi nhập ngũ năm 2024", "THÔNG BÁO",
               D(2024, 1, 22), "05", "TB-UBND")
    r = _run(inbox_env)
    assert r.review == [] and len(r.cases) == 1, r.review
    case = r.cases[0]
    assert (case.item, case.law_item) == ("Q4-9", 9)
    assert case.extra["plan_year"] == 2024
    assert "quý IV" in case.extra["note_quarter"]


def test_intake_of_a_year_without_a_plan_uses_the_nearest_plan(inbox_env):
    """GIVEN a 2023 document (Kép has plans for 2024–2026 only) WHEN it comes in THEN it is classified
    against the 2024 plan and filed, recording plan_year 2024 (it used to go to review: "no plan")."""
    _drop_docx(inbox_env, "kh ho ngheo 2023.docx", "Rà soát hộ nghèo, hộ cận nghèo năm 2023 trên địa bàn thị trấn",
               "KẾ HOẠCH", D(2023, 10, 16), "150", "KH-UBND")
    r = _run(inbox_env)
    assert r.review == [] and len(r.cases) == 1, r.review
    case = r.cases[0]
    assert (case.item, case.law_item, case.extra["plan_year"]) == ("Q4-4", 7, 2024)


def test_uncertain_document_of_a_year_without_a_plan_goes_to_review_with_both_suggestions(inbox_env):
    """GIVEN a 2023 document the plan's words do not settle WHEN it comes in THEN review, and the note
    names the nearest plan's candidates, that it is the 2024 plan, and the law's category."""
    from pathlib import Path

    _drop_docx(inbox_env, "tb ho tro.docx", "Về việc hỗ trợ các hộ gia đình có người có công với cách mạng",
               "THÔNG BÁO", D(2023, 7, 27), "88", "TB-UBND")
    r = _run(inbox_env)
    assert len(r.review) == 1 and r.cases == []
    note = Path(r.review[0]["path"] + ".txt").read_text(encoding="utf-8")
    assert "kế hoạch năm 2024, vì chưa có kế hoạch năm 2023" in note
    assert "khoản 7 Điều 11" in note and "law_item: 7" in note


def test_sidecar_item_null_keeps_the_law_category_of_the_table(inbox_env):
    """GIVEN 'item: null' (not in the plan) and no law_item WHEN filed THEN the law category is the
    table's (khoản 6, public assets), not the catch-all 14."""
    _drop_docx(inbox_env, "tl.docx", "Về việc thanh lý tài sản công là xe ô tô của UBND thị trấn", "QUYẾT ĐỊNH",
               D(2024, 9, 9), "170", "QĐ-UBND", sidecar=b"item: null\n")
    r = _run(inbox_env)
    assert len(r.cases) == 1, (r.review, r.errors)
    case = r.cases[0]
    assert case.item is None and case.law_item == 6


# ------------------------------------------------------------------ the corpus (issue 15, point 5)


def _corpus():
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from classify_corpus import corpus

    return corpus


def test_corpus_records_are_well_formed(plan):
    """Every real record names its source and page title; every expected item is a code of Kép's plan;
    ids and sources are unique; the synthetic records are marked as such."""
    C = _corpus()
    real, synthetic = C.load("real"), C.load("synthetic")
    assert len(real) == 49 and len(synthetic) == 38
    assert sum(r.level == "commune" for r in real) == 22
    assert len({r.id for r in real + synthetic}) == len(real) + len(synthetic)
    assert len({r.source for r in real}) == len(real)
    for r in real:
        assert r.source.startswith(("http://", "https://")) and r.title, r.id
        assert r.level in ("commune", "district", "province"), r.id
        assert r.issued or r.note, r.id  # a missing date is explained
    assert all(r.source == "synthetic" for r in synthetic)
    for r in real + synthetic:
        assert 1 <= r.expected_law <= 14, r.id
        assert r.expected_item is None or r.expected_item in plan.codes, r.id
        assert r.subject and r.body, r.id


def test_corpus_split_is_fixed_by_a_hash_of_the_source():
    """The held-out third is chosen by the SHA-256 of the source: these ids, whatever else is added."""
    C = _corpus()
    held = {r.id for r in C.load("all") if r.split == "holdout"}
    assert {"R01", "R03", "R05", "R06", "R07", "R08", "R13", "R21", "R24", "R28"} <= held
    assert not {"R02", "R04", "R15", "R18", "R27"} & held
    n = len(C.load("all"))
    assert 0.2 * n < len(held) < 0.45 * n


@pytest.mark.parametrize("kind", [
    pytest.param("real", marks=pytest.mark.xfail(
        strict=True, reason="measured: the real held-out split (22 records since the second search) is "
        "below the goals — law 86 %, item 77 %, R42 wrong and not in review; bench/classify_results.md")),
    "synthetic",
])
def test_held_out_documents_meet_the_classification_goals(kind, tmp_path):
    """GIVEN the held-out records, rendered as .docx (text only, no OCR)
    WHEN each is read by the intake and classified against Kép's plan of its year (the nearest plan
    for a year without one) THEN the law category is right for ≥ 90 %, the plan item for ≥ 80 %, and
    every wrong answer goes to review or has the right answer as runner-up.
    (bench/classify.py measures both splits with text PDFs and scans too.)"""
    C = _corpus()
    records = [r for r in C.load(kind) if r.split == "holdout"]
    fmts = {r.id: "docx" for r in records}
    files = C.build(tmp_path, records, fmts)
    outcomes = C.measure(records, files, fmts)
    s = C.summary(outcomes)
    wrong = [(o.record.id, o.law, o.item, o.confidence) for o in s["law_wrong"] + s["item_wrong"]]
    assert s["law_acc"] >= 0.9, wrong
    assert s["item_acc"] >= 0.8, wrong
    assert not s["uncovered"], [o.record.id for o in s["uncovered"]]
