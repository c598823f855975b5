"""The commune profile and the yearly plan: loading, wording, validation errors, the law check."""

from __future__ import annotations

import re
import shutil
import unicodedata
from pathlib import Path

import pytest
import yaml

from congkhai.commune import load_commune
from congkhai.config import settings
from congkhai.errors import ConfigError, UsageError
from congkhai.plan import CHANNEL_KINDS, UnknownItem, check_plan, load_plan
from congkhai.textutil import fold

REPO = Path(__file__).resolve().parent.parent
SEED = Path("/work/shared/seed/000_a9a4d42fdac68342.txt")

EXPECTED_CODES = (
    [f"1.{i}" for i in range(1, 9)]
    + [f"Q1-{i}" for i in range(1, 11)]
    + [f"Q2-{i}" for i in range(1, 6)]
    + [f"Q3-{i}" for i in range(1, 5)]
    + [f"Q4-{i}" for i in range(1, 14)]
    + [f"U-{i}" for i in range(1, 8)]
    + [f"N-{i}" for i in range(1, 15)]
)


@pytest.fixture()
def communes(tmp_path, monkeypatch) -> Path:
    """A private copy of the repository's communes folder (tests may edit it)."""
    dest = tmp_path / "communes"
    shutil.copytree(REPO / "communes", dest)
    monkeypatch.setenv("CONGKHAI_COMMUNES", str(dest))
    return dest


def test_kep_profile_wording():
    """GIVEN the Kép profile WHEN loaded THEN the document wording is the town's."""
    c = load_commune("kep")
    assert c.kind == "thi_tran"
    assert c.name == "thị trấn Kép"
    assert c.body_name_upper == "ỦY BAN NHÂN DÂN THỊ TRẤN KÉP"
    assert c.body_short == "UBND thị trấn Kép"
    assert c.superior == "UBND huyện Lạng Giang"
    assert c.superior_upper == "UBND HUYỆN LẠNG GIANG"
    assert c.place == "Kép"
    assert c.chairman.name == "Đặng Minh Khôi"
    assert c.signer("chairman").name == "Đặng Minh Khôi"
    assert c.signer("chairman").sign_as == "TM. ỦY BAN NHÂN DÂN"
    assert (c.unit_word, c.group_word, c.group_word_upper) == ("thị trấn", "tổ dân phố", "TỔ DÂN PHỐ")
    assert c.group_leader_title == "Tổ trưởng tổ dân phố"
    assert c.has_radio and c.radio_name == "Đài truyền thanh thị trấn Kép"
    assert len(c.groups) == 10 and c.groups_sample
    assert c.group("tdp01").name == "Tổ dân phố số 1"
    assert c.group("tdp01").cultural_house.startswith("Nhà văn hóa")
    assert c.sessions(2024) and all(d.year == 2024 for d in c.sessions(2024))
    assert c.counting.first_day_counted is False and c.counting.deadline_working_days == 5


def test_demo_xa_is_a_rural_commune_with_thon():
    """GIVEN the made-up demo xã WHEN loaded THEN the wording says xã / thôn and there is no radio."""
    c = load_commune("demo-xa")
    assert c.demo and c.kind == "xa"
    assert c.body_name_upper == "ỦY BAN NHÂN DÂN XÃ TÂN HÒA"
    assert c.body_short == "UBND xã Tân Hòa"
    assert (c.unit_word, c.group_word, c.group_word_upper) == ("xã", "thôn", "THÔN")
    assert c.group_leader_title == "Trưởng thôn"
    assert not c.has_radio and c.radio_name is None
    assert c.groups[0].name == "Thôn Đông"
    assert "Kép" not in c.model_dump_json()


def test_civil_servant_lookup():
    c = load_commune("kep")
    assert c.civil_servant_for(law_item=9).role == "quan_su"
    assert c.civil_servant_for(role="cong_an").role == "quan_su"
    assert c.civil_servant_for(role="tai_chinh").title.startswith("Công chức Tài chính")
    with pytest.raises(ConfigError):
        c.signer("nobody")
    with pytest.raises(ConfigError):
        c.group("tdp99")


@pytest.mark.parametrize("commune", ["kep", "demo-xa"])
def test_plan_has_all_61_items_with_stable_codes(commune):
    p = load_plan(commune, 2024)
    assert p.codes == EXPECTED_CODES
    assert len(p.items) == 61
    for it in p.items:
        assert unicodedata.is_normalized("NFC", it.title)
        assert 1 <= it.law_item <= 14
        assert it.channels and all(ch.kind in CHANNEL_KINDS for ch in it.channels)
        assert it.keywords, it.code
        assert all(k == fold(k) for k in it.keywords), it.code
        assert it.responsible


