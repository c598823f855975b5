"""A commune profile that changes over time (issue 15, point 7).

``commune.yaml`` keeps the history: a field is a plain value (always) or a list of periods (``from:``);
an element of ``signers``, ``civil_servants`` or ``groups`` lives ``from:`` … ``until:``, and a group
that ends says where it went (``merged_into``). ``Commune.on(day)`` is the plain profile of that day,
and the pipeline hands every document the profile of its own date:

- a chairman changing mid-year: the notices to the group leaders of a case before and of a case after
  the change carry the right chairman (real rendering, real LibreOffice, the PDF text read back); made
  again after a later change of the profile, the old documents have the same context digest;
- a group merge: a case posted before the merge gets start and end minutes for both groups (the end
  after the merge), a case after it only for the merged group;
- the incoming signer check compares with the officials of the document's date;
- the history is validated (order, overlaps, unknown group codes, a name that changes alone).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import sys
import time
import unicodedata
from pathlib import Path
from typing import Any

import pytest
import yaml
from pypdf import PdfReader, PdfWriter

from congkhai.case import Case
from congkhai.commune import Commune, load_commune
from congkhai.config import REPO_ROOT, settings
from congkhai.errors import ConfigError

sys.path.insert(0, str(Path(__file__).parent))
from corpus import make_corpus  # noqa: E402

D = dt.date
KHOI, XUAN, THIRD = "Đặng Minh Khôi", "Nguyễn Văn Xuân", "Trịnh Thị Ba"
CHANGE = D(2024, 7, 15)  # the new chairman takes office
MERGED = D(2024, 9, 30)  # the last day of tdp04: from 1 October it is part of tdp03


def kep_raw() -> dict[str, Any]:
    return yaml.safe_load((REPO_ROOT / "communes" / "kep" / "commune.yaml").read_text(encoding="utf-8"))


def with_new_chairman(d: dict[str, Any], name: str = XUAN, since: dt.date = CHANGE) -> dict[str, Any]:
    """The chairman changes on ``since``: ``chairman`` as periods, the chairman signers with dates."""
    title = "Chủ tịch UBND thị trấn"
    if isinstance(d["chairman"], dict):
        d["chairman"] = [{**d["chairman"]}]
    d["chairman"].append({"name": name, "title": title, "from": since})
    for s in d["signers"]:
        if s["role"] == "chairman" and "until" not in s:
            s["until"] = since - dt.timedelta(days=1)
    d["signers"].append({"role": "chairman", "name": name, "title": "Chủ tịch", "sign_as": "TM. ỦY BAN NHÂN DÂN",
                         "from": since})
    return d


def with_merge(d: dict[str, Any]) -> dict[str, Any]:
    """tdp04 ends on 30/09/2024, merged into tdp03 (which takes a new name and leader from 1 October)."""
    groups = d["groups"]
    g4 = next(g for g in groups if g["code"] == "tdp04")
    g4.update(until=MERGED, merged_into="tdp03")
    g3 = next(g for g in groups if g["code"] == "tdp03")
    g3["until"] = MERGED
    groups.append({**{k: v for k, v in g3.items() if k != "until"}, "name": "Tổ dân phố số 3 (sáp nhập tổ 4)",
                   "leader": "Phạm Văn Dũng", "from": MERGED + dt.timedelta(days=1)})
    return d


def write_profile(communes: Path, d: dict[str, Any]) -> Path:
    path = communes / "kep" / "commune.yaml"
    path.write_text(yaml.safe_dump(d, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def env(tmp_path, monkeypatch):
    """A private installation: a copy of the communes folder, empty data, inbox and archive."""
    shutil.copytree(REPO_ROOT / "communes", tmp_path / "communes")
    for var, sub in (("CONGKHAI_COMMUNES", "communes"), ("CONGKHAI_DATA", "data"),
                     ("CONGKHAI_INBOX", "inbox"), ("CONGKHAI_ARCHIVE", "archive")):
        monkeypatch.setenv(var, str(tmp_path / sub))
    for var in ("CONGKHAI_INDEX_URL", "GOTENBERG_URL", "CONGKHAI_ONLY_COMMUNES"):
        monkeypatch.delenv(var, raising=False)
    return tmp_path


# ------------------------------------------------------------------------------------ the model


def test_a_profile_without_history_is_the_same_every_day():
    """GIVEN the shipped profiles (plain values) WHEN resolved on any day THEN the very same profile."""
    for code in ("kep", "demo-xa"):
        c = load_commune(code)
        assert c.changes == () and c.on(D(2019, 1, 1)) is c and c.on(D(2030, 6, 1)) is c
        assert [p for _, _, p in c.periods()] == [c]


def test_chairman_periods_and_snapshots():
    """GIVEN a chairman changing on 15/07/2024 WHEN resolved THEN each day has its chairman (also as
    the chairman signer), the loaded profile holds the newest, one snapshot object per period."""
    c = Commune.model_validate(with_new_chairman(kep_raw()))
    assert c.changes == (CHANGE,)
    assert c.chairman.name == XUAN and c.signer().name == XUAN  # the newest values
    before, after = c.on(D(2024, 3, 1)), c.on(D(2024, 9, 1))
    assert (before.chairman.name, before.signer().name) == (KHOI, KHOI)
    assert (after.chairman.name, after.signer().name) == (XUAN, XUAN)
    assert c.on(D(2019, 1, 1)).chairman.name == KHOI  # the first value also holds before its date
    assert c.on(CHANGE - dt.timedelta(days=1)) is before and c.on(CHANGE) is after
    assert before.wording()["chairman_name"] == KHOI and before.changes == (CHANGE,)
    assert [(a, b, p.chairman.name) for a, b, p in c.periods()] == [
        (None, D(2024, 7, 14), KHOI), (CHANGE, None, XUAN)]
    assert before.signer("vice_chairman").name == "Nguyễn Văn Mẫu"  # what did not change stays


def test_group_merge_periods_and_the_groups_of_a_posting():
    """GIVEN tdp04 merged into tdp03 after 30/09/2024 WHEN resolved THEN 10 groups before, 9 after (tdp03
    renamed, in its place in the list); a posting started before the merge keeps its 10 groups on a
    later day; a merged group's code still resolves (its last version), and says where it went."""
    c = Commune.model_validate(with_merge(kep_raw()))
    before, after = c.on(MERGED), c.on(MERGED + dt.timedelta(days=1))
    assert [g.code for g in before.groups] == [f"tdp{i:02d}" for i in range(1, 11)]
    assert [g.code for g in after.groups] == [f"tdp{i:02d}" for i in range(1, 11) if i != 4]
    assert after.group("tdp03").name == "Tổ dân phố số 3 (sáp nhập tổ 4)"
    assert before.group("tdp03").name == "Tổ dân phố số 3"
    assert after.group("tdp04").name == "Tổ dân phố số 4"  # not a member any more: as it was last
    assert c.group_ended("tdp04") == ("merged_into", ("tdp03",), MERGED)
    spanning = c.on(D(2024, 10, 17), groups_on=D(2024, 9, 17))
    assert [g.code for g in spanning.groups] == [g.code for g in before.groups]
    assert spanning.group("tdp03").name == "Tổ dân phố số 3 (sáp nhập tổ 4)"  # as it is on the day


