"""
### Danh sách công khai hằng quý

**Khi nào**: ngày làm việc đầu tiên của tháng Một, Tư, Bảy và Mười (07:30, giờ Việt Nam), theo kế
hoạch: "ngày 1–5 của tháng đầu quý".

**Làm gì**, cho từng xã: *Danh sách các nội dung đã thực hiện công khai* của quý trước, lưu vào thư
mục cả năm (`<năm>/00_ca-nam/`); rồi niêm yết chính danh sách ấy (mục kế hoạch 1.8): biên bản niêm
yết tại bảng tin UBND và nhà văn hóa các tổ dân phố / thôn (niêm yết 90 ngày; biên bản kết thúc do
DAG hằng ngày lập) và thông báo gửi trưởng thôn, tổ trưởng tổ dân phố.

---
*Quarterly list* (English): first working day of each quarter; the previous quarter's list and
its own posting documents (plan item 1.8).
"""

from __future__ import annotations

from airflow.sdk import dag, get_current_context

from congkhai.airflow.dagkit import (
    COMMON_DAG_ARGS,
    CONVERTER_POOL,
    announce_filed,
    archive_asset,
    communes_task,
    run_day,
    task,
)
from congkhai.airflow.timetable import WorkingDayTimetable


@dag(
    dag_id="congkhai_quarterly",
    dag_display_name="Danh sách công khai hằng quý",
    schedule=WorkingDayTimetable(at="07:30", months=(1, 4, 7, 10), first_only=True),
    tags=["congkhai", "calendar"],
    doc_md=__doc__,
    **COMMON_DAG_ARGS,
)
def congkhai_quarterly():
    @task(pool=CONVERTER_POOL, outlets=[archive_asset()], task_display_name="Lập danh sách quý và văn bản niêm yết")
    def produce_quarterly_list(commune: str) -> dict:
        """Danh sách của quý trước và các văn bản niêm yết danh sách ấy."""
        from congkhai.pipeline.runner import quarterly_for

        ctx = get_current_context()
        day = run_day(ctx)
        result = quarterly_for(commune, day)
        announce_filed(ctx, commune, result)
        print(f"== {commune} {day}: {result.get('quarter')} {result.get('skipped', 'made')}")
        return {"commune": commune, "day": day.isoformat(), "quarter": result.get("quarter")}

    produce_quarterly_list.expand(commune=communes_task())


congkhai_quarterly()