@pytest.mark.skipif(not SEED.is_file(), reason="seed plan not on this machine")
def test_kep_titles_are_the_seed_wording():
    """Every title appears verbatim in the seed plan (whitespace and page breaks aside)."""
    seed = " ".join(unicodedata.normalize("NFC", SEED.read_text(encoding="utf-8")).split())
    for it in load_plan("kep", 2024).items:
        assert it.title in seed, it.code


def test_plan_sections_timing_and_permanence():
    p = load_plan("kep", 2024)
    assert [i.code for i in p.items_in("q2")] == [f"Q2-{i}" for i in range(1, 6)]
    assert p.item("Q3-1").quarter == 3 and p.item("U-1").quarter is None
    assert p.item("N-1").section == "non_recurring" and p.item("U-7").section == "unknown_timing"
    # regular items 1.1-1.7 are permanent postings replaced in January; 1.8 is a 90-day quarterly list
    for code in ("1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "1.7"):
        assert p.item(code).permanent and p.item(code).timing.january_repost, code
    q = p.item("1.8")
    assert not q.permanent
    assert q.timing.rule == "quarter_start" and q.timing.window == (1, 5)
    assert q.channel("ubnd_board").days == 90
    assert p.item("1.4").has("one_stop_frame") and not p.item("1.4").has("ubnd_board")
    assert p.item("1.3").has("staff")
    s2 = p.item("Q4-9")
    assert s2.law_item == 9
    assert [c.kind for c in s2.channels] == ["portal", "ubnd_board", "cultural_house", "radio", "group_leaders"]
    assert s2.channel("ubnd_board").duration == "consecutive_days" and s2.channel("ubnd_board").days == 30
    assert s2.channel("radio").duration == "broadcast_days" and s2.radio_days == 3
    assert s2.channel("portal").duration == "once"
    assert s2.timing.working_days == 5
    assert p.item("q1-8").code == "Q1-8"  # codes are matched case-insensitively


def test_keywords_help_classification():
    p = load_plan("kep", 2024)
    text = fold("QUYẾT ĐỊNH Về việc giao dự toán ngân sách năm 2024 ... Dự toán ngân sách đã được Hội đồng nhân dân quyết định")
    hits = [i.code for i in p.items if any(k in text for k in i.keywords)]
    assert "Q1-8" in hits


def test_unknown_item_names_the_code():
    p = load_plan("kep", 2024)
    with pytest.raises(UnknownItem) as exc:
        p.item("Q9-9")
    assert "Q9-9" in str(exc.value) and isinstance(exc.value, UsageError)


def test_missing_commune_and_missing_plan(communes):
    with pytest.raises(ConfigError) as exc:
        load_commune("nowhere")
    assert exc.value.kind == "unknown_commune"
    with pytest.raises(ConfigError) as exc:
        load_plan("nowhere", 2024)
    assert exc.value.kind == "unknown_commune"
    with pytest.raises(ConfigError) as exc:
        load_plan("kep", 2031)
    assert exc.value.kind == "missing_plan" and "2031" in str(exc.value)


def _edit_plan(communes: Path, mutate) -> Path:
    path = communes / "kep" / "plan-2024.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    mutate(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _item(data, code):
    return next(i for i in data["items"] if i["code"] == code)


def test_validation_error_names_file_item_and_field(communes):
    """GIVEN a plan whose item 1.4 has a posting without a duration WHEN loaded THEN the error
    names the file, the item and the field, in Vietnamese and English."""
    path = _edit_plan(communes, lambda d: _item(d, "1.4")["channels"].__setitem__(1, {"kind": "one_stop_frame"}))
    with pytest.raises(ConfigError) as exc:
        load_plan("kep", 2024)
    msg = str(exc.value)
    assert str(path) in msg
    assert "mục 1.4" in msg and "item 1.4" in msg
    assert "channels[1]" in msg
    assert exc.value.kind == "bad_plan"


@pytest.mark.parametrize(
    ("mutate", "needle"),
    [
        (lambda d: _item(d, "Q1-3").__setitem__("law_item", 15), "law_item"),
        (lambda d: _item(d, "Q1-3").__setitem__("code", "Q2-99"), "Q2-99"),
        (lambda d: _item(d, "N-2").__setitem__("channels", [{"kind": "fax"}]), "channels[0]"),
        (lambda d: _item(d, "N-2").__setitem__("channels", "nope"), "nope"),
        (lambda d: _item(d, "U-1").pop("title"), "title"),
        (lambda d: _item(d, "U-1").__setitem__("channels", [{"kind": "radio", "permanent": True}]), "radio"),
        (lambda d: d["items"].append(dict(_item(d, "U-1"))), "duplicate"),
    ],
)
def test_invalid_plans_are_rejected(communes, mutate, needle):
    _edit_plan(communes, mutate)
    with pytest.raises(ConfigError) as exc:
        load_plan("kep", 2024)
    assert needle in str(exc.value)


def test_bad_yaml_says_the_line(communes):
    path = communes / "kep" / "plan-2024.yaml"
    path.write_text("items: [\n  - x: {\n", encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        load_plan("kep", 2024)
    assert "YAML" in str(exc.value)


def test_plan_cache_follows_the_file(communes):
    a = load_plan("kep", 2024)
    assert load_plan("kep", 2024) is a  # cached
    _edit_plan(communes, lambda d: _item(d, "Q1-3").__setitem__("title", "Báo cáo đã sửa"))
    b = load_plan("kep", 2024)
    assert b is not a and b.item("Q1-3").title == "Báo cáo đã sửa"


def test_channel_describe_uses_commune_wording():
    c = load_commune("demo-xa")
    ch = load_plan("kep", 2024).item("Q1-1").channel("cultural_house")
    assert ch.describe(c) == "Niêm yết 30 ngày, tại Bản tin công khai ở nhà văn hóa của các thôn"
    radio = load_plan("kep", 2024).item("Q1-1").channel("radio")
    assert radio.describe(load_commune("kep")).endswith("trên hệ thống truyền thanh của thị trấn")


# --- the law check ---------------------------------------------------------------------------
@pytest.mark.parametrize("commune", ["kep", "demo-xa"])
def test_shipped_plans_pass_the_law_check(commune):
    findings = check_plan(load_plan(commune, 2024), load_commune(commune))
    assert [f for f in findings if f.severity == "error"] == []
    # the regulations posted at the UBND only are named as warnings
    assert {f.item for f in findings if f.rule == "cultural_house"} == {"1.3", "1.4", "1.5", "1.6", "1.7"}


def _check(communes, mutate):
    _edit_plan(communes, mutate)
    return check_plan(load_plan("kep", 2024), load_commune("kep"))


def test_check_flags_short_posting(communes):
    f = _check(communes, lambda d: _item(d, "Q4-5").__setitem__(
        "channels", ["portal", {"kind": "ubnd_board", "days": 20}, {"kind": "cultural_house", "days": 30},
                     {"kind": "radio", "days": 3}, "group_leaders"]))
    errs = [x for x in f if x.severity == "error"]
    assert [(x.item, x.rule) for x in errs] == [("Q4-5", "posting_days")]
    assert "30" in errs[0].message_vi


def test_check_flags_missing_radio_for_items_7_to_12(communes):
    f = _check(communes, lambda d: _item(d, "Q4-9").__setitem__(
        "channels", ["portal", {"kind": "ubnd_board", "days": 30}, {"kind": "cultural_house", "days": 30},
                     "group_leaders"]))
    assert [(x.item, x.rule) for x in f if x.severity == "error"] == [("Q4-9", "radio")]


def test_no_radio_needed_without_a_station():
    """The demo xã has no radio station: its plan has no radio and that is not an error."""
    f = check_plan(load_plan("demo-xa", 2024), load_commune("demo-xa"))
    assert not any(x.rule == "radio" for x in f)
    # but the Kép plan checked against the demo commune warns that it broadcasts without a station
    f2 = check_plan(load_plan("kep", 2024), load_commune("demo-xa"))
    assert any(x.rule == "no_radio_station" for x in f2)


def test_check_flags_long_deadline_and_accepts_a_sector_law(communes):
    f = _check(communes, lambda d: _item(d, "N-1").__setitem__("timing", {"working_days": 7}))
    assert [(x.item, x.rule, x.severity) for x in f if x.rule == "deadline"] == [("N-1", "deadline", "error")]
    f = _check(communes, lambda d: _item(d, "N-1").__setitem__(
        "timing", {"working_days": 7, "sector_law": "Luật X"}))
    assert [(x.item, x.severity) for x in f if x.rule == "deadline"] == [("N-1", "warning")]


def test_check_flags_items_4_and_13_not_permanent(communes):
    """N-13 read as the administrative procedure itself (item 13) must be posted permanently."""
    f = _check(communes, lambda d: _item(d, "N-13").__setitem__("law_item", 13))
    assert ("N-13", "permanent_posting") in {(x.item, x.rule) for x in f if x.severity == "error"}


def test_check_flags_missing_portal(communes):
    f = _check(communes, lambda d: _item(d, "1.5").__setitem__(
        "channels", [{"kind": "ubnd_board", "permanent": True}]))
    assert ("1.5", "portal") in {(x.item, x.rule) for x in f if x.severity == "error"}


def test_nothing_assumes_kep(communes, tmp_path):
    """A third commune copied under another code loads on its own."""
    src = communes / "demo-xa"
    dst = communes / "phuong-x"
    shutil.copytree(src, dst)
    text = (dst / "commune.yaml").read_text(encoding="utf-8").replace("code: demo-xa", "code: phuong-x")
    text = text.replace("kind: xa", "kind: phuong").replace("name: xã Tân Hòa", "name: phường Hòa Bình")
    (dst / "commune.yaml").write_text(text, encoding="utf-8")
    ptext = (dst / "plan-2024.yaml").read_text(encoding="utf-8").replace("commune: demo-xa", "commune: phuong-x")
    (dst / "plan-2024.yaml").write_text(ptext, encoding="utf-8")
    c = load_commune("phuong-x")
    assert c.body_name_upper == "ỦY BAN NHÂN DÂN PHƯỜNG HÒA BÌNH"
    assert c.group_word == "tổ dân phố" and c.unit_word == "phường"
    assert len(load_plan("phuong-x", 2024).items) == 61
    assert settings().communes_dir == communes
    assert re.fullmatch(r"UBND phường Hòa Bình", c.body_short)


def test_commune_code_must_match_folder(communes):
    path = communes / "demo-xa" / "commune.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("code: demo-xa", "code: other"), encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        load_commune("demo-xa")
    assert "code" in str(exc.value)


def test_invalid_commune_names_the_field(communes):
    path = communes / "demo-xa" / "commune.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("kind: xa", "kind: village"), encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        load_commune("demo-xa")
    assert "kind" in str(exc.value) and str(path) in str(exc.value)


def test_wording_dict_for_templates():
    w = load_commune("kep").wording()
    assert w["body_name_upper"] == "ỦY BAN NHÂN DÂN THỊ TRẤN KÉP"
    assert w["group_word"] == "tổ dân phố" and w["place"] == "Kép"
    assert w["chairman_name"] == "Đặng Minh Khôi"
    assert all(isinstance(v, str) for v in w.values())
    assert load_commune("demo-xa").wording()["radio_name"] == ""


def test_load_plan_or_latest(communes):
    from congkhai.plan import load_plan_or_latest

    plan, exact = load_plan_or_latest("kep", 2024)
    assert exact and plan.year == 2024
    plan, exact = load_plan_or_latest("kep", 2026)
    assert exact and plan.year == 2026 and plan.is_draft
    plan, exact = load_plan_or_latest("kep", 2028)
    assert not exact and plan.year == 2026
    plan, exact = load_plan_or_latest("demo-xa", 2026)
    assert not exact and plan.year == 2024
    with pytest.raises(ConfigError):
        load_plan_or_latest("kep", 2023)


@pytest.mark.parametrize("year", [2025, 2026])
def test_kep_drafted_plans_are_marked_and_match_2024(year):
    """The repository's 2025 and 2026 plans of Kép: drafted from 2024, to be confirmed, without a
    number or issue date, same items and responsibilities, below the law nowhere."""
    p, base = load_plan("kep", year), load_plan("kep", 2024)
    assert p.is_draft and p.drafted_from == 2024 and p.confirm is not None and p.confirm.by is None
    assert p.number is None and p.issued is None
    assert p.title.endswith(f"năm {year}")
    assert [(i.code, i.law_item, i.responsible, i.channels) for i in p.items] == [
        (i.code, i.law_item, i.responsible, i.channels) for i in base.items]
    findings = check_plan(p, load_commune("kep"))
    assert not [f for f in findings if f.severity == "error"]
    assert any(f.rule == "draft" for f in findings)
    assert not any(f.rule == "draft" for f in check_plan(base, load_commune("kep")))
