"""
### Tự kiểm tra cài đặt

**Khi nào**: mỗi sáng lúc 06:00 (giờ Việt Nam) và khi bấm *Trigger*.

**Kiểm tra**: thư mục cấu hình các xã, thư mục hộp nhận / kho lưu trữ / trạng thái của từng xã, bộ
chuyển đổi PDF (LibreOffice tại máy hoặc Gotenberg), phông chữ thay Times New Roman, nhận dạng chữ
tiếng Việt (OCR).

**Ghi**: chỉ tạo các thư mục còn thiếu. **Thất bại** khi thiếu một thứ cần cho xử lý văn bản, và nói
rõ thiếu gì (dòng `THIẾU` trong nhật ký), để người quản trị thấy lượt chạy đỏ trước khi cán bộ bỏ văn
bản vào hộp nhận.

---
*Installation self-check* (English): every morning and on demand; checks folders, the converter,
fonts and OCR; writes nothing but missing folders; fails naming what is missing.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import CronTriggerTimetable, dag

from congkhai.airflow.dagkit import task

TZ = "Asia/Ho_Chi_Minh"


@dag(
    dag_id="congkhai_selfcheck",
    dag_display_name="Tự kiểm tra cài đặt",
    schedule=CronTriggerTimetable("0 6 * * *", timezone=TZ),
    start_date=pendulum.datetime(2024, 1, 1, tz=TZ),
    catchup=False,
    max_active_runs=1,
    tags=["congkhai", "ops"],
    default_args={"owner": "congkhai", "retries": 1, "retry_delay": pendulum.duration(minutes=5)},
    doc_md=__doc__,
)
def congkhai_selfcheck():
    @task(task_display_name="Kiểm tra cài đặt")
    def check_installation() -> list[dict]:
        """Kiểm tra thư mục, bộ chuyển đổi, phông chữ và OCR; thiếu gì thì thất bại và nói rõ."""
        from congkhai.health import check_installation as run_checks

        checks = run_checks()
        for c in checks:
            print(("ĐẠT   " if c["ok"] else "THIẾU ") + f"{c['name']}: {c['detail']}")
        failed = [c["name"] for c in checks if not c["ok"]]
        if failed:
            raise RuntimeError(f"Thiếu / missing: {', '.join(failed)}")
        return checks

    check_installation()


congkhai_selfcheck()
