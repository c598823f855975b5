"""
### Tự kiểm tra cài đặt / Installation self-check

Runs every morning (06:00, Asia/Ho_Chi_Minh) and on demand.

**Reads**: the communes folder, the inbox / archive / state folders of every commune, the converter
(local LibreOffice or Gotenberg), the Times New Roman substitute font, Vietnamese OCR.

**Writes**: nothing but missing folders. **Fails** when something the pipeline needs is missing,
naming it, so an operator sees a red run before staff drop documents that cannot be processed.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import CronTriggerTimetable, dag

from congkhai.airflow.dagkit import task

TZ = "Asia/Ho_Chi_Minh"


@dag(
    dag_id="congkhai_selfcheck",
    schedule=CronTriggerTimetable("0 6 * * *", timezone=TZ),
    start_date=pendulum.datetime(2024, 1, 1, tz=TZ),
    catchup=False,
    max_active_runs=1,
    tags=["congkhai", "ops"],
    default_args={"owner": "congkhai", "retries": 1, "retry_delay": pendulum.duration(minutes=5)},
    doc_md=__doc__,
)
def congkhai_selfcheck():
    @task
    def check_installation() -> list[dict]:
        """Check folders, converter, fonts and OCR; fail naming what is missing."""
        from congkhai.health import check_installation as run_checks

        checks = run_checks()
        for c in checks:
            print(("OK   " if c["ok"] else "FAIL ") + f"{c['name']}: {c['detail']}")
        failed = [c["name"] for c in checks if not c["ok"]]
        if failed:
            raise RuntimeError(f"Thiếu / missing: {', '.join(failed)}")
        return checks

    check_installation()


congkhai_selfcheck()
