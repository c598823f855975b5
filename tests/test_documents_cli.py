"""``congkhai kinds`` and ``congkhai render``: fields listed, documents rendered, bad input → exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from docx import Document
from typer.testing import CliRunner

from congkhai.cli import app
from congkhai.documents.kinds import KINDS

runner = CliRunner()


@pytest.fixture(autouse=True)
def _data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONGKHAI_DATA", str(tmp_path / "data"))


def register_numbering(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *codes: str) -> None:
    """Copies of the communes that use this product as their register (``numbering: register``)."""
    import shutil

    from congkhai.config import REPO_ROOT

    for code in codes:
        dst = tmp_path / "communes" / code
        shutil.copytree(REPO_ROOT / "communes" / code, dst)
        yaml = dst / "commune.yaml"
        text = yaml.read_text(encoding="utf-8").replace("numbering: clerk", "numbering: register")
        text = text.replace("groups_sample: true", "groups_sample: false")  # real leaders: finals can be made
        yaml.write_text(text, encoding="utf-8")
    monkeypatch.setenv("CONGKHAI_COMMUNES", str(tmp_path / "communes"))


def test_kinds_json() -> None:
    res = runner.invoke(app, ["kinds", "--json"])
    assert res.exit_code == 0
    data = json.loads(res.stdout)
    assert [k["kind"] for k in data] == list(KINDS)
    pe = next(k for k in data if k["kind"] == "posting_end")
    assert pe["type_code"] == "BB" and "chair_name" in pe["fields"] and pe["dossier_section"] == 6


def test_render_from_case_fields(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    register_numbering(tmp_path, monkeypatch, "demo-xa")
    ctx = tmp_path / "c.json"
    ctx.write_text(json.dumps({
        "commune": "demo-xa", "issued": "2024-03-04", "subject": "Kế hoạch lấy ý kiến Nhân dân về hương ước thôn",
        "doc_number": "30", "doc_code": "KH-UBND", "doc_type": "KẾ HOẠCH", "item": "Q1-1", "group": "thon-nam",
    }, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "o" / "g.docx"
    res = runner.invoke(app, ["render", "group_notice", "--context", str(ctx), "--out", str(out)])
    assert res.exit_code == 0, res.output
    text = "\n".join(p.text for p in Document(str(out)).paragraphs)
    assert "Trưởng thôn Nam" in text and "30/KH-UBND" in text
    assert out.with_suffix(".txt").is_file()
    # rendering again reuses the number
    res2 = runner.invoke(app, ["render", "group_notice", "--context", str(ctx), "--out", str(out)])
    assert res2.exit_code == 0
    t = Document(str(out)).tables[0].rows[1].cells[0].text
    assert t == "Số: 01/TB-UBND"


def test_unknown_fields_exit_2(tmp_path: Path) -> None:
    ctx = tmp_path / "c.json"
    ctx.write_text(json.dumps({"commune": "kep", "issued": "2024-03-04", "subject": "x", "colour": 1, "size": 2}))
    res = runner.invoke(app, ["render", "posting_end", "--context", str(ctx), "--out", str(tmp_path / "x.docx")])
    assert res.exit_code == 2
    assert "colour" in res.stderr and "size" in res.stderr and "Traceback" not in res.output


def test_missing_fields_exit_2(tmp_path: Path) -> None:
    ctx = tmp_path / "c.json"
    ctx.write_text(json.dumps({"subject": "x", "place_date": "Kép, ngày 05 tháng 01 năm 2024"}))
    res = runner.invoke(app, ["render", "posting_end", "--context", str(ctx), "--out", str(tmp_path / "x.docx")])
    assert res.exit_code == 2
    assert "chair_name" in res.stderr and "witnesses" in res.stderr
    ctx.write_text(json.dumps({"commune": "kep", "subject": "x"}))
    res = runner.invoke(app, ["render", "posting_end", "--context", str(ctx), "--out", str(tmp_path / "x.docx")])
    assert res.exit_code == 2 and "issued" in res.stderr


def test_unknown_kind_exit_2(tmp_path: Path) -> None:
    ctx = tmp_path / "c.json"
    ctx.write_text("{}")
    res = runner.invoke(app, ["render", "minutes", "--context", str(ctx), "--out", str(tmp_path / "x.docx")])
    assert res.exit_code == 2 and "minutes" in res.stderr


def test_numbers_commands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """GIVEN a commune whose register is this product WHEN the next number is set and a final is rendered
    THEN it takes that number; a draft (nothing recorded) takes none."""
    register_numbering(tmp_path, monkeypatch, "kep")
    assert runner.invoke(app, ["numbers", "set-next", "--commune", "kep", "--year", "2024", "--type", "BC", "7"]).exit_code == 0
    ctx = tmp_path / "c.json"
    ctx.write_text(json.dumps({"commune": "kep", "year": 2024, "date": "2024-07-05", "cases": [],
                               "issued": "2024-07-05", "subject": "Báo cáo"}))  # the CLI asks a case
    out = tmp_path / "m.docx"
    assert runner.invoke(app, ["render", "council_report", "--context", str(ctx), "--out", str(out)]).exit_code == 0
    assert Document(str(out)).tables[0].rows[1].cells[0].text == "Số: 07/BC-UBND"
    res = runner.invoke(app, ["numbers", "list", "--commune", "kep"])
    assert "07/BC" in res.stdout
    assert runner.invoke(app, ["numbers", "set-next", "--commune", "kep", "--year", "2024", "--type", "BC", "7"]).exit_code == 2
    draft = tmp_path / "d.json"
    draft.write_text(json.dumps({"commune": "kep", "issued": "2024-01-05", "subject": "Phê duyệt danh sách hộ nghèo",
                                 "doc_number": "15", "doc_code": "QĐ-UBND", "doc_type": "QUYẾT ĐỊNH", "item": "Q4-5"}))
    out2 = tmp_path / "d.docx"
    assert runner.invoke(app, ["render", "posting_start_ubnd", "--context", str(draft), "--out", str(out2)]).exit_code == 0
    assert Document(str(out2)).tables[0].rows[1].cells[0].text == "Số:        /BB-UBND"


def test_numbers_seed_continues_from_paper(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """GIVEN the last number the clerk issued on paper WHEN ``numbers seed --last 12`` THEN the register's
    next number of that year and code is 13; a number already given is refused (exit 2)."""
    register_numbering(tmp_path, monkeypatch, "kep")
    res = runner.invoke(app, ["numbers", "seed", "--commune", "kep", "--year", "2024", "--code", "BB", "--last", "12"])
    assert res.exit_code == 0, res.output
    from congkhai.documents.register import Register

    reg = Register("kep")
    assert reg.peek(2024, "BB") == 13
    assert reg.number_for(2024, "BB", "x") == 13
    res = runner.invoke(app, ["numbers", "seed", "--commune", "kep", "--year", "2024", "--code", "BB", "--last", "5"])
    assert res.exit_code == 2
