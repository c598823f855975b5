"""
### Tháng Một: kế hoạch công khai năm và niêm yết lại

**Khi nào**: ngày làm việc đầu tiên của tháng Một (07:15, giờ Việt Nam).

**Làm gì**, cho từng xã:
1. *Kế hoạch thực hiện công khai năm …* từ tệp `plan-<năm>.yaml` của xã, lưu vào thư mục cả năm và
   niêm yết như mục kế hoạch 1.1 (niêm yết thường xuyên, có biên bản và thông báo gửi trưởng thôn,
   tổ trưởng tổ dân phố);
2. biên bản niêm yết lại, ghi ngày hôm ấy, cho mọi nội dung niêm yết thường xuyên của các năm trước
   (quy chế, quy tắc ứng xử, chức năng nhiệm vụ, thủ tục hành chính), như kế hoạch yêu cầu:
   "Tháng 1 hàng năm thay thế bản … niêm yết".

Xã chưa có kế hoạch của năm thì nhật ký báo rõ (thêm tệp `plan-<năm>.yaml`, ví dụ bằng lệnh
`congkhai plan new`).

---
*January* (English): the yearly plan (posted as item 1.1) and the re-posting minutes of permanent
items; a commune without a plan for the year gets a clear message.
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
    dag_id="congkhai_january",
    dag_display_name="Tháng Một: kế hoạch năm và niêm yết lại",
    schedule=WorkingDayTimetable(at="07:15", months=(1,), first_only=True),
    tags=["congkhai", "calendar"],
    doc_md=__doc__,
    **COMMON_DAG_ARGS,
)
def congkhai_january():
    @task(pool=CONVERTER_POOL, outlets=[archive_asset()], task_display_name="Lập kế hoạch năm và biên bản niêm yết lại")
    def produce_yearly_plan_and_reposts(commune: str) -> dict:
        """Kế hoạch năm (niêm yết như mục 1.1) và các biên bản niêm yết lại của tháng Một."""
        from congkhai.pipeline.runner import january_for

        ctx = get_current_context()
        day = run_day(ctx)
        result = january_for(commune, day)
        announce_filed(ctx, commune, result)
        if isinstance(result.get("plan"), str):
            print(f"!! {result['plan']}")
        else:
            print_summary(f"{commune} plan {day.year}", result.get("plan", {}))
        print_summary(f"{commune} re-postings", result.get("reposts", {}))
        return {"commune": commune, "day": day.isoformat()}

    produce_yearly_plan_and_reposts.expand(commune=communes_task())


congkhai_january()
