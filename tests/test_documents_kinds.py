"""One kind table: the archive's file names and labels, the dossier's sections and the printed
documents all read ``documents/kinds.py``.

GIVEN the kind table WHEN the archive names a file, the dossier files it in a section and a document
is rendered THEN they use the same number, code, label and section — and neither the archive layout
nor the dossier keeps a table of its own (their source names no kind-specific code or label).
"""

from __future__ import annotations

import inspect
import re

import pytest
from docx import Document

from congkhai.archive import layout
from congkhai.convert import dossier
from congkhai.documents.kinds import ALL_KINDS, FILE_KINDS, KINDS
from congkhai.documents.register import Register
from congkhai.documents.render import render
from congkhai.documents.samples import sample_contexts
from congkhai.errors import UsageError


def test_archive_reads_the_table():
    assert layout.KINDS is ALL_KINDS
    assert [k.number for k in ALL_KINDS.values()] == sorted(k.number for k in ALL_KINDS.values())
    assert len({k.number for k in ALL_KINDS.values()}) == len(ALL_KINDS)  # one number per kind
    for kid, k in ALL_KINDS.items():
        info = layout.kind_info(kid)
        assert (info.order, info.file_word, info.label_vi) == (k.number, k.file_word, k.title_vi)
        name = layout.file_name(kid, ext="pdf", version=1, number=5)
        want = f"{k.number:02d}_{k.file_word}_so-05" + (f"-{layout.ascii_name(k.code)}" if k.code else "") + "_v1.pdf"
        assert name == want
        assert (kid in layout.PER_YEAR_KINDS) == k.per_year


def test_quarterly_list_is_one_thing_everywhere():
    """The issue's example: the archive said 'DM-UBND Danh mục', the documents 'TB-UBND Danh sách'."""
    k = KINDS["quarterly_list"]
    assert k.notation(1) == "01/TB-UBND"
    assert layout.file_name("quarterly_list", ext="pdf", version=1, number=1, qual="2024-q1") == \
        "08_danh-muc-cong-khai-quy_2024-q1_so-01-TB-UBND_v1.pdf"
    assert layout.kind_info("quarterly_list").label_vi == k.title_vi
    assert dossier.section_for("quarterly_list").key == "8"


def test_dossier_reads_the_table():
    for kid, k in ALL_KINDS.items():
        if k.dossier_section is not None:
            assert dossier.section_for(kid).key == str(k.dossier_section), kid
        elif k.dossier_appendix:
            assert dossier.section_for(kid).key == "PL"
        else:
            with pytest.raises(UsageError):
                dossier.section_for(kid)
    assert set(FILE_KINDS) == {"original", "signed_scan", "dossier"}


def test_no_other_table():
    """Neither module spells a kind's code or file word: they can only read them from the table."""
    for module in (layout, dossier):
        src = inspect.getsource(module)
        for k in ALL_KINDS.values():
            assert f'"{k.file_word}"' not in src, (module.__name__, k.file_word)
            if k.code:
                assert f'"{k.code}"' not in src, (module.__name__, k.code)
        assert "DM-UBND" not in src


@pytest.mark.parametrize("code", ["kep"])
def test_rendered_documents_print_the_table(tmp_path, code):
    """Each rendered kind prints its document type and its number with the table's code."""
    reg = Register(code, path=tmp_path / "r.sqlite")
    for kid, ctx in sample_contexts(code, reg).items():
        k = KINDS[kid]
        assert re.fullmatch(rf"(\d\d| {{7}})/{re.escape(k.code)}", ctx["number_notation"]), (kid, ctx["number_notation"])
        doc = Document(str(render(kid, ctx, tmp_path / f"{kid}.docx")))
        paragraphs = [p.text.strip() for p in doc.paragraphs]
        assert k.doc_type in paragraphs, (kid, k.doc_type)


def test_every_kind_has_its_builder():
    """The context package builds every kind of the table: per case (CASE_BUILDERS) or per year."""
    from congkhai.documents.context import CASE_BUILDERS

    assert set(CASE_BUILDERS) == {k.id for k in KINDS.values() if not k.per_year}
    assert {k.id for k in KINDS.values() if k.per_year} == {"yearly_plan", "quarterly_list", "council_report"}
