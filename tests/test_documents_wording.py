"""Wording details a commune official would notice.

GIVEN an issuer read in capitals off a document's header WHEN a minute cites the document THEN it
reads ``của UBND thị trấn Kép``, not the header's capitals; the notice to group leaders is addressed to
``Tổ trưởng các tổ dân phố`` (``Trưởng các thôn`` in a rural xã), with no doubled words.
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
    assert "của UBND thị trấn Kép về việc số liệu dự toán quý III" in document_ref(case, kep)
    assert group_notice(kep, case, item=None, schedule=None, number=None)["addressee"] == "Tổ trưởng các tổ dân phố"
    xa = load_commune("demo-xa")
    assert group_notice(xa, case, item=None, schedule=None, number=None)["addressee"] == "Trưởng các thôn"
