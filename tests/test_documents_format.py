"""Format checks of the nine ND30 templates, on rendered documents opened with python-docx.

GIVEN the sample contexts of Kép (thị trấn, tổ dân phố, radio) and demo-xa (xã, thôn, no radio)
WHEN every kind is rendered
THEN page, margins, fonts, header elements and strings follow Nghị định 30, and no tag is left.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
import zipfile
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docxtpl import DocxTemplate

from congkhai.config import settings
from congkhai.documents.kinds import KINDS, all_fields, get_kind
from congkhai.documents.register import Register
from congkhai.documents.render import render
from congkhai.documents.samples import sample_contexts
from congkhai.errors import PermanentError

COMMUNES = ("kep", "demo-xa")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], tuple[Path, dict]]:
    out: dict[tuple[str, str], tuple[Path, dict]] = {}
    base = tmp_path_factory.mktemp("docs")
    for code in COMMUNES:
        reg = Register(code, path=base / f"{code}.sqlite")
        for kind, ctx in sample_contexts(code, reg).items():
            out[(code, kind)] = (render(kind, ctx, base / code / f"{kind}.docx"), ctx)
    return out


def test_every_kind_rendered_for_both_communes(rendered) -> None:
    kinds = {k for (_, k) in rendered}
    assert kinds == set(KINDS)
    assert {k for (c, k) in rendered if c == "demo-xa"} == set(KINDS) - {"broadcast_report"}


@pytest.mark.parametrize("kind", list(KINDS))
def test_manifest_matches_template_variables(kind: str) -> None:
    tpl = DocxTemplate(str(settings().templates_dir / get_kind(kind).template))
    assert tpl.get_undeclared_template_variables() == set(get_kind(kind).fields)


def _within(length: int, lo_mm: float, hi_mm: float) -> bool:
    """Lengths are stored in twips: allow the rounding (0.1 mm)."""
    return Mm(lo_mm - 0.1) <= length <= Mm(hi_mm + 0.1)


def _run_props(paragraph):
    runs = [r for r in paragraph.runs if r.text.strip()]
    assert runs, f"empty paragraph {paragraph.text!r}"
    return runs


def test_page_margins_fonts(rendered) -> None:
    for (_code, kind), (path, _) in rendered.items():
        doc = Document(str(path))
        for s in doc.sections:
            # stored in twips: 210 mm is 11907 twips, a fraction of a millimetre off
            assert abs(s.page_width - Mm(210)) < Mm(0.1) and abs(s.page_height - Mm(297)) < Mm(0.1), kind
            assert _within(s.top_margin, 20, 25) and _within(s.bottom_margin, 20, 25), kind
            assert _within(s.left_margin, 30, 35) and _within(s.right_margin, 15, 20), kind
            assert s.different_first_page_header_footer  # no page number on page 1
            assert "PAGE" in s.header._element.xml
        # Times New Roman in all four slots of every style and of the defaults; no theme fonts.
        styles = doc.styles.element
        for fonts in styles.iter(qn("w:rFonts")):
            for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
                assert fonts.get(qn(slot)) == "Times New Roman", (kind, slot)
            assert fonts.get(qn("w:asciiTheme")) is None
        assert "Theme=" not in doc.element.body.xml  # no run falls back to a theme font
        assert doc.core_properties.author.startswith("ỦY BAN NHÂN DÂN") or kind == "broadcast_report"


def test_header_elements(rendered) -> None:
    for (_code, kind), (path, ctx) in rendered.items():
        doc = Document(str(path))
        table = doc.tables[0]
        left, right = table.rows[0].cells
        left2, right2 = table.rows[1].cells
        body = [p for p in left.paragraphs if p.text.strip()]
        assert [p.text for p in body][-len(ctx["issuer_lines"]):] == ctx["issuer_lines"]
        for p in body[-len(ctx["issuer_lines"]):]:
            for r in _run_props(p):
                assert r.bold and r.font.size in (Pt(12), Pt(13))
                assert r.text == r.text.upper()
        national, motto = [p for p in right.paragraphs if p.text.strip()]
        assert national.text == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
        assert all(r.bold and r.font.size in (Pt(12), Pt(13)) for r in _run_props(national))
        assert motto.text == "Độc lập - Tự do - Hạnh phúc"
        assert all(r.bold and r.font.size in (Pt(13), Pt(14)) for r in _run_props(motto))
        # rules: a bordered short paragraph under the body name and under the motto
        for cell in (left, right):
            assert cell._element.xml.count("<w:pBdr>") == 1
        number = left2.paragraphs[0]
        type_code = get_kind(kind).type_code
        assert number.text.startswith("Số: ") and f"/{type_code}-" in number.text
        date_line = right2.paragraphs[0]
        assert date_line.text == ctx["place_date"]
        assert all(r.italic and r.font.size in (Pt(13), Pt(14)) for r in _run_props(date_line))
        # document type bold upper case, subject bold
        paras = [p for p in doc.paragraphs if p.text.strip()]
        assert paras[0].text == get_kind(kind).doc_type
        assert all(r.bold and r.font.size == Pt(14) for r in _run_props(paras[0]))
        assert paras[1].text == ctx["subject"] and all(r.bold for r in _run_props(paras[1]))


def test_place_date_and_number_wording(rendered, tmp_path) -> None:
    """A draft leaves the day and the clerk's number blank; a final prints what was recorded."""
    path, ctx = rendered[("kep", "posting_start_ubnd")]
    assert ctx["place_date"] == "Kép, ngày …… tháng …… năm ……"
    assert ctx["number_notation"] == "       /BB-UBND"
    _, ctx2 = rendered[("kep", "posting_start_group")]
    assert ctx2["number_notation"] == "       /BB-UBND"
    _, bc = rendered[("kep", "broadcast_report")]
    assert bc["number_notation"].endswith("/BC-ĐTT") and bc["issuer_parent"] == "UBND THỊ TRẤN KÉP"
    final = sample_contexts("kep", Register("kep", path=tmp_path / "f.sqlite"), final=True)
    assert final["posting_start_ubnd"]["place_date"] == "Kép, ngày 08 tháng 01 năm 2024"
    assert final["posting_start_ubnd"]["number_notation"] == "31/BB-UBND"  # the clerk's, recorded


