"""Cover letters (issue 13, point 1): what a document asks to post, where, by whom and for how long.

The reading (``intake.cover``) is checked on text lines with the real commune profiles of Kép (ten
numbered residential groups) and xã Tân Hòa (villages with names), on the bundled samples (a real PDF
made by LibreOffice, a real DOCX), and end to end through ``process_inbox``: the case, its pending
record and its archive manifest hold the request.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from pathlib import Path

import pytest

from congkhai.commune import load_commune
from congkhai.intake.claim import IntakeOptions, process_inbox
from congkhai.intake.cover import read_posting_request, recipients
from congkhai.intake.extract import inspect

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "samples" / "kep-2024"
FAST = IntakeOptions(stable_seconds=0, settle_seconds=0, review_threshold=0.5)
D = dt.date

HEADER = ["ỦY BAN NHÂN DÂN", "THỊ TRẤN KÉP", "_______", "Số: 245/UBND-VP", "V/v niêm yết công khai",
          "Thông báo thu hồi đất", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
          "_______", "Kép, ngày 12 tháng 8 năm 2024"]
TO = ["Kính gửi:", "- Công chức Địa chính - Xây dựng thị trấn;", "- Tổ trưởng tổ dân phố số 4, số 5."]
OPENING = ("Thực hiện Thông báo số 125/TB-UBND ngày 05/8/2024 của UBND huyện Lạng Giang về việc thu hồi đất "
           "để thực hiện dự án đường tỉnh 295 đoạn qua thị trấn Kép, Ủy ban nhân dân thị trấn Kép đề nghị:")
SIGNATURE = ["Nơi nhận:", "- Như trên;", "- Lưu: VT, ĐC.", "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "(Đã ký)",
             "Đặng Minh Khôi"]


def letter(*body: str, to: list[str] | None = None, header: list[str] | None = None) -> list[str]:
    return [*(header or HEADER), *(TO if to is None else to), *body, *SIGNATURE]


def read(lines: list[str], commune: str = "kep"):
    return read_posting_request(lines, load_commune(commune), issued=D(2024, 8, 12), own_number="245/UBND-VP")


@pytest.fixture(scope="module")
def kep():
    return load_commune("kep")


# ------------------------------------------------------------------ the 245 letter, read from text


def test_the_245_letter_is_read_with_its_groups_period_documents_and_people():
    """GIVEN công văn 245/UBND-VP (Địa chính officer + leaders of TDP 4 and 5; the district's notice of
    05/8/2024; HQ and two cultural houses; 14/8 to the end of 12/9/2024) WHEN read THEN exactly that."""
    req = read(letter(
        OPENING,
        "1. Công chức Địa chính - Xây dựng phối hợp với Tổ trưởng tổ dân phố số 4, số 5 niêm yết công khai "
        "Thông báo thu hồi đất số 125/TB-UBND ngày 05/8/2024 của UBND huyện Lạng Giang và danh sách các hộ gia "
        "đình, cá nhân có đất bị thu hồi tại trụ sở UBND thị trấn và nhà văn hóa tổ dân phố số 4, số 5.",
        "2. Thời gian niêm yết: từ ngày 14/8/2024 đến hết ngày 12/9/2024.",
        "3. Hết thời gian niêm yết, lập biên bản kết thúc, báo cáo UBND thị trấn trước ngày 16/9/2024."))
    assert req is not None
    assert req.places.hq is True and req.places.groups == ["tdp04", "tdp05"] and not req.places.all_groups
    assert (req.start, req.end, req.days) == (D(2024, 8, 14), D(2024, 9, 12), None)
    notice, lst = req.documents
    assert (notice.number, notice.type, notice.date, notice.issuer) == (
        "125/TB-UBND", "THÔNG BÁO", D(2024, 8, 5), "UBND huyện Lạng Giang")
    assert notice.subject == "thu hồi đất để thực hiện dự án đường tỉnh 295 đoạn qua thị trấn Kép"
    assert (lst.number, lst.type, lst.subject) == (None, "DANH SÁCH", "các hộ gia đình, cá nhân có đất bị thu hồi")
    assert req.responsible == ["Công chức Địa chính - Xây dựng thị trấn", "Tổ trưởng tổ dân phố số 4, số 5"]
    assert req.roles == ["dia_chinh"] and req.notes == []
    assert req.content.startswith("Thông báo thu hồi đất số 125/TB-UBND")
    json.dumps(req.to_json())  # the case keeps it as JSON


REQUEST = ("1. Đề nghị công chức Địa chính niêm yết công khai Thông báo số 125/TB-UBND ngày 05/8/2024 tại trụ sở "
           "UBND thị trấn và {where}. {when}")
PERIOD = "2. Thời gian niêm yết: từ ngày 14/8/2024 đến hết ngày 12/9/2024."


@pytest.mark.parametrize(("where", "groups"), [
    ("nhà văn hóa tổ dân phố số 4, số 5", ["tdp04", "tdp05"]),
    ("nhà văn hóa TDP số 4 và TDP số 5", ["tdp04", "tdp05"]),
    ("nhà văn hóa tổ dân phố 4, 5", ["tdp04", "tdp05"]),
    ("nhà văn hoá Tổ dân phố số 05 và Tổ dân phố số 04", ["tdp05", "tdp04"]),
    ("nhà văn hóa TỔ DÂN PHỐ SỐ 4, TỔ DÂN PHỐ SỐ 5", ["tdp04", "tdp05"]),
    ("nha van hoa to dan pho so 4 va so 5", ["tdp04", "tdp05"]),
    ("nhà văn hóa tổ 4 và tổ 5", ["tdp04", "tdp05"]),
    ("nhà văn hóa các tổ dân phố", [f"tdp{n:02d}" for n in range(1, 11)]),
    ("các nhà văn hóa của 10 tổ dân phố", [f"tdp{n:02d}" for n in range(1, 11)]),
])
def test_group_phrasings_match_the_profile_codes(where, groups):
    req = read(letter(REQUEST.format(where=where, when=""), PERIOD))
    assert req is not None and req.places.groups == groups and req.places.hq
    assert req.places.all_groups == (len(groups) == 10)
    assert (req.start, req.end) == (D(2024, 8, 14), D(2024, 9, 12))


@pytest.mark.parametrize(("when", "start", "end", "days"), [
    ("Thời gian niêm yết từ ngày 14/8/2024 đến hết ngày 12/9/2024.", D(2024, 8, 14), D(2024, 9, 12), None),
    ("Thời gian niêm yết kể từ ngày 14 tháng 8 năm 2024 đến hết ngày 12 tháng 9 năm 2024.",
     D(2024, 8, 14), D(2024, 9, 12), None),
    ("Thời gian công khai từ ngày 14/8 đến ngày 12/9/2024.", D(2024, 8, 14), D(2024, 9, 12), None),
    ("Thời gian niêm yết là 30 ngày liên tục, kể từ ngày 14/8/2024.", D(2024, 8, 14), None, 30),
    ("Thời gian niêm yết: trong thời gian 30 ngày.", None, None, 30),
])
def test_period_phrasings(when, start, end, days):
    req = read(letter(REQUEST.format(where="nhà văn hóa tổ dân phố số 4", when=when)))
    assert req is not None and req.places.groups == ["tdp04"]
    assert (req.start, req.end, req.days) == (start, end, days)


def test_the_period_may_be_its_own_numbered_request():
    """GIVEN "1. … niêm yết … tại …" then "2. Thời gian: từ ngày …" WHEN read THEN the period is taken."""
    req = read(letter(REQUEST.format(where="nhà văn hóa tổ dân phố số 4", when=""),
                      "2. Thời gian: từ ngày 14/8/2024 đến hết ngày 12/9/2024."))
    assert (req.start, req.end) == (D(2024, 8, 14), D(2024, 9, 12))


def test_a_cultural_house_without_a_number_takes_the_groups_asked():
    """GIVEN "Tổ trưởng tổ dân phố số 4, số 5 niêm yết tại nhà văn hóa tổ dân phố" WHEN read THEN TDP 4, 5."""
    req = read(letter("Đề nghị Tổ trưởng tổ dân phố số 4, số 5 niêm yết công khai Thông báo số 125/TB-UBND ngày "
                      "05/8/2024 tại nhà văn hóa tổ dân phố.", PERIOD))
    assert req.places.groups == ["tdp04", "tdp05"] and req.places.hq is False


def test_a_group_the_profile_does_not_have_is_named_in_a_note_not_invented():
    req = read(letter(REQUEST.format(where="nhà văn hóa tổ dân phố số 4, số 12", when=""), PERIOD))
    assert req.places.groups == ["tdp04"]
    assert any("12" in n for n in req.notes)


def test_a_district_date_or_a_deadline_is_not_a_posting_period():
    """Working-day deadlines and the referenced notice's date are not the posting period."""
    req = read(letter("Đề nghị công chức Địa chính niêm yết công khai Thông báo số 125/TB-UBND ngày 05/8/2024 "
                      "tại trụ sở UBND thị trấn trong thời hạn 05 ngày làm việc kể từ ngày nhận được văn bản này."))
    assert req is not None and req.places.hq
    assert (req.start, req.end, req.days) == (None, None, None)


