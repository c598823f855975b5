"""Intake hardening (issue 12): sidecars, files still arriving, other bodies' documents, subjects, hand-off.

Every case runs the real ``process_inbox`` on real files in tmp_path with the real plan of Kép
2024 and the real commune profiles; documents are made with the test corpus's .docx writer or
taken from samples/.
"""

from __future__ import annotations

import io
import json
import os
import sys
import time
import zipfile
from pathlib import Path

import pytest

from congkhai.intake.claim import IntakeOptions, process_inbox

sys.path.insert(0, str(Path(__file__).parent))
from corpus import make_corpus  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
FAST = IntakeOptions(stable_seconds=0, settle_seconds=0, review_threshold=0.5)
D = make_corpus.D
SUBJECT = "Về việc phê duyệt danh sách công dân đủ điều kiện nhập ngũ năm 2025"


@pytest.fixture
def env(kep_inbox_settings):
    return kep_inbox_settings


def _docx(tmp_path_factory, spec: make_corpus.Spec) -> bytes:
    p = tmp_path_factory.mktemp("doc") / spec.name
    make_corpus.write_docx(spec, p)
    return p.read_bytes()


@pytest.fixture(scope="module")
def kep_docx(tmp_path_factory) -> bytes:
    """Kép's own decision (Q4-8, clearly classified)."""
    return _docx(tmp_path_factory, make_corpus.Spec("t.docx", "docx", "220", "QĐ-UBND", D(2024, 12, 10),
                                                    "QUYẾT ĐỊNH", [SUBJECT], "Đặng Minh Khôi", item="Q4-8"))


@pytest.fixture(scope="module")
def tan_dinh_docx(tmp_path_factory) -> bytes:
    """The same kind of decision, issued by another commune (UBND xã Tân Dĩnh)."""
    spec = make_corpus.Spec("td.docx", "docx", "35", "QĐ-UBND", D(2024, 12, 10), "QUYẾT ĐỊNH", [SUBJECT],
                            "Nguyễn Văn Dĩnh", issuer_lines=("ỦY BAN NHÂN DÂN", "XÃ TÂN DĨNH"), place="Tân Dĩnh")
    return rewrite(_docx(tmp_path_factory, spec), {"THỊ TRẤN KÉP": "XÃ TÂN DĨNH"})


@pytest.fixture(scope="module")
def district_letter(tmp_path_factory) -> bytes:
    """A district letter sent down to Kép ("Kính gửi: UBND thị trấn Kép") asking it to post a list."""
    spec = make_corpus.Spec(
        "h.docx", "docx", "120", "UBND-VP", D(2024, 12, 12), None,
        ["V/v niêm yết danh sách công dân được gọi nhập ngũ năm 2025"], "Lê Văn Huyện",
        issuer_lines=("ỦY BAN NHÂN DÂN", "HUYỆN LẠNG GIANG"), place="Lạng Giang",
        body_lines=("Ủy ban nhân dân huyện gửi kèm danh sách công dân được gọi nhập ngũ năm 2025.",
                    "Đề nghị Ủy ban nhân dân thị trấn tổ chức thực hiện theo quy định."))
    return rewrite(_docx(tmp_path_factory, spec),
                   {"Kính gửi: Các tổ dân phố thuộc thị trấn Kép.": "Kính gửi: UBND thị trấn Kép."})