def test_wording_adapts_to_commune_kind(rendered) -> None:
    text = {c: "\n".join(p.text for p in Document(str(rendered[(c, "yearly_plan")][0])).paragraphs) for c in COMMUNES}
    assert "tổ dân phố" in text["kep"] and "thị trấn Kép" in text["kep"]
    assert "Trưởng thôn" in text["demo-xa"] and "các thôn" in text["demo-xa"]
    assert "tổ dân phố" not in text["demo-xa"] and "thị trấn" not in text["demo-xa"].replace("xã, phường, thị trấn", "")
    assert "TỔ DÂN PHỐ" not in text["demo-xa"]
    group = "\n".join(p.text for p in Document(str(rendered[("demo-xa", "posting_start_group")][0])).paragraphs)
    assert "Trưởng thôn Đoài" in group and not re.search(r"\bthôn thôn\b", group)


def test_yearly_plan_reproduces_seed_structure(rendered) -> None:
    doc = Document(str(rendered[("kep", "yearly_plan")][0]))
    text = [p.text for p in doc.paragraphs]
    for heading in ("I. MỤC ĐÍCH, YÊU CẦU", "1. Mục đích", "2. Yêu cầu",
                    "II. NỘI DUNG, HÌNH THỨC, THỜI GIAN, THỜI ĐIỂM CÔNG KHAI THÔNG TIN",
                    "1. Những nội dung công khai thường xuyên", "2. Những nội dung công khai trong năm 2024",
                    "III. HỒ SƠ CÔNG KHAI THÔNG TIN", "IV. TỔ CHỨC THỰC HIỆN"):
        assert heading in text
    assert "1.8. Danh sách các nội dung đã được thực hiện công khai theo từng quý (trích xuất từ phần mềm quy chế dân chủ)" in text
    assert any(t.startswith("2.3.4. Nội dung công khai trong quý IV:") for t in text)
    assert "(5) Kết quả rà soát hộ nghèo, hộ cận nghèo;" in text
    assert any(t.startswith("+ Niêm yết 90 ngày, tại Bản tin công khai của UBND thị trấn Kép") for t in text)
    assert sum(t.startswith(("1. Kế hoạch thực hiện công khai thông tin", "7. Báo cáo kết quả")) for t in text) == 2


