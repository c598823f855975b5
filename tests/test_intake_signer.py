"""Incoming signer check (issue 13, point 4): a commune document signed by someone who is not its official.

A decision of UBND thị trấn Kép signed "CHỦ TỊCH Nguyễn Văn Tuấn" (Kép's chairman is Đặng Minh Khôi)
is filed as usual but flagged (``extra.needs_review = "signer"``) with a Vietnamese note in
``review/``. Real ``process_inbox`` runs on real .docx files written by the test corpus's writer,
with the real profiles of Kép and xã Tân Hòa.
"""

from __future__ import annotations

import os
import sys
import time
import unicodedata
from pathlib import Path

import pytest

from congkhai.intake.claim import IntakeOptions, process_inbox
from congkhai.intake.signer import signature_title, title_role

sys.path.insert(0, str(Path(__file__).parent))
from corpus import make_corpus  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
FAST = IntakeOptions(stable_seconds=0, settle_seconds=0, review_threshold=0.5)
SUBJECT = ["Về việc phê duyệt danh sách công dân đủ điều kiện nhập ngũ năm 2025"]
CHAIR, VICE = make_corpus.CHAIR, make_corpus.VICE


@pytest.fixture
def env(kep_inbox_settings):
    return kep_inbox_settings


def decision(tmp_path: Path, signer: str, title=CHAIR, **kw) -> bytes:
    spec = make_corpus.Spec("d.docx", "docx", kw.pop("number", "220"), "QĐ-UBND", make_corpus.D(2024, 12, 10),
                            "QUYẾT ĐỊNH", SUBJECT, signer, item="Q4-8", title=title, **kw)
    p = tmp_path / f"{abs(hash((signer, title, spec.number)))}.docx"
    make_corpus.write_docx(spec, p)
    return p.read_bytes()


def drop(s, name: str, data: bytes) -> None:
    p = s.inbox_dir("kep") / name
    p.write_bytes(data)
    t = time.time() - 120
    os.utime(p, (t, t))


def signer_notes(s) -> list[str]:
    rv = s.review_dir("kep")
    return [p.read_text(encoding="utf-8") for p in sorted(rv.glob("*-nguoi-ky.txt"))] if rv.is_dir() else []


# ------------------------------------------------------------------ reading the title


