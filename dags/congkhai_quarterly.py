"""
### Danh sách công khai hằng quý / Quarterly list

**When**: on the first working day of January, April, July and October (07:30, Vietnam): the
seed plan's "days 1–5 of the quarter's first month".

**Does**, for every commune: the list of everything disclosed in the previous quarter
(*Danh sách các nội dung đã thực hiện công khai*), filed in the year folder
(`<YYYY>/00_ca-nam/`); then, as plan item 1.8, its own posting: start-of-posting minutes at the
UBND board and every cultural house (posted 90 days: the end minutes follow from the daily DAG)
and the notice to the group leaders.
"""

from __future__ import annotations

from airflow.sdk import dag, get_current_context

from congkhai.airflow.dagkit import COMMON_DAG_ARGS, CONVERTER_POOL, communes_task, run_day, task
from congkhai.airflow.timetable import WorkingDayTimetable


@dag(
    dag_id="congkhai_quarterly",
    schedule=WorkingDayTimetable(at="07:30", months=(1, 4, 7, 10), first_only=True),
    tags=["congkhai", "calendar"],
    doc_md=__doc__,
    **COMMON_DAG_ARGS,
)
def congkhai_quarterly():
    @task(pool=CONVERTER_POOL)
    def produce_quarterly_list(commune: str) -> dict:
        """The previous quarter's list and its posting documents."""
        from congkhai.pipeline.runner import quarterly_for

        day = run_day(get_current_context())
        result = quarterly_for(commune, day)
        print(f"== {commune} {day}: {result.get('quarter')} {result.get('skipped', 'made')}")
        return {"commune": commune, "day": day.isoformat(), "quarter": result.get("quarter")}

    produce_quarterly_list.expand(commune=communes_task())


congkhai_quarterly()