def test_a_name_and_kind_change():
    """GIVEN thị trấn Kép becoming xã Kép on 01/07/2025, its names dated with it WHEN resolved THEN the
    wording of each period (thôn after, tổ dân phố before)."""
    d = kep_raw()
    d["kind"] = [{"value": "thi_tran"}, {"value": "xa", "from": D(2025, 7, 1)}]
    d["name"] = [{"value": "thị trấn Kép"}, {"value": "xã Kép", "from": D(2025, 7, 1)}]
    for key in ("body_name_upper", "body_short"):
        d.pop(key)  # derived from the name in every period
    d["council"]["name"] = [{"value": "Hội đồng nhân dân thị trấn Kép"},
                            {"value": "Hội đồng nhân dân xã Kép", "from": D(2025, 7, 1)}]
    d["office"] = [d["office"], {**d["office"], "name": "Văn phòng HĐND và UBND xã Kép", "from": D(2025, 7, 1)}]
    d["radio"] = [d["radio"], {"has_radio": True, "name": "Đài truyền thanh xã Kép", "from": D(2025, 7, 1)}]
    c = Commune.model_validate(d)
    old, new = c.on(D(2025, 6, 30)), c.on(D(2025, 7, 1))
    assert old.body_name_upper == "ỦY BAN NHÂN DÂN THỊ TRẤN KÉP" and old.group_word == "tổ dân phố"
    assert new.body_name_upper == "ỦY BAN NHÂN DÂN XÃ KÉP" and new.group_word == "thôn"
    assert new.council_name == "Hội đồng nhân dân xã Kép" and new.body_short == "UBND xã Kép"


