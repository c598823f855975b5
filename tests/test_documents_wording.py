"""Wording details a commune official would notice.

GIVEN an issuer read in capitals off a document's header WHEN a minute cites the document THEN it
reads ``của UBND thị trấn Kép``, not the header's capitals; the notice to group leaders is addressed to
``Tổ trưởng các tổ dân phố`` (``Trưởng các thôn`` in a rural xã), with no doubled words; a subject that
is an action reads ``về việc phê duyệt …``, one that names a thing ``về số liệu …`` (never ``về việc số liệu``).
"""

from __future__ import annotations

import datetime as dt

import pytest

from congkhai.case import Case
from congkhai.commune import load_commune
from congkhai.documents.context import document_ref, group_notice, issuer_name


@pytest.mark.parametrize("raw, want", [
    ("ỦY BAN NHÂN DÂN THỊ TRẤN KÉP", "UBND thị trấn Kép"),
    ("HỘI ĐỒNG NHÂN DÂN THỊ TRẤN KÉP", "HĐND thị trấn Kép"),
    ("UBND HUYỆN LẠNG GIANG", "UBND huyện Lạng Giang"),
    ("UBND thị trấn Kép", "UBND thị trấn Kép"),
    (None, "UBND thị trấn Kép"),
])
def test_issuer_in_a_sentence(raw, want):
    assert issuer_name(raw, load_commune("kep")) == want


def test_reference_and_addressee():
    case = Case(commune="kep", issued=dt.date(2024, 10, 10), subject="Số liệu dự toán quý III",
                doc_number="170", doc_code="TB-UBND", doc_type="THÔNG BÁO", issuer="ỦY BAN NHÂN DÂN THỊ TRẤN KÉP")
    kep = load_commune("kep")
    assert "của UBND thị trấn Kép về số liệu dự toán quý III" in document_ref(case, kep)  # a thing: "về"
    assert group_notice(kep, case, item=None, schedule=None, number=None)["addressee"] == "Tổ trưởng các tổ dân phố"
    xa = load_commune("demo-xa")
    assert group_notice(xa, case, item=None, schedule=None, number=None)["addressee"] == "Trưởng các thôn"


@pytest.mark.parametrize("subject, want", [
    ("Phê duyệt kết quả rà soát hộ nghèo", "về việc phê duyệt kết quả rà soát hộ nghèo"),
    ("Số liệu và thuyết minh dự toán ngân sách năm 2024", "về số liệu và thuyết minh dự toán ngân sách năm 2024"),
    ("Danh sách các nội dung đã thực hiện công khai quý I năm 2024",
     "về danh sách các nội dung đã thực hiện công khai quý I năm 2024"),
    ("Giao dự toán ngân sách năm 2024", "về việc giao dự toán ngân sách năm 2024"),
    ("Giao thông nông thôn năm 2024", "về giao thông nông thôn năm 2024"),
    ("V/v lấy ý kiến Nhân dân", "về việc lấy ý kiến Nhân dân"),
])
def test_subject_reads_naturally(subject, want):
    from congkhai.documents.context.wording import about

    assert about(subject) == want
