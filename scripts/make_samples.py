"""Build the bundled sample documents of Kép 2024 (samples/kep-2024/) with the intake corpus generator.

Realistic issued documents across the year (PDF with a text layer, DOCX, and a few image-only
scans), each dropped on its issue date by ``congkhai replay``. The commune's own yearly plan is
left out: the January DAG makes it. Two more show a posting *request*: the commune's cover letter
245/UBND-VP asking its Địa chính officer and the leaders of TDP 4 and 5 to post the district's
land-recovery notice from 14/8 to 12/9/2024, and a district notice addressed to the commune for
posting (``LETTERS``).

Run: ``.venv/bin/python scripts/make_samples.py`` writes only the samples that are missing (the
committed ones keep their bytes: LibreOffice stamps every PDF it makes); ``--rebuild`` makes all again.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.corpus import make_corpus  # noqa: E402
from tests.corpus.make_corpus import build  # noqa: E402

#: Scans are slow to OCR: a few are enough to show the path.
KEEP_SCANS = {"scan_0001.pdf", "scan_0004.pdf", "IMG_20240916_0932.png"}
LEAVE_OUT = {"KH-cong-khai-2024.pdf"}
#: Documents the classifier is unsure of (they would wait in review/): the sidecar a clerk writes.
SIDECARS = {
    "BB kiem ke.docx": ("N-6", "Biên bản kiểm kê tài sản công: mục N-6 (tài sản công)"),
    "IMG_20240916_0932.png": ("N-7", "Ảnh chụp quyết định hỗ trợ thiệt hại bão số 3: mục N-7"),
    "TB nhap ngu.pdf": ("Q4-7", "Thông báo tiêu chuẩn gọi nhập ngũ: mục Q4-7"),
    "nq dutoan.pdf": ("Q1-8", "Nghị quyết HĐND về dự toán đã được quyết định: mục Q1-8"),
}


@dataclass(frozen=True)
class Letter:
    """A document that asks to post something: who it is sent to and what it asks, as printed."""

    name: str  # file name in samples/ (.pdf: converted by LibreOffice; .docx as written)
    issuer_lines: tuple[str, ...]
    number: str  # "245/UBND-VP"
    date_line: str  # "Kép, ngày 12 tháng 8 năm 2024"
    doc_type: str | None  # None: an official letter (công văn), its V/v under the number
    subject: tuple[str, ...]
    recipients: tuple[str, ...]  # one line: "Kính gửi: …"; several: a "- …;" list
    body: tuple[str, ...]
    sent_to: tuple[str, ...]  # the "Nơi nhận:" list
    title: tuple[str, ...]
    signer: str


LETTERS = (
    Letter(
        "cv245.pdf", make_corpus.UBND, "245/UBND-VP", "Kép, ngày 12 tháng 8 năm 2024", None,
        ("V/v niêm yết công khai", "Thông báo thu hồi đất"),
        ("Công chức Địa chính - Xây dựng - Đô thị và Môi trường;", "Tổ trưởng tổ dân phố số 4;",
         "Tổ trưởng tổ dân phố số 5."),
        ("Thực hiện Thông báo số 125/TB-UBND ngày 05/8/2024 của UBND huyện Lạng Giang về việc thu hồi đất để "
         "thực hiện dự án đường tỉnh 295 đoạn qua thị trấn Kép, Ủy ban nhân dân thị trấn Kép đề nghị:",
         "1. Công chức Địa chính - Xây dựng - Đô thị và Môi trường phối hợp với Tổ trưởng tổ dân phố số 4, số 5 "
         "niêm yết công khai Thông báo thu hồi đất số 125/TB-UBND ngày 05/8/2024 của UBND huyện Lạng Giang và "
         "danh sách các hộ gia đình, cá nhân có đất bị thu hồi tại trụ sở UBND thị trấn và nhà văn hóa tổ dân "
         "phố số 4, số 5.",
         "2. Thời gian niêm yết: từ ngày 14/8/2024 đến hết ngày 12/9/2024.",
         "3. Hết thời gian niêm yết, lập biên bản kết thúc niêm yết có xác nhận của đại diện Nhân dân, tổng hợp "
         "ý kiến phản ánh (nếu có), báo cáo UBND thị trấn trước ngày 16/9/2024.",
         "Đề nghị các đồng chí quan tâm thực hiện."),
        ("- Như trên;", "- UBND huyện Lạng Giang (b/c);", "- Lưu: VT, ĐC."),
        make_corpus.CHAIR, "Đặng Minh Khôi",
    ),
    Letter(
        "TB huyen quy hoach.docx", ("ỦY BAN NHÂN DÂN", "HUYỆN LẠNG GIANG"), "310/TB-UBND",
        "Lạng Giang, ngày 20 tháng 8 năm 2024", "THÔNG BÁO",
        ("Công khai đồ án quy hoạch chi tiết xây dựng", "khu dân cư mới tổ dân phố số 2, thị trấn Kép"),
        ("Ủy ban nhân dân thị trấn Kép.",),
        ("Căn cứ Luật Quy hoạch đô thị ngày 17 tháng 6 năm 2009;",
         "Căn cứ Quyết định số 1520/QĐ-UBND ngày 12/8/2024 của UBND huyện Lạng Giang về việc phê duyệt đồ án "
         "quy hoạch chi tiết xây dựng khu dân cư mới tổ dân phố số 2, thị trấn Kép;",
         "Ủy ban nhân dân huyện Lạng Giang thông báo công khai đồ án quy hoạch chi tiết xây dựng khu dân cư mới "
         "tổ dân phố số 2, thị trấn Kép như sau:",
         "1. Đề nghị Ủy ban nhân dân thị trấn Kép niêm yết công khai Quyết định số 1520/QĐ-UBND ngày 12/8/2024 "
         "của UBND huyện Lạng Giang và bản vẽ quy hoạch tổng mặt bằng sử dụng đất tại trụ sở UBND thị trấn và "
         "nhà văn hóa tổ dân phố số 2, tổ dân phố số 3.",
         "2. Thời gian niêm yết: 30 ngày liên tục, từ ngày 26/8/2024 đến hết ngày 24/9/2024.",
         "3. Ý kiến của tổ chức, cá nhân (nếu có) gửi về UBND thị trấn Kép để tổng hợp, báo cáo UBND huyện."),
        ("- Như trên;", "- Phòng Kinh tế và Hạ tầng huyện;", "- Lưu: VT."),
        make_corpus.VICE, "Trương Văn Lực",
    ),
)


def write_letter(letter: Letter, path: Path) -> None:
    """The letter in the corpus's Nghị định 30 layout (header table, Kính gửi, body, signature table)."""
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    para, cell = make_corpus._para, make_corpus._cell
    doc = Document()
    make_corpus._fonts(doc)
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Cm(21), Cm(29.7)
    sec.top_margin, sec.bottom_margin = Cm(2), Cm(2)
    sec.left_margin, sec.right_margin = Cm(3), Cm(1.5)
    doc.core_properties.title = ""
    doc.core_properties.author = " ".join(letter.issuer_lines)

    head = doc.add_table(rows=1, cols=2)
    head.alignment = WD_TABLE_ALIGNMENT.CENTER
    make_corpus._widths(head, (6.0, 10.5))
    left, right = cell(head, 0, 0), cell(head, 0, 1)
    for line in letter.issuer_lines:
        para(left, line, bold=True, size=13)
    para(left, "_______", size=8)
    para(left, f"Số: {letter.number}")
    if letter.doc_type is None:
        for line in letter.subject:
            para(left, line, size=12)
    para(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, size=12)
    para(right, "Độc lập - Tự do - Hạnh phúc", bold=True, size=13)
    para(right, "_______________________", size=8)
    para(right, letter.date_line, italic=True, size=13)

    para(doc, "", size=6)
    if letter.doc_type is not None:
        para(doc, letter.doc_type, bold=True, size=14)
        for line in letter.subject:
            para(doc, line, bold=True, size=14)
        para(doc, "_________", size=8, space_after=6)
    if len(letter.recipients) == 1:
        para(doc, f"Kính gửi: {letter.recipients[0]}", size=14, space_after=6)
    else:
        para(doc, "Kính gửi:", size=14)
        for line in letter.recipients:
            p = para(doc, f"- {line}", size=14, align=WD_ALIGN_PARAGRAPH.LEFT)
            p.paragraph_format.left_indent = Cm(4.0)
        para(doc, "", size=6)
    for line in letter.body:
        para(doc, line, size=13, align=WD_ALIGN_PARAGRAPH.JUSTIFY, space_after=6, indent=True)

    para(doc, "", size=6)
    sig = doc.add_table(rows=1, cols=2)
    make_corpus._widths(sig, (8.0, 8.5))
    left, right = cell(sig, 0, 0), cell(sig, 0, 1)
    para(left, "Nơi nhận:", bold=True, italic=True, size=12, align=WD_ALIGN_PARAGRAPH.LEFT)
    for line in letter.sent_to:
        para(left, line, size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
    for line in letter.title:
        para(right, line, bold=True, size=13)
    para(right, "(Đã ký)", italic=True, size=13)
    for _ in range(2):
        para(right, "", size=13)
    para(right, letter.signer, bold=True, size=14)
    doc.save(str(path))


def build_letters(tmp: Path, out: Path, names: set[str]) -> list[str]:
    """Write the ``LETTERS`` named in ``names`` into ``out`` (PDFs through one LibreOffice run)."""
    work = tmp / "letters"
    work.mkdir()
    to_convert = []
    for letter in LETTERS:
        if letter.name not in names:
            continue
        src = work / (Path(letter.name).stem + ".docx")
        write_letter(letter, src)
        if letter.name.endswith(".docx"):
            shutil.copyfile(src, out / letter.name)
        else:
            to_convert.append(src)
    make_corpus.convert_all(to_convert, work)
    for src in to_convert:
        shutil.copyfile(src.with_suffix(".pdf"), out / (src.stem + ".pdf"))
    return sorted(names & {letter.name for letter in LETTERS})


def corpus_names() -> set[str]:
    """The corpus documents bundled as samples (text documents, a few scans, not the yearly plan)."""
    return {s.name for s in make_corpus.specs()
            if s.name not in LEAVE_OUT and (not s.fmt.startswith("scan") or s.name in KEEP_SCANS)}


def main(out: Path = REPO / "samples" / "kep-2024", rebuild: bool = False) -> None:
    arrivals = (out / "replay.yaml").read_bytes() if (out / "replay.yaml").is_file() else None
    if rebuild and out.exists():
        shutil.rmtree(out)
        out.mkdir(parents=True)
        if arrivals is not None:  # the replay's arrival log is written by hand, not generated
            (out / "replay.yaml").write_bytes(arrivals)
    out.mkdir(parents=True, exist_ok=True)
    written: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        missing = {n for n in corpus_names() if not (out / n).exists()}
        if missing:
            build(Path(tmp) / "corpus")
            for name in sorted(missing):
                shutil.copy2(Path(tmp) / "corpus" / name, out / name)
            written += sorted(missing)
        letters = {letter.name for letter in LETTERS if not (out / letter.name).exists()}
        written += build_letters(Path(tmp), out, letters)
    for name, (item, why) in SIDECARS.items():
        (out / name).with_suffix(".yaml").write_text(
            f"# Cán bộ văn phòng xác nhận mục kế hoạch / staff confirm the plan item\n# {why}\nitem: {item}\n",
            encoding="utf-8")
    total = len(corpus_names()) + len(LETTERS)
    print(f"{total} sample documents in {out}; written now: {', '.join(written) or 'none'}")


if __name__ == "__main__":
    main(rebuild="--rebuild" in sys.argv[1:])
