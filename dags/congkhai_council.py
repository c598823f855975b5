"""
### Báo cáo HĐND / Report to the People's Council

**When**: every working day at 07:45 (Vietnam); it makes a report only on the day five working
days before a regular session of the commune's People's Council (the session dates are in
`communes/<commune>/commune.yaml`, `council.sessions`).

**Does**: the report on disclosure results (*Báo cáo kết quả thực hiện công khai*) for the period
since the previous session's report, counting the cases by Điều 11 item, with the late ones;
filed in the year folder (`<YYYY>/00_ca-nam/`).
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
    dag_id="congkhai_council",
    schedule=WorkingDayTimetable(at="07:45"),
    tags=["congkhai", "calendar"],
    doc_md=__doc__,
    **COMMON_DAG_ARGS,
)
def congkhai_council():
    @task(pool=CONVERTER_POOL)
    def produce_council_report(commune: str) -> dict:
        """The report for the coming regular session, when one is five working days away."""
        from congkhai.pipeline.runner import council_for

        day = run_day(get_current_context())
        result = council_for(commune, day)
        if "skipped" in result:
            print(f"== {commune} {day}: {result['skipped']}")
        else:
            print_summary(f"{commune} session {result['session']}", result)
        return {"commune": commune, "day": day.isoformat(), "session": result.get("session")}

    produce_council_report.expand(commune=communes_task())


congkhai_council()
