"""Classification of documents to items of the Kép 2024 plan (the real plan file)."""

from __future__ import annotations

import datetime as dt

import pytest

from congkhai.errors import PermanentError
from congkhai.intake.classify import classify, norm, override_item
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
    vague = classify("Về dự toán ngân sách", "NGHỊ QUYẾT", D(2024, 1, 8), plan)
    assert clear.confidence > 0.6 > vague.confidence


def test_override_must_be_a_plan_code(plan):
    assert override_item("q4-8", plan, "sidecar").item == "Q4-8"
    with pytest.raises(PermanentError) as e:
        override_item("Q9-1", plan, "folder")
    assert e.value.kind == "unknown_item" and "Q9-1" in e.value.message_vi


def test_norm():
    assert norm("Kinh tế - xã hội; NĂM 2024") == "kinh te xa hoi nam 2024"
