"""Build the bundled sample documents of Kép 2024 (samples/kep-2024/) with the intake corpus generator.

Realistic issued documents across the year (PDF with a text layer, DOCX, and a few image-only
scans), each dropped on its issue date by ``congkhai replay``. The commune's own yearly plan is
left out: the January DAG makes it. Run: ``.venv/bin/python scripts/make_samples.py``.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

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


def main(out: Path = REPO / "samples" / "kep-2024") -> None:
    with tempfile.TemporaryDirectory() as tmp:
        expected = build(Path(tmp))
        if out.exists():
            shutil.rmtree(out)
        out.mkdir(parents=True)
        n = 0
        for name, fields in sorted(expected.items()):
            if name in LEAVE_OUT:
                continue
            if fields.get("text_source") == "ocr" and name not in KEEP_SCANS:
                continue
            shutil.copy2(Path(tmp) / name, out / name)
            n += 1
        for name, (item, why) in SIDECARS.items():
            (out / name).with_suffix(".yaml").write_text(
                f"# Cán bộ văn phòng xác nhận mục kế hoạch / staff confirm the plan item\n# {why}\nitem: {item}\n",
                encoding="utf-8")
    print(f"{n} sample documents in {out}")


if __name__ == "__main__":
    main()