@pytest.mark.parametrize(("lines", "title", "role"), [
    (["Nơi nhận:", "- Lưu: VT.", "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "(Đã ký)", "Đặng Minh Khôi"],
     "TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH", "chu tich"),
    (["- Lưu: VT.", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Đã ký", "“gu kới", "Nguyễn Văn Hùng"],
     "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH", "pho chu tich"),
    (["THƯ KÝ", "Ngô Thị Hoa", "CHỦ TỌA", "(Đã ký)", "Đặng Minh Khôi"], "CHỦ TỌA", None),
    (["- Lưu: VT.", "Q. CHỦ TỊCH", "Đặng Minh Khôi"], "Q. CHỦ TỊCH", None),
    (["Nội dung.", "Đặng Minh Khôi"], None, None),
])
def test_signature_title_and_role(lines, title, role):
    assert signature_title(lines, lines[-1]) == title
    assert title_role(title) == role


# ------------------------------------------------------------------ through process_inbox


def test_the_chairman_signing_is_not_flagged(env, tmp_path):
    drop(env, "qd.docx", decision(tmp_path, "Đặng Minh Khôi"))
    r = process_inbox("kep", env, options=FAST)
    assert len(r.new) == 1 and "needs_review" not in r.cases[0].extra
    assert signer_notes(env) == []


def test_names_compare_without_accents_or_case(env, tmp_path):
    drop(env, "a.docx", decision(tmp_path, "ĐẶNG MINH KHÔI", number="221"))
    drop(env, "b.docx", decision(tmp_path, unicodedata.normalize("NFD", "Đặng Minh Khôi"), number="222", nfd=True))
    r = process_inbox("kep", env, options=FAST)
    assert len(r.new) == 2 and all("needs_review" not in c.extra for c in r.cases)


def test_a_stranger_signing_as_chairman_is_filed_flagged_and_noted(env, tmp_path):
    """GIVEN Kép's decision signed "CHỦ TỊCH Nguyễn Văn Tuấn" WHEN intake runs THEN it is filed as usual,
    flagged "signer", and a Vietnamese note in review/ names Đặng Minh Khôi, the profile's chairman."""
    drop(env, "qd.docx", decision(tmp_path, "Nguyễn Văn Tuấn"))
    r = process_inbox("kep", env, options=FAST)
    assert len(r.new) == 1 and not r.review and not r.errors
    case = r.cases[0]
    assert case.signer == "Nguyễn Văn Tuấn" and case.extra["needs_review"] == "signer"
    check = case.extra["signer_check"]
    assert check["reason"] == "unknown_name" and check["expected"] == ["Đặng Minh Khôi"]
    assert check["title"] == "TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH" and check["sample"] is False
    (note,) = signer_notes(env)
    assert unicodedata.is_normalized("NFC", note)
    assert "Nguyễn Văn Tuấn" in note and "Chủ tịch UBND thị trấn Kép là: Đặng Minh Khôi" in note
    assert "VẪN được tiếp nhận" in note and "TÊN MẪU" not in note
    # the archive has it: disclosure goes on
    from congkhai.archive import Archive

    assert Archive(env.archive_root, "kep").find_case(case.case_id) is not None


def test_a_deputy_whose_profile_name_is_a_sample_gets_a_note_about_the_profile(env, tmp_path):
    """GIVEN Kép's profile with a sample vice-chairman ("Nguyễn Văn Mẫu", sample: true) WHEN a document
    "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH Nguyễn Văn Hùng" arrives THEN the note says the profile holds sample names."""
    drop(env, "qd.docx", decision(tmp_path, "Nguyễn Văn Hùng", title=VICE))
    r = process_inbox("kep", env, options=FAST)
    case = r.cases[0]
    assert case.extra["needs_review"] == "signer" and case.extra["signer_check"]["sample"] is True
    assert case.extra["signer_check"]["expected"] == ["Nguyễn Văn Mẫu"]
    (note,) = signer_notes(env)
    assert "TÊN MẪU" in note and "Văn bản có thể hoàn toàn đúng" in note


def test_an_official_signing_with_another_title_is_flagged(env, tmp_path):
    """Title vs. role: the profile's vice-chairman signing "TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH"."""
    drop(env, "qd.docx", decision(tmp_path, "Nguyễn Văn Mẫu"))
    case = process_inbox("kep", env, options=FAST).cases[0]
    check = case.extra["signer_check"]
    assert check["reason"] == "wrong_title" and check["holder_of_name"] == "Phó Chủ tịch"
    assert "Phó Chủ tịch" in signer_notes(env)[0]


def test_an_addressed_district_document_is_not_checked(env):
    """GIVEN the district's notice addressed to Kép for posting (signed by the district's deputy) WHEN
    intake runs THEN no signer flag: it is someone else's official."""
    drop(env, "tb.docx", (REPO / "samples" / "kep-2024" / "TB huyen quy hoach.docx").read_bytes())
    r = process_inbox("kep", env, options=FAST)
    assert len(r.new) == 1 and r.cases[0].extra["origin"] == "addressed"
    assert "needs_review" not in r.cases[0].extra and signer_notes(env) == []


def test_a_council_resolution_is_not_checked_against_the_committee(env, tmp_path):
    spec = make_corpus.Spec("nq.docx", "docx", "05", "NQ-HĐND", make_corpus.D(2024, 1, 8), "NGHỊ QUYẾT",
                            ["Về dự toán ngân sách nhà nước năm 2024"], "Hoàng Văn Lâm",
                            issuer_lines=make_corpus.HDND, title=make_corpus.HDND_CHAIR)
    make_corpus.write_docx(spec, tmp_path / "nq.docx")
    drop(env, "nq.docx", (tmp_path / "nq.docx").read_bytes())
    drop(env, "nq.yaml", b"item: Q1-8\n")
    r = process_inbox("kep", env, options=FAST)
    assert len(r.new) == 1 and "needs_review" not in r.cases[0].extra


def test_a_signer_confirmed_in_a_sidecar_is_not_flagged(env, tmp_path):
    drop(env, "qd.docx", decision(tmp_path, "Nguyễn Văn Tuấn"))
    drop(env, "qd.yaml", "signer: Nguyễn Văn Tuấn\n".encode())
    r = process_inbox("kep", env, options=FAST)
    assert len(r.new) == 1 and "needs_review" not in r.cases[0].extra and signer_notes(env) == []


def test_a_rural_commune_with_sample_officials_says_so(env, tmp_path):
    """xã Tân Hòa, a made-up demo commune: an unknown chairman's note blames the profile's sample names."""
    env.inbox_dir("demo-xa").mkdir(parents=True)
    spec = make_corpus.Spec("qd.docx", "docx", "12", "QĐ-UBND", make_corpus.D(2024, 3, 4), "QUYẾT ĐỊNH",
                            ["Về việc ban hành mức thu phí, lệ phí năm 2024"], "Nguyễn Văn Tuấn",
                            issuer_lines=("ỦY BAN NHÂN DÂN", "XÃ TÂN HÒA"), place="Tân Hòa")
    make_corpus.write_docx(spec, tmp_path / "qd.docx")
    p = env.inbox_dir("demo-xa") / "qd.docx"
    p.write_bytes((tmp_path / "qd.docx").read_bytes().replace("thị trấn Kép".encode(), "xã Tân Hòa".encode()))
    t = time.time() - 120
    os.utime(p, (t, t))
    r = process_inbox("demo-xa", env, options=FAST)
    assert len(r.new) == 1, (r.review, r.errors)
    check = r.cases[0].extra["signer_check"]
    assert check["expected"] == ["Lương Văn Thử"] and check["sample"] is True
    note = next(env.review_dir("demo-xa").glob("*-nguoi-ky.txt")).read_text(encoding="utf-8")
    assert "TÊN MẪU" in note and "UBND xã Tân Hòa" in note
