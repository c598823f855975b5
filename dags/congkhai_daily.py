"""
### Hằng ngày làm việc / Every working day

**When**: 07:00 (Vietnam) on every working day of the Vietnamese calendar: weekends, public
holidays and Tết are skipped; make-up Saturdays run (timetable `WorkingDayTimetable`). The
day worked for is the run's logical date, so a backfill makes what would have been made then.

**Does**, for every commune:
1. *produce_due_documents*: the radio station's broadcast report once a case's broadcast days
   are over, and the end-of-disclosure minutes once its posting period ended (the case is then
   closed).
2. *check_deadlines*: lists cases not yet posted whose deadline (5 working days) is near or
   past, cases posted late, and cases **waiting for a person** (*CHỜ XÁC NHẬN*): a required
   action of `congkhai_evidence` (posting, broadcast, end of posting) not answered by its due
   date — the case is late until someone answers; its draft documents stay available. **It fails
   when a case is past its deadline**, so the run turns red in the UI: open its log to see which
   case and what to do.
3. *warn_calendar*: prints *CẢNH BÁO* lines when the coming weeks reach a year whose days off are
   not confirmed (`calendar_vn/<year>.yaml`); it never fails.
"""

from __future__ import annotations

from airflow.sdk import dag, get_current_context

from congkhai.airflow.dagkit import (
    COMMON_DAG_ARGS,
    CONVERTER_POOL,
    communes_task,
    print_summary,
    run_day,
    task,
)
from congkhai.airflow.timetable import WorkingDayTimetable


@dag(
    dag_id="congkhai_daily",
    schedule=WorkingDayTimetable(at="07:00"),
    tags=["congkhai", "calendar"],
    doc_md=__doc__,
    **COMMON_DAG_ARGS,
)
def congkhai_daily():
    @task(pool=CONVERTER_POOL)
    def produce_due_documents(commune: str) -> dict:
        """Broadcast reports and end-of-disclosure minutes due today."""
        from congkhai.pipeline.runner import daily_for

        day = run_day(get_current_context())
        result = daily_for(commune, day)
        print_summary(f"{commune} {day}", result)
        return {"commune": commune, "day": day.isoformat(), "deadlines": result["deadlines"],
                "filed": len(result["filed"])}

    @task(retries=0)
    def check_deadlines(result: dict) -> dict:
        """Fail (red in the UI) when a case is past its disclosure deadline; list those near it."""
        d = result["deadlines"]
        for row in d["near"]:
            print(f"SẮP ĐẾN HẠN {row['deadline']}: {row['case_id']} — {row['subject']} ({row['path']})")
        for row in d["late"]:
            print(f"ĐÃ NIÊM YẾT MUỘN {row['working_days_late']} ngày: {row['case_id']} — {row['subject']}")
        for row in d.get("waiting", []):
            print(f"CHỜ XÁC NHẬN — {row['title']} (hạn {row['due']}): {row['case_id']} — {row['subject']}: "
                  f"trả lời trong Required actions (congkhai_evidence, lượt {result['commune']}__{row['case_id']})")
        for row in d["overdue"]:
            print(f"QUÁ HẠN {row['working_days_late']} ngày làm việc (hạn {row['deadline']}): "
                  f"{row['case_id']} — {row['subject']} ({row['path']})")
        if d["overdue"]:
            raise RuntimeError(
                f"{result['commune']}: {len(d['overdue'])} hồ sơ quá hạn công khai chưa niêm yết — "
                "ghi nhận ngày niêm yết (DAG congkhai_action_record_posting) hoặc hủy hồ sơ / "
                f"{len(d['overdue'])} case(s) past their deadline"
            )
        return {"near": len(d["near"]), "late": len(d["late"]), "waiting": len(d.get("waiting", [])), "overdue": 0}

    @task
    def warn_calendar() -> list[str]:
        """Print the warnings about unconfirmed days off in the coming weeks (never fails)."""
        from congkhai.workdays import calendar_warnings

        warnings = calendar_warnings(run_day(get_current_context()))
        for line in warnings:
            print(f"CẢNH BÁO: {line}")
        return warnings

    warn_calendar()
    check_deadlines.expand(result=produce_due_documents.expand(commune=communes_task()))


congkhai_daily()