def rewrite(docx: bytes, replace: dict[str, str]) -> bytes:
    """The .docx with text replaced in its body (one run per paragraph in the corpus)."""
    src = zipfile.ZipFile(io.BytesIO(docx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "word/document.xml":
                for old, new in replace.items():
                    data = data.replace(old.encode(), new.encode())
            z.writestr(info, data)
    return out.getvalue()


def drop(s, name: str, data: bytes, sub: str | None = None, age: float = 120, commune: str = "kep") -> Path:
    folder = s.inbox_dir(commune) / sub if sub else s.inbox_dir(commune)
    folder.mkdir(parents=True, exist_ok=True)
    p = folder / name
    p.write_bytes(data)
    if age:
        t = time.time() - age
        os.utime(p, (t, t))
    return p


def note_of(p: Path) -> str:
    return Path(str(p) + ".txt").read_text(encoding="utf-8")


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def case_folder(s, case_id: str):
    from congkhai.archive import Archive

    return Archive(s.archive_root, "kep").find_case(case_id)


# ------------------------------------------------------------------ 4, 10: sidecars are validated


@pytest.mark.parametrize(("sidecar", "field"), [
    (b"law_item: abc\n", "law_item"),
    (b"law_item: 15\n", "law_item"),
    (b"item: Q4-8\nissued: 2024-13-01\n", "issued"),
    (b"issued: 20240105\n", "issued"),
    (b"dropped: yes\n", "dropped"),
    (b"subject: [a, b]\n", "subject"),
    ("subject: 📄📄📄\n".encode(), "subject"),
    (b"signer: " + b"A" * 200 + b"\n", "signer"),
    (b"color: red\n", "color"),
])
def test_invalid_sidecar_sends_the_document_to_errors_naming_the_field(env, kep_docx, sidecar, field):
    """GIVEN a document with an invalid sidecar WHEN processed THEN it is in errors/ (not stuck in
    processing/), unaltered, the sidecar kept beside it, and the Vietnamese note names the field."""
    drop(env, "a.docx", kep_docx)
    drop(env, "a.docx.yaml", sidecar)
    r = process_inbox("kep", env, options=FAST)
    assert r.new == [] and [e["kind"] for e in r.errors] == ["bad_sidecar"], r.errors
    kept = env.errors_dir("kep") / "a.docx"
    assert kept.read_bytes() == kep_docx
    assert (env.errors_dir("kep") / "a.docx.yaml").read_bytes() == sidecar
    note = note_of(kept)
    assert f"'{field}'" in note.split("---- English ----")[0] and "Cách xử lý" in note
    assert not listing(env.processing_dir("kep")) and not listing(env.inbox_dir("kep"))


def test_fixed_sidecar_dropped_in_the_inbox_retries_the_document(env, kep_docx):
    drop(env, "a.docx", kep_docx)
    drop(env, "a.docx.yaml", b"law_item: abc\n")
    process_inbox("kep", env, options=FAST)
    drop(env, "a.docx.yaml", b"law_item: 9\n")
    r = process_inbox("kep", env, options=FAST)
    assert r.retried == ["a.docx"] and r.new == ["20241210-220-qd-ubnd"] and r.cases[0].law_item == 9


def test_yaml_alias_bomb_is_refused_before_anything_expands(env, kep_docx):
    """GIVEN a 400-byte sidecar whose aliases expand to ~800 MB WHEN processed THEN it is refused at
    once (anchors and aliases are not allowed), the document in errors/ with a note."""
    bomb = b'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + b"".join(
        f"{x}: &{x} [{','.join(['*' + p] * 9)}]\n".encode() for p, x in zip("abcdefgh", "bcdefghi", strict=True)
    ) + b"subject: *i\n"
    assert len(bomb) < 500
    drop(env, "a.docx", kep_docx)
    drop(env, "a.docx.yaml", bomb)
    t0 = time.monotonic()
    r = process_inbox("kep", env, options=FAST)
    assert time.monotonic() - t0 < 10
    assert [e["kind"] for e in r.errors] == ["bad_sidecar"]
    assert "'&' hoặc '*'" in note_of(env.errors_dir("kep") / "a.docx")


def test_a_single_alias_and_an_oversized_sidecar_are_refused(env, kep_docx):
    from congkhai.errors import PermanentError
    from congkhai.intake.sidecar import parse_sidecar

    with pytest.raises(PermanentError) as e:
        parse_sidecar("subject: &s Về việc phê duyệt danh sách\nsigner: *s\n".encode())
    assert e.value.kind == "bad_sidecar"
    with pytest.raises(PermanentError) as e:
        parse_sidecar(("subject: " + "Về việc phê duyệt " * 40 + "\n").encode())  # 720 characters
    assert e.value.field == "subject"
    assert parse_sidecar("item: 1.1\ndoc_number: 15\nsubject: ' Về  việc\tphê duyệt '\n".encode()).model_dump(
        exclude_none=True) == {"item": "1.1", "doc_number": "15", "subject": "Về việc phê duyệt"}
    drop(env, "a.docx", kep_docx)
    drop(env, "a.docx.yaml", b"# " + b"x" * (70 * 1024) + b"\nitem: Q4-8\n")
    r = process_inbox("kep", env, options=FAST)
    assert [e["kind"] for e in r.errors] == ["bad_sidecar"]
    assert "quá lớn" in note_of(env.errors_dir("kep") / "a.docx")


# ------------------------------------------------------------------ 12: sidecars are part of the record


def test_sidecar_is_kept_with_the_original_in_the_case_folder(env, kep_docx):
    """GIVEN a document with a sidecar WHEN filed THEN the sidecar's bytes are in the case folder,
    listed in its manifest, and the archive verifies clean."""
    from congkhai.archive.verify import verify

    sidecar = "item: Q4-9\nsigner: Đặng Minh Khôi\n".encode()
    drop(env, "a.docx", kep_docx)
    drop(env, "a.docx.yaml", sidecar)
    r = process_inbox("kep", env, options=FAST)
    assert r.new == ["20241210-220-qd-ubnd"] and r.cases[0].item == "Q4-9"
    folder = case_folder(env, r.new[0])
    [kept] = folder.files(key="original:tep-kem")
    assert kept.abs_path.read_bytes() == sidecar and kept.ext == "yaml"
    assert [f.abs_path.read_bytes() for f in folder.files(key="original")] == [kep_docx]
    assert verify(env.archive_root, "kep").ok
    assert not listing(env.inbox_dir("kep"))


def test_upper_case_yaml_is_a_sidecar(env, kep_docx):
    drop(env, "B.docx", kep_docx)
    drop(env, "B.docx.YAML", b"item: Q4-9\n")
    r = process_inbox("kep", env, options=FAST)
    assert r.cases[0].item == "Q4-9" and r.cases[0].extra["classified_by"] == "sidecar"
    assert not listing(env.inbox_dir("kep"))


def test_symlink_sidecar_is_refused_once_with_a_note(env, kep_docx, tmp_path):
    """GIVEN a document whose sidecar is a symlink WHEN processed twice THEN the first pass sets the
    document aside with a note and the link beside it (never followed); the second changes nothing."""
    target = tmp_path / "elsewhere.yaml"
    target.write_bytes(b"item: Q4-9\n")
    drop(env, "a.docx", kep_docx)
    (env.inbox_dir("kep") / "a.docx.yaml").symlink_to(target)
    r = process_inbox("kep", env, options=FAST)
    assert r.new == [] and [e["kind"] for e in r.errors] == ["bad_sidecar"]
    errors = env.errors_dir("kep")
    assert (errors / "a.docx.yaml").is_symlink() and target.read_bytes() == b"item: Q4-9\n"
    assert "lối tắt" in note_of(errors / "a.docx")
    before = listing(errors)
    r = process_inbox("kep", env, options=FAST)
    assert (r.errors, r.retried, r.new) == ([], [], []) and listing(errors) == before


def test_lone_symlink_sidecar_does_not_bring_a_document_back_every_scan(env, kep_docx, tmp_path):
    opts = IntakeOptions(stable_seconds=0, settle_seconds=0, review_threshold=0.99)
    drop(env, "scan.docx", kep_docx)
    assert len(process_inbox("kep", env, options=opts).review) == 1
    target = tmp_path / "t.yaml"
    target.write_bytes(b"item: Q4-8\n")
    (env.inbox_dir("kep") / "scan.yaml").symlink_to(target)
    r = process_inbox("kep", env, options=opts)
    assert r.retried == [] and [e["kind"] for e in r.errors] == ["bad_sidecar"]
    assert (env.review_dir("kep") / "scan.docx").exists() and (env.errors_dir("kep") / "scan.yaml").is_symlink()
    r = process_inbox("kep", env, options=opts)
    assert (r.errors, r.retried, r.review) == ([], [], [])


# ------------------------------------------------------------------ 5: a file still being written


def test_half_written_pdf_waits_then_is_filed_when_complete(env):
    """GIVEN half of a valid PDF just written (a copy paused mid-way) WHEN processed with no
    stability wait THEN it is reported waiting and back in the inbox, not in errors/; WHEN the copy
    completes and intake runs again THEN it is filed."""
    data = (REPO / "samples" / "kep-2024" / "QD phi le phi.pdf").read_bytes()
    p = drop(env, "QD.pdf", data[: len(data) // 2], age=0)
    r = process_inbox("kep", env, options=FAST)
    assert r.waiting == ["QD.pdf"] and r.errors == [] and r.new == []
    assert p.read_bytes() == data[: len(data) // 2] and not listing(env.errors_dir("kep"))
    assert not listing(env.processing_dir("kep"))
    with open(p, "ab") as f:
        f.write(data[len(data) // 2:])
    r = process_inbox("kep", env, options=FAST)
    assert len(r.new) == 1 and r.errors == [] and not p.exists()


def test_copy_that_keeps_the_source_mtime_waits_until_its_ctime_is_stable(env):
    """GIVEN half a PDF written by a copier that sets the source's old mtime (Explorer, cp -p) WHEN
    intake runs at once THEN it waits (its ctime is new); WHEN the copy ends and settles THEN filed."""
    data = (REPO / "samples" / "kep-2024" / "QD phi le phi.pdf").read_bytes()
    p = drop(env, "QD.pdf", data[: len(data) // 2], age=3600)
    opts = IntakeOptions(stable_seconds=1, settle_seconds=0, grace_seconds=0)
    r = process_inbox("kep", env, options=opts)
    assert r.waiting == ["QD.pdf"] and r.errors == [] and p.exists()
    with open(p, "ab") as f:
        f.write(data[len(data) // 2:])
    old = time.time() - 3600
    os.utime(p, (old, old))
    time.sleep(1.2)
    r = process_inbox("kep", env, options=opts)
    assert len(r.new) == 1 and r.errors == []


def test_a_broken_file_older_than_the_grace_period_is_quarantined(env, monkeypatch):
    data = (REPO / "samples" / "kep-2024" / "QD phi le phi.pdf").read_bytes()
    drop(env, "QD.pdf", data[: len(data) // 2], age=0)
    monkeypatch.setenv("CONGKHAI_INTAKE_STABLE_SECONDS", "0")
    monkeypatch.setenv("CONGKHAI_INTAKE_SETTLE_SECONDS", "0")
    monkeypatch.setenv("CONGKHAI_INTAKE_GRACE_SECONDS", "0")
    r = process_inbox("kep", env)
    assert [e["kind"] for e in r.errors] == ["corrupt"] and r.waiting == []


# ------------------------------------------------------------------ 6: whose document is it


@pytest.mark.parametrize("how", ["auto", "folder", "sidecar_item"])
def test_another_communes_document_goes_to_review(env, tan_dinh_docx, how):
    """GIVEN a decision issued by UBND xã Tân Dĩnh dropped in Kép's inbox (auto-classified, in an
    item folder, or with a sidecar item) WHEN processed THEN it is not filed: review, with a note
    saying whose document it is."""
    sub = "Q4-8" if how == "folder" else None
    drop(env, "td.docx", tan_dinh_docx, sub=sub)
    if how == "sidecar_item":
        drop(env, "td.docx.yaml", b"item: Q4-8\n")
    r = process_inbox("kep", env, options=FAST)
    assert r.new == [] and r.cases == [] and len(r.review) == 1, (r.errors, r.review)
    note = note_of(Path(r.review[0]["path"]))
    assert "XÃ TÂN DĨNH" in note and "không phải của UBND thị trấn Kép" in note and "issuer:" in note
    if how == "sidecar_item":
        assert (env.review_dir("kep") / "td.docx.yaml").read_bytes() == b"item: Q4-8\n"


def test_staff_confirm_another_bodys_document_with_a_sidecar_issuer(env, tan_dinh_docx):
    drop(env, "td.docx", tan_dinh_docx)
    assert len(process_inbox("kep", env, options=FAST).review) == 1
    drop(env, "td.yaml", "issuer: UBND xã Tân Dĩnh\n".encode())
    r = process_inbox("kep", env, options=FAST)
    assert r.retried == ["td.docx"] and len(r.new) == 1
    case = r.cases[0]
    assert case.issuer == "UBND xã Tân Dĩnh" and case.extra["origin"] == "confirmed"


def test_district_letter_addressed_to_the_commune_is_filed_with_its_own_issuer(env, district_letter):
    drop(env, "cv.docx", district_letter, sub="Q4-9")
    r = process_inbox("kep", env, options=FAST)
    assert len(r.new) == 1, (r.review, r.errors)
    case = r.cases[0]
    assert case.issuer == "ỦY BAN NHÂN DÂN HUYỆN LẠNG GIANG" and case.extra["origin"] == "addressed"


def test_district_letter_asking_every_commune_to_post_is_filed(env, district_letter):
    data = rewrite(district_letter, {
        "Kính gửi: UBND thị trấn Kép.": "Kính gửi: Chủ tịch UBND các xã, thị trấn.",
        "Đề nghị Ủy ban nhân dân thị trấn tổ chức thực hiện theo quy định.":
            "Đề nghị UBND các xã, thị trấn niêm yết công khai danh sách tại trụ sở."})
    drop(env, "cv.docx", data, sub="Q4-9")
    r = process_inbox("kep", env, options=FAST)
    assert len(r.new) == 1 and r.cases[0].extra["origin"] == "addressed"


def test_own_documents_still_file_and_names_compare_without_accents():
    from congkhai.commune import load_commune
    from congkhai.intake.origin import names_commune, recipients

    kep, tan_hoa = load_commune("kep"), load_commune("demo-xa")
    for text in ("UBND THỊ TRẤN KÉP", "Ủy ban nhân dân thị trấn Kép", "UBND thi tran Kep", "UBND TT. Kép"):
        assert names_commune(text, kep), text
    for text in ("UBND XÃ KÉP", "UBND xã Tân Dĩnh", "UBND huyện Lạng Giang", "thị trấn Képp"):
        assert not names_commune(text, kep), text
    assert names_commune("ỦY BAN NHÂN DÂN XÃ TÂN HÒA", tan_hoa) and not names_commune("THỊ TRẤN KÉP", tan_hoa)
    assert recipients(["V/v niêm yết", "Kính gửi:", "- UBND thị trấn Kép;", "- UBND xã Tân Dĩnh.",
                       "Căn cứ …"]) == "- UBND thị trấn Kép; - UBND xã Tân Dĩnh."


def test_kep_document_dropped_in_another_communes_inbox_goes_to_review(env):
    """The multi-commune case: Kép's decision in the inbox of xã Tân Hòa is not Tân Hòa's."""
    env.inbox_dir("demo-xa").mkdir(parents=True)
    drop(env, "QD.pdf", (REPO / "samples" / "kep-2024" / "QD phi le phi.pdf").read_bytes(), commune="demo-xa")
    r = process_inbox("demo-xa", env, options=FAST)
    assert r.new == [] and len(r.review) == 1
    assert "không phải của UBND xã Tân Hòa" in note_of(Path(r.review[0]["path"]))


# ------------------------------------------------------------------ 7: a subject that can be printed


@pytest.mark.parametrize(("text", "ok"), [
    ("Về việc phê duyệt danh sách hộ nghèo, hộ cận nghèo năm 2024", True),
    ("Tình hình phát triển kinh tế - xã hội năm 2023", True),
    ("V/v tổ chức Lễ kỷ niệm 30/4 và 1/5", True),
    ("Phát triển kinh tế - xã hội năm 2024", True),
    ("📄📄📄", False),
    ("Về việc 📄📄📄", False),
    ("", False),
    (None, False),
    ("~~ ,; ^^ lI| :: ;; ,,", False),
    ("Ⓐ∆‡¶§ ¥€ ﬁ ¤ Ⓐ∆‡¶§", False),
    ("Ph€ du¥ệt d@nh s@ch", False),
    ("a b c d e f g h i", False),
    ("Document1.docx", False),
])
def test_usable_subject(text, ok):
    from congkhai.intake.quality import usable_subject

    assert usable_subject(text) is ok


def test_unreadable_subject_goes_to_review_never_the_file_name(env, kep_docx):
    """GIVEN a decision whose subject line is emoji WHEN processed THEN review (asking for
    'subject:'), nothing filed; WHEN staff give the subject THEN it is filed with that subject."""
    drop(env, "Document1.docx", rewrite(kep_docx, {SUBJECT: "📄📄📄"}), sub="Q4-8")
    r = process_inbox("kep", env, options=FAST)
    assert r.new == [] and len(r.review) == 1 and "subject" in r.review[0]["reason"]
    assert "subject: Về việc" in note_of(Path(r.review[0]["path"]))
    drop(env, "Document1.yaml", f"subject: {SUBJECT}\n".encode(), sub="Q4-8")
    r = process_inbox("kep", env, options=FAST)
    assert len(r.new) == 1 and r.cases[0].subject == SUBJECT


# ------------------------------------------------------------------ hand-off: a case never vanishes


def test_unreadable_pending_record_is_rebuilt_from_the_archive(env, kep_docx):
    drop(env, "a.docx", kep_docx)
    [cid] = process_inbox("kep", env, options=FAST).new
    pending = env.state_dir("kep") / "intake" / "pending" / f"{cid}.json"
    pending.write_text("{not json", encoding="utf-8")
    r = process_inbox("kep", env, options=FAST)
    assert [c.case_id for c in r.cases] == [cid]
    assert json.loads(pending.read_text(encoding="utf-8"))["case_id"] == cid
    assert listing(env.state_dir("kep") / "intake" / "pending-bad") == [f"{cid}.json"]


def test_unreadable_pending_record_without_archive_case_is_set_aside_and_reported(env):
    from congkhai.intake.claim import pending_cases

    d = env.state_dir("kep") / "intake" / "pending"
    d.mkdir(parents=True)
    (d / "20241210-999-qd-ubnd.json").write_text('{"commune": "kep"}', encoding="utf-8")
    r = process_inbox("kep", env, options=FAST)
    assert r.cases == [] and [e["kind"] for e in r.errors] == ["bad_pending"]
    bad = env.state_dir("kep") / "intake" / "pending-bad"
    assert listing(bad) == ["20241210-999-qd-ubnd.json", "20241210-999-qd-ubnd.json.txt"]
    assert any("20241210-999-qd-ubnd" in n for n in listing(env.errors_dir("kep")))
    assert pending_cases("kep", env) == []  # reported once, not on every run


def test_case_folder_left_without_its_original_is_finished_not_a_new_version(env, kep_docx):
    """GIVEN the case folder of a document opened by a filing cut short before its original was
    recorded (a worker killed inside the archive write) WHEN intake files the document THEN it is a
    new case handed to the pipeline, not a "new version" that no one would ever process."""
    from congkhai.archive import Archive
    from congkhai.case import Case

    Archive(env.archive_root, "kep").open_case(Case(commune="kep", issued=D(2024, 12, 10), subject=SUBJECT,
                                                    doc_number="220", doc_code="QĐ-UBND"))
    drop(env, "a.docx", kep_docx)
    r = process_inbox("kep", env, options=FAST)
    assert r.versions == [] and r.new == ["20241210-220-qd-ubnd"]
