"""
### Hồ sơ công khai của năm

**Khi nào**: chạy bằng tay (*Trigger*, chọn xã và năm); DAG tháng Một cũng lập hồ sơ của năm trước,
và `congkhai replay` lập hồ sơ khi hết năm được chạy lại.

**Làm gì**: gộp mọi văn bản PDF của năm thành một tệp PDF/A: bìa, MỤC LỤC có số trang, các phần theo
thứ tự của kế hoạch (1 kế hoạch năm … 7 báo cáo HĐND, rồi các danh sách theo quý), trong mỗi phần theo
ngày, có dấu trang (bookmark). Lưu vào `<năm>/00_ca-nam/`, phiên bản mới khi nội dung đổi.

**Biểu mẫu**: *Năm* chỉ nhận các năm có kế hoạch công khai, năm trước và năm sau (Airflow từ chối năm
ngoài khoảng ấy trước khi chạy). Năm chưa có văn bản nào trong kho thì lượt chạy thất bại với lời
báo bằng tiếng Việt ở dòng lỗi đầu tiên của nhật ký.

---
*The year's disclosure dossier* (English): by hand, or from January's DAG for the year before;
merges the year's PDFs into one PDF/A-2b with a bookmark per section, filed in `<YYYY>/00_ca-nam/`.
"""

from __future__ import annotations

import datetime as dt

from airflow.sdk import dag, get_current_context

from congkhai.airflow import forms
from congkhai.airflow.dagkit import CONVERTER_POOL, DEFAULT_ARGS, START, announce_filed, archive_asset, task

COMMUNES = forms.commune_choices()
_THIS_YEAR = dt.date.today().year  # the form's bounds and default only: the run works for the year given


@dag(
    dag_id="congkhai_dossier",
    dag_display_name="Hồ sơ công khai của năm",
    schedule=None,
    start_date=START,
    catchup=False,
    tags=["congkhai", "action"],
    default_args=DEFAULT_ARGS,
    doc_md=__doc__,
    params={
        "commune": forms.commune_param(COMMUNES),
        "year": forms.year_param(forms.year_bounds(list(COMMUNES), dt.date(_THIS_YEAR, 1, 1)), _THIS_YEAR - 1),
    },
)
def congkhai_dossier():
    @task(pool=CONVERTER_POOL, outlets=[archive_asset()], task_display_name="Lập hồ sơ công khai của năm")
    def assemble_dossier() -> dict:
        """Gộp các văn bản PDF của năm thành hồ sơ và lưu vào kho."""
        from congkhai.pipeline.runner import dossier_for

        ctx = get_current_context()
        p = ctx["params"]
        commune = forms.check_commune(dict(p))
        result = dossier_for(commune, int(p["year"]))
        announce_filed(ctx, commune, {"filed": 0 if "skipped" in result else 1})
        print(f"== {p['commune']} {p['year']}: {result}")
        return result

    assemble_dossier()


congkhai_dossier()
