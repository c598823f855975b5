"""Reading a .docx gives the same fields every time, in every process.

Merged table cells repeat in python-docx's ``row.cells``, so the reader skips a cell it has already
read. It used to remember cells by ``id()`` of their lxml proxy objects; those proxies are transient
and their ids are reused, so another cell (often the one with the issue date) was skipped at random:
a few reads in a hundred of a two-row header table, differently in each fresh process.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from docx import Document

from congkhai.intake.extract import read_docx

REPO = Path(__file__).resolve().parent.parent
PROCESSES = 40
PARALLEL = 4
READS_PER_PROCESS = 10

#: Run in each fresh interpreter: read every document given, a few times, print the fields as JSON.
#: Before each read it keeps a few more small objects alive, so each read meets another heap.
READER = """
import json, sys
from pathlib import Path
from congkhai.intake.extract import inspect
out, heap = [], []
for k in range(int(sys.argv[1]), int(sys.argv[1]) + int(sys.argv[2])):
    heap.append([object() for _ in range(k % 7)] + [{} for _ in range(k % 5)])
    for p in sys.argv[3:]:
        i = inspect(Path(p), classify=False)
        out.append([Path(p).name, i.doc_number, i.doc_code, i.issued and i.issued.isoformat(), i.subject])
print(json.dumps(out, ensure_ascii=False))
"""


def _header_table_docx(path: Path, number: str = "15", code: str = "QĐ-UBND",
                       subject: str = "Về việc ban hành Quy chế thực hiện dân chủ của Ủy ban nhân dân thị trấn Kép",
                       issued: dt.date = dt.date(2024, 1, 10)) -> Path:
    """A document with the two-row header of Nghị định 30 (issuer | motto, then number | place and
    date), as the commune's own templates (templates_docx/) lay it out, and a body table with
    horizontal and vertical merges."""
    doc = Document()
    head = doc.add_table(rows=2, cols=2)
    head.cell(0, 0).text = "UBND HUYỆN LẠNG GIANG\nỦY BAN NHÂN DÂN\nTHỊ TRẤN KÉP"
    head.cell(0, 1).text = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc"
    head.cell(1, 0).text = f"Số: {number}/{code}"
    head.cell(1, 1).text = f"Kép, ngày {issued.day:02d} tháng {issued.month:02d} năm {issued.year}"
    doc.add_paragraph("QUYẾT ĐỊNH")
    doc.add_paragraph(subject)
    doc.add_paragraph("Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;")
    body = doc.add_table(rows=3, cols=3)
    body.cell(0, 0).merge(body.cell(0, 2)).text = "Danh sách tổ dân phố"  # spans three columns
    body.cell(1, 0).merge(body.cell(2, 0)).text = "Tổ 1"  # spans two rows
    for r in (1, 2):
        for c in (1, 2):
            body.cell(r, c).text = f"ô {r}{c}"
    doc.save(str(path))
    return path


def _yearly_plan_docx(path: Path, number: str, code: str, subject: str, issued: dt.date) -> Path:
    """The commune's own yearly-plan template (templates_docx/), header and title filled in."""
    import jinja2
    from docxtpl import DocxTemplate

    tpl = DocxTemplate(str(REPO / "templates_docx" / "yearly_plan.docx"))
    tpl.render({"issuer_parent": "UBND HUYỆN LẠNG GIANG", "issuer_lines": ["ỦY BAN NHÂN DÂN", "THỊ TRẤN KÉP"],
                "number_notation": f"{number}/{code}", "subject": subject,
                "place_date": f"Kép, ngày {issued.day:02d} tháng {issued.month:02d} năm {issued.year}"},
               jinja_env=jinja2.Environment(undefined=jinja2.ChainableUndefined, autoescape=True))
    tpl.save(str(path))
    return path


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple]:
    """Documents with two-row header tables, and the number, code, subject and date each must give."""
    d = tmp_path_factory.mktemp("determinism")
    decision = ("15", "QĐ-UBND", "Về việc ban hành Quy chế thực hiện dân chủ của Ủy ban nhân dân thị trấn Kép",
                dt.date(2024, 1, 10))
    plan = ("01", "KH-UBND", "Thực hiện công khai thông tin theo Luật Thực hiện dân chủ ở cơ sở năm 2024",
            dt.date(2024, 1, 2))
    return {
        "quyet dinh.docx": (_header_table_docx(d / "quyet dinh.docx", *decision), *decision),
        "ke hoach nam.docx": (_yearly_plan_docx(d / "ke hoach nam.docx", *plan), *plan),
    }


def test_merged_cells_are_read_once_and_every_cell_is_read(tmp_path):
    """GIVEN a header table and a table with merged cells WHEN read THEN each cell's text comes once."""
    lines = read_docx(_header_table_docx(tmp_path / "qd.docx")).lines
    for text in ("THỊ TRẤN KÉP", "Độc lập - Tự do - Hạnh phúc", "Số: 15/QĐ-UBND", "Kép, ngày 10 tháng 01 năm 2024",
                 "Danh sách tổ dân phố", "Tổ 1", "ô 11", "ô 12", "ô 21", "ô 22"):
        assert lines.count(text) == 1, (text, lines)


@pytest.mark.slow  # 40 interpreters: 15–30 s on two cores
def test_same_fields_in_every_fresh_process(documents):
    """GIVEN documents with a two-row header table
    WHEN each is read in 40 fresh Python processes
    THEN every read gives the same number, date and subject, and they are the right ones."""
    paths = [str(p) for p, *_ in documents.values()]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "plugins"), os.environ.get("PYTHONPATH", "")])}
    reads: list[tuple] = []
    for start in range(0, PROCESSES, PARALLEL):
        procs = [subprocess.Popen([sys.executable, "-c", READER, str(i), str(READS_PER_PROCESS), *paths], env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for i in range(start, min(start + PARALLEL, PROCESSES))]
        for proc in procs:
            out, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err
            reads.extend(tuple(r) for r in json.loads(out))
    assert len(reads) == PROCESSES * READS_PER_PROCESS * len(paths)
    by_doc: dict[str, Counter[tuple]] = {}
    for name, *fields in reads:
        by_doc.setdefault(name, Counter())[tuple(fields)] += 1
    differing = {name: got.most_common() for name, got in by_doc.items() if len(got) > 1}
    assert not differing, f"reads that differ (fields, how many reads): {differing}"
    for name, (_, number, code, subject, issued) in documents.items():
        ((got_number, got_code, got_issued, got_subject),) = by_doc[name]
        assert (got_number, got_code, got_issued, got_subject) == (number, code, issued.isoformat(), subject)
