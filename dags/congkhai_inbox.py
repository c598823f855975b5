"""
### Hộp thư đến / Inbox intake

**Khi nào**: ngay khi có văn bản được thả vào hộp thư (bộ theo dõi `InboxTrigger` kiểm tra hộp thư
của mọi xã mỗi 2 giây, báo khi một tệp giữ nguyên kích thước và thời điểm sửa trong 5 giây), và
10 phút một lần để quét lại cho chắc. Nhiều lần thả có thể gộp thành một lượt chạy: mỗi lượt xử lý
*mọi* tệp.

**Đọc**: `$CONGKHAI_INBOX/<xã>/` (thư mục con mang mã nội dung kế hoạch, ví dụ `Q1-7/`, và tệp kèm
`<tên>.yaml` quyết định thay cho việc tự phân loại).

**Ghi**: mỗi văn bản đọc và phân loại được thành một **hồ sơ** trong kho lưu trữ (bản gốc giữ
nguyên từng byte, `manifest.json`), rồi mới rời hộp thư. Tệp không đọc được, có mật khẩu, rỗng,
quá lớn hoặc nguy hiểm chuyển sang `errors/<xã>/` kèm tệp `.txt` nói rõ cần sửa gì; văn bản chưa
chắc thuộc nội dung nào chuyển sang `review/<xã>/`. Không xoá tệp nào. Các hồ sơ mới được báo trên
tài sản `congkhai://cases`, khởi động `congkhai_issuance`; một lượt không có hồ sơ mới được đánh
dấu *skipped*.

---

**When**: as soon as a document is dropped (an `AssetWatcher` on the inbox: the `InboxTrigger` polls
every commune's inbox every 2 s and fires for each new file whose size and mtime stayed unchanged for
5 s), and every 10 minutes as a safety net (watchers miss events; network shares send none).

**Does**, in one task (`take_inbox`, no hop between steps): the communes the file events name (every
commune on a timed run), for each one claim every stable file, read it, classify it, file it as a case
(unusable files to `errors/`, uncertain ones to `review/`; nothing is deleted), then announce every
case filed and not yet taken by the pipeline on the `congkhai://cases` asset, which starts
`congkhai_issuance`. A run with no such case is *skipped* (no event). One commune's failure does not
stop the others; the task then fails after announcing nothing, and its retry announces them all
(the pending list keeps every case until the pipeline has taken it).
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

from congkhai.airflow.dagkit import CASES_URI, COMMON_DAG_ARGS, INBOX_URI, TZ, all_communes, task
from congkhai.intake.trigger import InboxTrigger

INBOX = Asset(INBOX_URI, watchers=[AssetWatcher(name="congkhai_inbox_watcher", trigger=InboxTrigger())])
CASES = Asset(CASES_URI)


def communes_named(ctx: dict) -> list[str]:
    """The communes named by the triggering file events; every commune on a timed run."""
    known = all_communes()
    named: set[str] = set()
    for events in (ctx.get("triggering_asset_events") or {}).values():
        for ev in events:
            extra = ev.extra or {}
            payload = extra.get("payload") if isinstance(extra.get("payload"), dict) else extra
            if payload.get("commune"):
                named.add(payload["commune"])
    return sorted(c for c in named if c in known) or known


@dag(
    dag_id="congkhai_inbox",
    dag_display_name="Hộp thư đến: nhận văn bản",
    schedule=AssetOrTimeSchedule(timetable=CronTriggerTimetable("*/10 * * * *", timezone=TZ), assets=[INBOX]),
    tags=["congkhai", "intake"],
    doc_md=__doc__,
    **COMMON_DAG_ARGS,
)
def congkhai_inbox():
    @task(outlets=[CASES], task_display_name="Nhận, đọc, phân loại và lưu văn bản")
    def take_inbox() -> dict:
        """Claim, read, classify and file every stable file of the named communes; announce the new cases."""
        from airflow.sdk.exceptions import AirflowSkipException

        from congkhai.pipeline.runner import take_inboxes

        ctx = get_current_context()
        taken = take_inboxes(communes_named(ctx), now=ctx.get("logical_date") or ctx["dag_run"].run_after,
                             echo=print)
        if not taken["cases"]:
            raise AirflowSkipException("không có hồ sơ mới / no new case")
        ctx["outlet_events"][CASES].extra = {"cases": taken["cases"]}
        return taken

    take_inbox()


congkhai_inbox()