def test_a_rural_commune_matches_its_villages_by_name():
    """GIVEN xã Tân Hòa (thôn Đông, Đoài, Nam, Bắc) WHEN a letter names "thôn Đông, thôn Đoài" THEN their codes."""
    header = ["ỦY BAN NHÂN DÂN", "XÃ TÂN HÒA", "Số: 45/UBND", "V/v niêm yết", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
              "Tân Hòa, ngày 12 tháng 8 năm 2024"]
    body = ("Đề nghị công chức Địa chính niêm yết công khai Thông báo số 12/TB-UBND ngày 05/8/2024 tại trụ sở UBND "
            "xã và nhà văn hóa {}. Thời gian niêm yết từ ngày 14/8/2024 đến hết ngày 12/9/2024.")
    tan_hoa = load_commune("demo-xa")
    for where, groups in [("thôn Đông, thôn Đoài", ["thon-dong", "thon-doai"]),
                          ("THÔN NAM và thôn bắc", ["thon-nam", "thon-bac"]),
                          ("thon Dong, Doai", ["thon-dong", "thon-doai"]),
                          ("các thôn", ["thon-dong", "thon-doai", "thon-nam", "thon-bac"])]:
        req = read_posting_request([*header, "Kính gửi: Trưởng các thôn.", body.format(where), *SIGNATURE],
                                   tan_hoa, issued=D(2024, 8, 12))
        assert req is not None and req.places.groups == groups, where
        assert req.places.hq and (req.start, req.end) == (D(2024, 8, 14), D(2024, 9, 12))


