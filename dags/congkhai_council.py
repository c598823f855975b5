"""
### Báo cáo kết quả công khai trình HĐND

**Khi nào**: mỗi ngày làm việc lúc 07:45 (giờ Việt Nam); chỉ lập báo cáo vào ngày cách kỳ họp thường
lệ của Hội đồng nhân dân xã năm ngày làm việc (ngày các kỳ họp ghi trong
`communes/<xã>/commune.yaml`, mục `council.sessions`). Các ngày khác lượt chạy không làm gì.

**Làm gì**: *Báo cáo kết quả thực hiện công khai* cho khoảng thời gian từ báo cáo kỳ trước, đếm hồ sơ
theo từng khoản của Điều 11, nêu các hồ sơ trễ hạn; lưu vào thư mục cả năm (`<năm>/00_ca-nam/`).

---
*Report to the People's Council* (English): every working day at 07:45; a report only five working
days before a regular session; counts the cases by Điều 11 item, with the late ones.
"""

from __future__ import annotations

from airflow.sdk import dag, get_current_context

from congkhai.airflow.dagkit import (
    COMMON_DAG_ARGS,
    CONVERTER_POOL,
    announce_filed,
    archive_asset,
    communes_task,
    print_summary,
    run_day,
    task,
)
from congkhai.airflow.timetable import WorkingDayTimetable


@dag(
    dag_id="congkhai_council",
    dag_display_name="Báo cáo công khai trình HĐND",
    schedule=WorkingDayTimetable(at="07:45"),
    tags=["congkhai", "calendar"],
    doc_md=__doc__,
    **COMMON_DAG_ARGS,
)
def congkhai_council():
    @task(pool=CONVERTER_POOL, outlets=[archive_asset()], task_display_name="Lập báo cáo trình HĐND")
    def produce_council_report(commune: str) -> dict:
        """Báo cáo cho kỳ họp thường lệ sắp tới, khi kỳ họp còn năm ngày làm việc."""
        from congkhai.pipeline.runner import council_for

        ctx = get_current_context()
        day = run_day(ctx)
        result = council_for(commune, day)
        announce_filed(ctx, commune, result)
        if "skipped" in result:
            print(f"== {commune} {day}: {result['skipped']}")
        else:
            print_summary(f"{commune} session {result['session']}", result)
        return {"commune": commune, "day": day.isoformat(), "session": result.get("session")}

    produce_council_report.expand(commune=communes_task())


congkhai_council()