def _bad(mutate) -> str:
    d = kep_raw()
    mutate(d)
    with pytest.raises(Exception) as exc:  # noqa: PT011 - pydantic's ValidationError, checked by its text
        Commune.model_validate(d)
    return str(exc.value)


@pytest.mark.parametrize(("mutate", "needle"), [
    (lambda d: with_new_chairman(d)["chairman"][1].pop("from"), "chairman[1]: thiếu 'from:'"),
    (lambda d: d.update(chairman=[{**d["chairman"], "from": D(2024, 5, 1)},
                                  {**d["chairman"], "from": D(2024, 1, 1)}]), "tăng dần"),
    (lambda d: d.update(chairman=[{**d["chairman"], "until": D(2024, 5, 1)}]), "không dùng 'until:'"),
    (lambda d: d.update(place=[{"place": "Kép"}]), "'value:'"),
    (lambda d: with_new_chairman(d)["signers"][0].pop("until"), "'chairman' có hai mục cùng hiệu lực"),
    (lambda d: d["groups"].append({**d["groups"][0], "from": D(2024, 3, 1)}), "'tdp01' có hai mục cùng hiệu lực"),
    (lambda d: d["groups"][3].update(until=MERGED, merged_into="tdp99"), "không có thôn/tổ dân phố mã 'tdp99'"),
    (lambda d: d["groups"][3].update(merged_into="tdp03"), "'merged_into' cần 'until:'"),
    (lambda d: (d["groups"][3].update(until=MERGED, merged_into="tdp03"), d["groups"][2].update(until=MERGED)),
     "mã 'tdp03' còn hiệu lực ngày 01/10/2024"),
    (lambda d: d["groups"][3].update({"from": D(2024, 5, 1), "until": D(2024, 4, 1)}), "trước 'from"),
    (lambda d: d["groups"][3].update({"until": "30/09/2024"}), "không phải ngày dạng YYYY-MM-DD"),
    (lambda d: d.update(chairman=[d["chairman"], {"name": XUAN, "title": "Chủ tịch", "from": CHANGE}]),
     "người ký vai trò chairman là 'Đặng Minh Khôi'"),
    (lambda d: d.update(name=[{"value": "thị trấn Kép"}, {"value": "xã Kép", "from": D(2025, 7, 1)}]),
     "'body_name_upper' vẫn là"),
    (lambda d: d["groups"].append({"code": "tdp11", "name": "Tổ 11", "leader": "A", "from": D(2024, 5, 1)}),
     "cultural_house"),
])
def test_an_inconsistent_history_is_refused_naming_what_to_fix(mutate, needle):
    assert needle in _bad(mutate)


def test_load_commune_names_the_file_and_the_problem(env):
    """GIVEN a dated commune.yaml whose merged group names an unknown code WHEN loaded THEN a ConfigError
    names the file and the field in Vietnamese; a correct dated file loads and resolves."""
    d = with_merge(with_new_chairman(kep_raw()))
    write_profile(env / "communes", d)
    c = load_commune("kep")
    assert c.on(D(2024, 8, 1)).chairman.name == XUAN and len(c.on(D(2024, 10, 1)).groups) == 9
    d["groups"][3]["merged_into"] = "tdp99"
    path = write_profile(env / "communes", d)
    with pytest.raises(ConfigError) as exc:
        load_commune("kep")
    assert str(path) in exc.value.message_vi and "groups[tdp04].merged_into" in exc.value.message_vi