# ------------------------------------------------------------------ nothing asked, nothing guessed


def test_a_letter_asking_for_no_posting_gives_none():
    assert read(letter(OPENING, "Đề nghị các đồng chí phối hợp kiểm đếm đất đai, tài sản từ ngày 14/8/2024 đến "
                                "hết ngày 12/9/2024.")) is None


def test_asking_to_post_without_a_place_or_period_gives_none_never_a_guessed_period():
    assert read(letter("Đề nghị các tổ dân phố niêm yết công khai Thông báo số 125/TB-UBND theo quy định.")) is None


def test_a_posting_request_without_a_period_keeps_the_dates_empty():
    req = read(letter("Đề nghị công chức Địa chính niêm yết công khai Thông báo số 125/TB-UBND ngày 05/8/2024 "
                      "tại trụ sở UBND thị trấn."))
    assert req is not None and req.places.hq and req.places.groups == []
    assert (req.start, req.end, req.days) == (None, None, None)


def test_the_existing_samples_ask_for_no_posting(kep):
    """None of the 29 older samples states a posting request (the two new ones do)."""
    asked = []
    for p in sorted(SAMPLES.iterdir()):
        if p.suffix in (".pdf", ".docx") and not p.name.startswith("scan") and p.name not in (
                "cv245.pdf", "TB huyen quy hoach.docx"):
            info = inspect(p, classify=False)
            if read_posting_request(info.text.splitlines(), kep, issued=info.issued) is not None:
                asked.append(p.name)
    assert asked == []


def test_recipients_one_per_item():
    assert recipients(["Kính gửi:", "- Công chức Địa chính;", "- Tổ trưởng tổ dân phố số 4,", "số 5.",
                       "Thực hiện …"])[0] == ["Công chức Địa chính", "Tổ trưởng tổ dân phố số 4, số 5"]
    assert recipients(["Kính gửi: UBND thị trấn Kép.", "Căn cứ …"])[0] == ["UBND thị trấn Kép"]
    assert recipients(["Kính gửi: Văn phòng; Địa chính", "Căn cứ"])[0] == ["Văn phòng", "Địa chính"]
    assert recipients(["QUYẾT ĐỊNH", "Về việc …"]) == ([], 0)


# ------------------------------------------------------------------ the bundled samples


