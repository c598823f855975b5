"""
### Hằng ngày làm việc / Every working day

**Khi nào**: 07:00 (giờ Việt Nam) mỗi ngày làm việc theo lịch Việt Nam: bỏ qua thứ Bảy, Chủ nhật,
ngày lễ, Tết; chạy cả thứ Bảy làm bù (lịch `WorkingDayTimetable`). Ngày được xử lý là ngày logic
của lượt chạy, nên chạy bù làm đúng những gì lẽ ra đã làm hôm đó. Chạy bù một ngày đã qua: *Trigger*
với *Logical date* là ngày đó, không dùng *Backfill* (Airflow 3.3.2 không chạy lượt backfill khi có từ
20 lượt khác đang chạy, như các lượt `congkhai_evidence` chờ người xác nhận: lỗi apache/airflow#58554).

**Làm**, cho mọi xã:
1. *communes_with_work*: xem nhanh (chỉ đọc `manifest.json` và lịch đã lưu, không lập văn bản) xã
   nào hôm nay có việc: báo cáo kết quả phát tin khi đã hết các ngày phát thanh, biên bản kết thúc
   công khai khi hết thời gian niêm yết, hồ sơ cần đóng. Không xã nào có việc thì bước 2 được bỏ qua
   (*skipped*) — phần lớn các ngày như vậy.
2. *produce_due_documents* (một lượt cho mỗi xã có việc): lập các văn bản đó (bản PDF/A), đóng hồ
   sơ đã kết thúc.
3. *check_deadlines*: in *CẢNH BÁO* khi những tuần tới rơi vào năm chưa có lịch nghỉ được xác nhận
   (`calendar_vn/<năm>.yaml`); liệt kê hồ sơ chưa niêm yết sắp đến hạn hoặc quá hạn (5 ngày làm
   việc), hồ sơ niêm yết muộn và hồ sơ **chờ người xác nhận** (*CHỜ XÁC NHẬN*: một việc cần làm của
   `congkhai_evidence` — niêm yết, phát thanh, kết thúc niêm yết — chưa được trả lời đúng hạn; bản
   dự thảo vẫn dùng được). **Bước này báo lỗi (đỏ) khi có hồ sơ quá hạn**: mở nhật ký để xem hồ sơ
   nào và cần làm gì. Bước này chạy song song với bước 1–2, vì hạn niêm yết không phụ thuộc vào
   các văn bản cuối kỳ.

---

**When**: 07:00 (Vietnam) on every working day of the Vietnamese calendar (weekends, public holidays
and Tết skipped; make-up Saturdays run). The day worked for is the run's logical date: catch up a past
day by triggering a run with that logical date, not with a Backfill (Airflow 3.3.2 never starts a
backfill run while 20 or more other runs are running, e.g. evidence runs waiting for a person:
apache/airflow#58554).

**Does**, for every commune: *communes_with_work* looks cheaply (manifests and stored schedules only,
nothing rendered, no converter) for broadcast reports and end-of-disclosure minutes due today and cases
to close; with none, *produce_due_documents* is skipped (most days). Otherwise one mapped task per
commune with work makes them. *check_deadlines* prints the calendar warnings, the cases near or past
their 5-working-day deadline, those posted late and those **waiting for a person**; **it fails when a
case is past its deadline** (red in the UI). It runs beside the production: deadlines do not depend on
the end-of-posting documents.
"""

from __future__ import annotations

from airflow.sdk import dag, get_current_context

from congkhai.airflow.dagkit import (
    COMMON_DAG_ARGS,
    CONVERTER_POOL,
    all_communes,
    announce_filed,
    archive_asset,
    print_summary,
    run_day,
    task,
)
from congkhai.airflow.timetable import WorkingDayTimetable


@dag(
    dag_id="congkhai_daily",
    dag_display_name="Việc hằng ngày: văn bản cuối kỳ, hạn công khai",
    schedule=WorkingDayTimetable(at="07:00"),
    tags=["congkhai", "calendar"],
    doc_md=__doc__,
    **COMMON_DAG_ARGS,
)
def congkhai_daily():
    @task(task_display_name="Xem xã nào có việc hôm nay")
    def communes_with_work() -> list[str]:
        """The communes with a document to make or a case to close today (no rendering, no converter)."""
        from congkhai.pipeline.runner import daily_work

        day = run_day(get_current_context())
        work = daily_work(all_communes(), day)
        for commune, items in work.items():
            print(f"== {commune} {day}: {len(items)} việc / to do: {', '.join(items)}")
        if not work:
            print(f"== {day}: không có văn bản nào đến hạn / nothing due")
        return sorted(work)

    @task(pool=CONVERTER_POOL, outlets=[archive_asset()], task_display_name="Lập văn bản đến hạn")
    def produce_due_documents(commune: str) -> dict:
        """Broadcast reports and end-of-disclosure minutes due today; the cases whose posting ended closed."""
        from congkhai.pipeline.runner import daily_for

        ctx = get_current_context()
        day = run_day(ctx)
        result = daily_for(commune, day)
        announce_filed(ctx, commune, result)
        print_summary(f"{commune} {day}", result)
        return {"commune": commune, "day": day.isoformat(), "filed": len(result["filed"]),
                "closed": result["closed"]}

    @task(retries=0, task_display_name="Kiểm tra hạn công khai")
    def check_deadlines() -> dict:
        """Print the calendar warnings and every commune's deadlines; fail (red) when a case is past its deadline."""
        from congkhai.pipeline.runner import deadlines_for
        from congkhai.workdays import calendar_warnings

        day = run_day(get_current_context())
        for line in calendar_warnings(day):
            print(f"CẢNH BÁO: {line}")
        counts = {"near": 0, "late": 0, "waiting": 0, "overdue": 0}
        overdue: list[str] = []
        for commune in all_communes():
            d = deadlines_for(commune, day)
            for row in d["near"]:
                print(f"{commune} SẮP ĐẾN HẠN {row['deadline']}: {row['case_id']} — {row['subject']} ({row['path']})")
            for row in d["late"]:
                print(f"{commune} ĐÃ NIÊM YẾT MUỘN {row['working_days_late']} ngày: {row['case_id']} — "
                      f"{row['subject']}")
            for row in d["waiting"]:
                print(f"{commune} CHỜ XÁC NHẬN — {row['title']} (hạn {row['due']}): {row['case_id']} — "
                      f"{row['subject']}: trả lời trong Required actions (congkhai_evidence, lượt "
                      f"{commune}__{row['case_id']})")
            for row in d["overdue"]:
                print(f"{commune} QUÁ HẠN {row['working_days_late']} ngày làm việc (hạn {row['deadline']}): "
                      f"{row['case_id']} — {row['subject']} ({row['path']})")
            for k in counts:
                counts[k] += len(d[k])
            if d["overdue"]:
                overdue.append(f"{commune}: {len(d['overdue'])}")
        if overdue:
            raise RuntimeError(
                f"{', '.join(overdue)} hồ sơ quá hạn công khai chưa niêm yết — ghi nhận ngày niêm yết "
                "(DAG congkhai_action_record_posting) hoặc hủy hồ sơ / case(s) past their deadline"
            )
        return counts

    produce_due_documents.expand(commune=communes_with_work())
    check_deadlines()


congkhai_daily()