def test_the_shipped_profiles_document_the_dated_form():
    """The comment of Kép's commune.yaml shows the form (and the file stays plain: nothing changes)."""
    text = (REPO_ROOT / "communes" / "kep" / "commune.yaml").read_text(encoding="utf-8")
    assert "merged_into" in text and "from:" in text
    assert load_commune("kep").changes == ()


# -------------------------------------------------------------------- through the pipeline (slow)


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def pdf_text(path: Path) -> str:
    return flat(" ".join(p.extract_text() or "" for p in PdfReader(path).pages))


def blank_pdf(path: Path) -> Path:
    w = PdfWriter()
    w.add_blank_page(595, 842)
    w.write(path)
    return path


def open_case(run, tmp: Path, issued: dt.date, number: str) -> str:
    case = Case(commune="kep", issued=issued, subject=f"Phê duyệt danh sách hộ nghèo, hộ cận nghèo đợt {number}",
                doc_number=number, doc_code="QĐ-UBND", doc_type="QUYẾT ĐỊNH", item="Q4-5", law_item=7,
                dropped=issued)
    run.archive.open_case(case).add_original(blank_pdf(tmp / f"orig-{number}.pdf"))
    return case.case_id


def pdfs(run, cid: str) -> dict[str, Path]:
    folder = run.archive.find_case(cid)
    return {f["key"]: folder.path / f["path"] for f in folder.manifest["files"]
            if f["path"].endswith(".pdf") and f["kind"] != "original"}


@pytest.fixture(scope="module")
def converter():
    from congkhai.convert import get_converter

    with get_converter() as conv:
        yield conv


@pytest.mark.slow
def test_a_chairman_changing_mid_year_signs_the_documents_of_his_dates(env, converter):
    """GIVEN Kép's chairman Đặng Minh Khôi until 14/07/2024, Nguyễn Văn Xuân from 15/07/2024, and two
    decisions (March, September) WHEN their posting documents are made THEN the notice to the group
    leaders of each is signed by the chairman of its date; AND WHEN the profile later records a third
    chairman (from 2025) THEN making them again gives the same contexts: nothing new is filed."""
    from congkhai.pipeline.context import CommuneRun
    from congkhai.pipeline.issuance import issuance_specs, run_issuance
    from congkhai.pipeline.produce import produce

    write_profile(env / "communes", with_new_chairman(kep_raw()))
    run = CommuneRun("kep", settings())
    march, sept = open_case(run, env, D(2024, 3, 5), "31"), open_case(run, env, D(2024, 9, 10), "132")
    done = run_issuance(run, [march, sept], converter)
    assert not done["failed"]
    old, new = pdf_text(pdfs(run, march)["group_notice"]), pdf_text(pdfs(run, sept)["group_notice"])
    assert KHOI in old and XUAN not in old
    assert XUAN in new and KHOI not in new

    filed = {cid: {f["key"]: f["inputs_digest"] for f in run.archive.find_case(cid).manifest["files"]
                   if f["path"].endswith(".pdf") and f["kind"] != "original"} for cid in (march, sept)}
    write_profile(env / "communes", with_new_chairman(with_new_chairman(kep_raw()), THIRD, D(2025, 1, 1)))
    again = CommuneRun("kep", settings())
    assert again.commune.chairman.name == THIRD
    for cid in (march, sept):
        specs = issuance_specs(again, again.archive.find_case(cid))
        assert {s.key: s.digest for s in specs} == filed[cid]
        assert produce(again, specs, converter, changed=True).filed == []  # same context: not remade


