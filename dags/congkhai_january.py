"""
### Tháng Một / January: the yearly plan and the re-posting of permanent items

**When**: on the first working day of January (07:15, Vietnam).

**Does**, for every commune:
1. the yearly disclosure plan (*Kế hoạch thực hiện công khai năm …*) from the commune's
   `plan-<YYYY>.yaml`, filed in the year folder and posted as plan item 1.1 (permanent posting,
   with its minutes and the notice to the group leaders);
2. re-posting minutes dated that day for every permanent item disclosed in earlier years
   (regulations, codes of conduct, duties, administrative procedures), as the seed requires:
   "Tháng 1 hàng năm thay thế bản … niêm yết".

A commune without a plan for the year gets a clear message in the log (add the file).
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
    dag_id="congkhai_january",
    schedule=WorkingDayTimetable(at="07:15", months=(1,), first_only=True),
    tags=["congkhai", "calendar"],
    doc_md=__doc__,
    **COMMON_DAG_ARGS,
)
def congkhai_january():
    @task(pool=CONVERTER_POOL)
    def produce_yearly_plan_and_reposts(commune: str) -> dict:
        """The yearly plan (posted as item 1.1) and the January re-posting minutes."""
        from congkhai.pipeline.runner import january_for

        day = run_day(get_current_context())
        result = january_for(commune, day)
        if isinstance(result.get("plan"), str):
            print(f"!! {result['plan']}")
        else:
            print_summary(f"{commune} plan {day.year}", result.get("plan", {}))
        print_summary(f"{commune} re-postings", result.get("reposts", {}))
        return {"commune": commune, "day": day.isoformat()}

    produce_yearly_plan_and_reposts.expand(commune=communes_task())


congkhai_january()
