"""
### Hộp thư đến / Inbox intake

**When**: as soon as a document is dropped (an `AssetWatcher` on the inbox: the
`InboxTrigger` polls every commune's inbox and fires for each new file whose size and mtime
stayed unchanged for 5 s), and every 10 minutes as a safety net (watchers miss events; network
shares send none). Several drops may collapse into one run: each run processes *every* file.

**Reads**: `$CONGKHAI_INBOX/<commune>/` (subfolders named after a plan item, e.g. `Q1-7/`, and
`<name>.yaml` sidecars override the classification).

**Writes**: each readable, classified document becomes a **case** in the archive (its original
byte-identical, `manifest.json`), then the original leaves the inbox. Unreadable, encrypted,
empty, oversized or hostile files go to `errors/<commune>/` with a `.txt` saying in Vietnamese
what to fix; documents the classifier is unsure of go to `review/<commune>/`. Nothing is ever
deleted. New cases are announced on the `congkhai://cases` asset, which starts
`congkhai_issuance`.
"""

from __future__ import annotations

from airflow.sdk import (
    Asset,
    AssetOrTimeSchedule,
    AssetWatcher,
    CronTriggerTimetable,
    dag,
    get_current_context,
)

from congkhai.airflow.dagkit import CASES_URI, COMMON_DAG_ARGS, INBOX_URI, TZ, all_communes, run_day, task
from congkhai.intake.trigger import InboxTrigger

INBOX = Asset(INBOX_URI, watchers=[AssetWatcher(name="congkhai_inbox_watcher", trigger=InboxTrigger())])
CASES = Asset(CASES_URI)


@dag(
    dag_id="congkhai_inbox",
    schedule=AssetOrTimeSchedule(timetable=CronTriggerTimetable("*/10 * * * *", timezone=TZ), assets=[INBOX]),
    tags=["congkhai", "intake"],
    doc_md=__doc__,
    **COMMON_DAG_ARGS,
)
def congkhai_inbox():
    @task
    def communes_to_scan() -> list[str]:
        """The communes named by the triggering file events; every commune on a timed run."""
        ctx = get_current_context()
        known = all_communes()
        named: set[str] = set()
        for events in (ctx.get("triggering_asset_events") or {}).values():
            for ev in events:
                extra = ev.extra or {}
                payload = extra.get("payload") if isinstance(extra.get("payload"), dict) else extra
                if payload.get("commune"):
                    named.add(payload["commune"])
        return sorted(c for c in named if c in known) or known

    @task
    def take_inbox(commune: str) -> dict:
        """Claim every stable file of the commune's inbox, read it, classify it, file it as a case."""
        from congkhai.intake.claim import process_inbox

        ctx = get_current_context()
        report = process_inbox(commune, now=ctx.get("logical_date") or ctx["dag_run"].run_after)
        print(f"== {commune}: {len(report.new)} new case(s), {len(report.duplicates)} duplicate(s), "
              f"{len(report.review)} to review, {len(report.errors)} set aside, {len(report.waiting)} still copying")
        for c in report.cases:
            print(f"   case {c.case_id}: {c.number_notation} {c.issued} {c.item} — {c.subject}")
        for e in report.errors:
            print(f"   ! {e.get('name')}: {e.get('message')}")
        for r in report.review:
            print(f"   ? {r.get('name')}: {r.get('message', '')}")
        return {"commune": commune, "day": run_day(ctx).isoformat(),
                "cases": [c.to_dict() for c in report.cases],
                "errors": report.errors, "review": report.review, "duplicates": report.duplicates}

    @task(outlets=[CASES])
    def announce_cases(reports: list[dict]) -> list[dict]:
        """Hand the new cases to the disclosure pipeline (an event on the cases asset)."""
        from airflow.sdk.exceptions import AirflowSkipException

        cases = [{"commune": r["commune"], "case_id": c["case_id"], "item": c.get("item"),
                  "subject": c.get("subject"), "issued": c.get("issued"), "number": c.get("doc_number"),
                  "code": c.get("doc_code")}
                 for r in reports for c in r["cases"]]
        if not cases:
            raise AirflowSkipException("no new case")
        get_current_context()["outlet_events"][CASES].extra = {"cases": cases}
        return cases

    announce_cases(take_inbox.expand(commune=communes_to_scan()))


congkhai_inbox()