@pytest.mark.slow
def test_a_group_merge_changes_the_minutes_of_later_cases_only(env, converter):
    """GIVEN tdp04 merged into tdp03 after 30/09/2024 and two decisions, one posted on 17/09 (its 30 days
    end after the merge), one in October WHEN their posting documents and, after the end, the end
    minutes are made THEN the first case has start and end minutes at both groups' cultural houses (10
    groups), the second only at the 9 groups of October, tdp03 under its new name."""
    from congkhai.pipeline.calendar_jobs import run_daily
    from congkhai.pipeline.context import CommuneRun
    from congkhai.pipeline.issuance import run_issuance

    write_profile(env / "communes", with_merge(kep_raw()))
    run = CommuneRun("kep", settings())
    before, after = open_case(run, env, D(2024, 9, 16), "120"), open_case(run, env, D(2024, 10, 15), "140")
    assert not run_issuance(run, [before, after], converter)["failed"]
    end = run.schedule_of(run.archive.find_case(before).case).posting_end
    assert end > MERGED
    daily = run_daily(run, run.calendar.next_working_day(end), converter)
    assert not daily["failed"]

    made = pdfs(run, before)
    starts = {k.split(":")[1] for k in made if k.startswith("posting_start_group:")}
    ends = {k.split(":")[1] for k in made if k.startswith("posting_end:")}
    assert starts == ends == {f"tdp{i:02d}" for i in range(1, 11)}
    assert "Tổ dân phố số 4" in pdf_text(made["posting_end:tdp04"])
    later = pdfs(run, after)
    assert {k.split(":")[1] for k in later if k.startswith("posting_start_group:")} == {
        f"tdp{i:02d}" for i in range(1, 11) if i != 4}
    assert "Tổ dân phố số 3 (sáp nhập tổ 4)" in pdf_text(later["posting_start_group:tdp03"])
    assert "Tổ dân phố số 3 (sáp nhập tổ 4)" not in pdf_text(made["posting_start_group:tdp03"])


# ------------------------------------------------------------------------- the signer at intake


def _drop_decision(s, tmp: Path, signer: str, issued: dt.date, number: str) -> None:
    spec = make_corpus.Spec("d.docx", "docx", number, "QĐ-UBND", issued, "QUYẾT ĐỊNH",
                            ["Về việc phê duyệt danh sách công dân đủ điều kiện nhập ngũ năm 2025"], signer,
                            item="Q4-8", title=make_corpus.CHAIR)
    src = tmp / f"qd-{number}.docx"
    make_corpus.write_docx(spec, src)
    dest = s.inbox_dir("kep") / src.name
    dest.write_bytes(src.read_bytes())
    t = time.time() - 120
    os.utime(dest, (t, t))


def test_the_signer_is_checked_against_the_officials_of_the_documents_date(env):
    """GIVEN the chairman changing on 15/07/2024 WHEN decisions signed "CHỦ TỊCH" arrive THEN Khôi in May
    and Xuân in September pass; Khôi in September and Xuân in May are flagged, and the note says when
    the profile gives them the post."""
    from congkhai.intake.claim import IntakeOptions, process_inbox

    write_profile(env / "communes", with_new_chairman(kep_raw()))
    s = settings()
    s.inbox_dir("kep").mkdir(parents=True)
    for signer, issued, number in ((KHOI, D(2024, 5, 10), "101"), (XUAN, D(2024, 9, 10), "102"),
                                   (KHOI, D(2024, 9, 11), "103"), (XUAN, D(2024, 5, 13), "104")):
        _drop_decision(s, env, signer, issued, number)
    r = process_inbox("kep", s, options=IntakeOptions(stable_seconds=0, settle_seconds=0))
    by_number = {c.doc_number: c for c in r.cases}
    assert sorted(by_number) == ["101", "102", "103", "104"], (r.review, r.errors)
    assert "needs_review" not in by_number["101"].extra and "needs_review" not in by_number["102"].extra
    late, early = by_number["103"].extra["signer_check"], by_number["104"].extra["signer_check"]
    assert late["expected"] == [XUAN] and late["other_terms"] == ["Chủ tịch đến 14/07/2024"]
    assert early["expected"] == [KHOI] and early["other_terms"] == ["Chủ tịch từ 15/07/2024"]
    notes = {p.name: p.read_text(encoding="utf-8") for p in s.review_dir("kep").glob("*-nguoi-ky.txt")}
    note = next(t for n, t in notes.items() if by_number["104"].case_id in n)
    assert f"vào ngày 13/05/2024 là: {KHOI}" in note
    assert f"Hồ sơ đơn vị ghi {XUAN} là: Chủ tịch từ 15/07/2024" in note and unicodedata.is_normalized("NFC", note)