def test_no_tags_left_and_nfc(rendered) -> None:
    for (_, kind), (path, _) in rendered.items():
        with zipfile.ZipFile(path) as z:
            for name in z.namelist():
                if name.endswith(".xml"):
                    xml = z.read(name).decode()
                    assert "{{" not in xml and "{%" not in xml, (kind, name)
                    assert unicodedata.is_normalized("NFC", xml), (kind, name)


def test_nfd_input_is_normalised(tmp_path: Path, rendered) -> None:
    _, ctx = rendered[("kep", "group_notice")]
    nfd = dict(ctx, subject=unicodedata.normalize("NFD", "Về việc công khai quyết định"))
    out = render("group_notice", nfd, tmp_path / "n.docx")
    doc = Document(str(out))
    assert "Về việc công khai quyết định" in [p.text for p in doc.paragraphs]
    assert doc.core_properties.subject == "Về việc công khai quyết định"
    txt = out.with_suffix(".txt").read_text(encoding="utf-8")
    assert unicodedata.is_normalized("NFC", txt) and "Về việc công khai quyết định" in txt


def test_missing_field_named(tmp_path: Path, rendered) -> None:
    _, ctx = rendered[("kep", "posting_end")]
    bad = {k: v for k, v in ctx.items() if k != "chair_name"}
    with pytest.raises(PermanentError) as err:
        render("posting_end", bad, tmp_path / "x.docx")
    assert err.value.field == "chair_name" and "chair_name" in str(err.value)
    # a missing attribute inside a list element is named too (StrictUndefined)
    bad = dict(ctx, witnesses=[{"role": "ĐẠI DIỆN MTTQ"}])
    with pytest.raises(PermanentError) as err:
        render("posting_end", bad, tmp_path / "y.docx")
    assert err.value.field == "name"
    assert not (tmp_path / "x.docx").exists() and not (tmp_path / "y.docx").exists()


def test_escaping_and_core_properties(tmp_path: Path, rendered) -> None:
    _, ctx = rendered[("kep", "activity_plan")]
    out = render("activity_plan", dict(ctx, subject="Thu & chi <quỹ> \"đền ơn\""), tmp_path / "e.docx")
    doc = Document(str(out))
    assert "Thu & chi <quỹ> \"đền ơn\"" in [p.text for p in doc.paragraphs]
    props = doc.core_properties
    assert props.author == "ỦY BAN NHÂN DÂN THỊ TRẤN KÉP" and "Thu & chi" in props.title


def test_blank_number(tmp_path: Path) -> None:
    reg = Register("kep", path=tmp_path / "r.sqlite")
    reg.set_blank_numbers(True)
    ctx = sample_contexts("kep", reg)["posting_start_ubnd"]
    assert ctx["number_notation"] == "       /BB-UBND"
    doc = Document(str(render("posting_start_ubnd", ctx, tmp_path / "b.docx")))
    assert doc.tables[0].rows[1].cells[0].paragraphs[0].text == "Số:        /BB-UBND"
    assert reg.issued() == []  # a draft takes no number from the register


def test_group_notice_text(rendered) -> None:
    path, ctx = rendered[("demo-xa", "group_notice")]
    txt = path.with_suffix(".txt").read_text(encoding="utf-8")
    assert txt.startswith("ỦY BAN NHÂN DÂN XÃ TÂN HÒA\n")
    assert ctx["number_notation"] in txt and ctx["place_date"] in txt and "Trưởng thôn Đoài" in txt
    assert "{{" not in txt and "{%" not in txt


def test_file_names_and_sections() -> None:
    """Archive file names come from the kind table (archive/layout.py reads it)."""
    from congkhai.archive.layout import file_name

    assert file_name("posting_start_group", ext="docx", version=1, number=6, qual="tdp02") \
        == "04_bien-ban-niem-yet-tdp_tdp02_so-06-BB-UBND_v1.docx"
    for k in KINDS.values():
        assert k.type_code in ("KH", "BB", "BC", "TB")
        assert set(all_fields(k.id)) >= set(k.fields)
    assert sorted({k.dossier_section for k in KINDS.values() if k.dossier_section}) == [1, 2, 3, 4, 5, 6, 7, 8]


def test_date_words_in_documents(tmp_path) -> None:
    ctx = sample_contexts("kep", Register("kep", path=tmp_path / "r.sqlite"), final=True)["posting_start_ubnd"]
    assert "vào hồi 14 giờ 30 phút, ngày 08 tháng 01 năm 2024" in ctx["opening"]
    assert dt.date(2024, 1, 8).weekday() == 0