def test_sample_cover_letter_245_pdf(kep):
    """GIVEN samples/kep-2024/cv245.pdf (LibreOffice PDF, lines wrapped) WHEN read THEN the request."""
    info = inspect(SAMPLES / "cv245.pdf", classify=False)
    assert (info.doc_number, info.doc_code, info.issued) == ("245", "UBND-VP", D(2024, 8, 12))
    req = read_posting_request(info.text.splitlines(), kep, issued=info.issued, own_number="245/UBND-VP")
    assert req.places.model_dump() == {"hq": True, "groups": ["tdp04", "tdp05"], "all_groups": False}
    assert (req.start, req.end) == (D(2024, 8, 14), D(2024, 9, 12))
    assert [(d.number, d.date) for d in req.documents] == [("125/TB-UBND", D(2024, 8, 5)), (None, None)]
    assert req.responsible == ["Công chức Địa chính - Xây dựng - Đô thị và Môi trường", "Tổ trưởng tổ dân phố số 4",
                               "Tổ trưởng tổ dân phố số 5"]
    assert req.roles == ["dia_chinh"]


def test_sample_district_notice_addressed_to_the_commune(kep):
    """GIVEN the district's notice (UBND huyện Lạng Giang, "Kính gửi: Ủy ban nhân dân thị trấn Kép") WHEN
    read THEN its places (HQ, TDP 2 and 3), its period (30 days, 26/8–24/9/2024) and the decision to post."""
    info = inspect(SAMPLES / "TB huyen quy hoach.docx", classify=False)
    assert info.issuer == "ỦY BAN NHÂN DÂN HUYỆN LẠNG GIANG"
    req = read_posting_request(info.text.splitlines(), kep, issued=info.issued, own_number="310/TB-UBND")
    assert req.places.hq and req.places.groups == ["tdp02", "tdp03"]
    assert (req.start, req.end, req.days) == (D(2024, 8, 26), D(2024, 9, 24), 30)
    assert [(d.number, d.type, d.date) for d in req.documents] == [("1520/QĐ-UBND", "QUYẾT ĐỊNH", D(2024, 8, 12))]
    assert req.responsible == ["Ủy ban nhân dân thị trấn Kép"]


# ------------------------------------------------------------------ through process_inbox


@pytest.fixture
def env(kep_inbox_settings):
    return kep_inbox_settings


def drop(s, name: str, data: bytes) -> None:
    p = s.inbox_dir("kep") / name
    p.write_bytes(data)
    t = time.time() - 120
    os.utime(p, (t, t))


def test_process_inbox_files_the_cover_letter_with_its_posting_request(env):
    """GIVEN cv245.pdf and the district notice dropped WHEN intake runs THEN both cases (pending record and
    archive manifest) hold their posting request, and nothing goes to review."""
    from congkhai.archive import Archive

    drop(env, "cv245.pdf", (SAMPLES / "cv245.pdf").read_bytes())
    drop(env, "tb.docx", (SAMPLES / "TB huyen quy hoach.docx").read_bytes())
    r = process_inbox("kep", env, options=FAST)
    assert len(r.new) == 2 and not r.review and not r.errors, (r.review, r.errors)
    cases = {c.doc_number: c for c in r.cases}
    letter_case, notice_case = cases["245"], cases["310"]
    assert letter_case.item == "N-2" and notice_case.item == "N-3"
    assert notice_case.extra["origin"] == "addressed"
    pr = letter_case.posting_request
    assert pr["places"]["groups"] == ["tdp04", "tdp05"] and pr["places"]["hq"] is True
    assert (pr["start"], pr["end"]) == ("2024-08-14", "2024-09-12")
    assert pr["documents"][0]["number"] == "125/TB-UBND" and pr["documents"][0]["date"] == "2024-08-05"
    assert notice_case.posting_request["places"]["groups"] == ["tdp02", "tdp03"]
    # the manifest staff read (and correct) carries it
    folder = Archive(env.archive_root, "kep").find_case(letter_case.case_id)
    manifest = json.loads((folder.path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["case"]["posting_request"] == pr
    # neither case is flagged: Kép's chairman signed the letter; the district's signer is not checked
    assert "needs_review" not in letter_case.extra and "needs_review" not in notice_case.extra
    assert not list(env.review_dir("kep").glob("*.txt"))


def test_a_case_without_a_request_has_none(env):
    drop(env, "QD.pdf", (SAMPLES / "QD phi le phi.pdf").read_bytes())
    r = process_inbox("kep", env, options=FAST)
    assert len(r.new) == 1 and r.cases[0].posting_request is None
