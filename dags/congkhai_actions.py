"""
### Thao tác của cán bộ / Operator actions

Five DAGs, each started by hand with **Trigger** and a form:

- `congkhai_action_record_posting`: the actual posting date of a case; its schedule and its
  start-of-posting minutes follow it (new versions; the old ones stay in the archive).
- `congkhai_action_feedback`: feedback received from residents during posting; it appears in
  the end-of-disclosure minutes (remade if they were already made).
- `congkhai_action_cancel`: stop the pipeline for a case (wrongly dropped, withdrawn); its files stay.
- `congkhai_action_correct`: correct what intake read (subject, plan item, type, signer, what a cover
  letter asks to post: places, period, responsible role — JSON) and remake the affected documents.
- `congkhai_action_regenerate`: remake every document of a case whose inputs changed (e.g. after
  the commune profile was corrected).

Every action is written in the case's history (`manifest.json`), with who triggered it.
Find a case id with `congkhai archive find` or on the *Lưu trữ công khai* page.
"""

from __future__ import annotations

import datetime as dt

from airflow.sdk import Param, dag, get_current_context

from congkhai.airflow.dagkit import CONVERTER_POOL, DEFAULT_ARGS, START, print_summary, run_day, task

COMMON = {
    "commune": Param("kep", type="string", title="Mã xã / commune", description="Ví dụ: kep"),
    "case_id": Param("", type="string", minLength=1, title="Mã hồ sơ / case id",
                     description="Ví dụ: 20240325-15-qd-ubnd (xem trang Lưu trữ công khai)"),
}
#: Actions do not retry by themselves: a person re-triggers after reading the error.
ACTION_ARGS = {**DEFAULT_ARGS, "retries": 0}

ACTIONS = {
    "record_posting": ("Ghi nhận ngày niêm yết thực tế / record the actual posting date", {
        "posted": Param(None, type=["null", "string"], format="date", title="Ngày niêm yết / posting date",
                        description="Để trống: ngày chạy / empty: the run's day"),
    }),
    "feedback": ("Ghi nhận ý kiến phản hồi / record feedback received during posting", {
        "text": Param("", type="string", minLength=1, title="Ý kiến phản hồi / feedback",
                      description="Nội dung ý kiến của Nhân dân (sẽ ghi vào biên bản kết thúc)"),
    }),
    "cancel": ("Hủy hồ sơ / cancel a case", {
        "reason": Param("", type="string", minLength=1, title="Lý do / reason"),
    }),
    "correct": ("Sửa thông tin hồ sơ / correct a case", {
        "subject": Param(None, type=["null", "string"], title="Trích yếu / subject"),
        "item": Param(None, type=["null", "string"], title="Mục kế hoạch / plan item", description="Ví dụ: Q1-7"),
        "doc_type": Param(None, type=["null", "string"], title="Loại văn bản / document type"),
        "signer": Param(None, type=["null", "string"], title="Người ký / signer"),
        "posting_request": Param(None, type=["null", "string"], title="Yêu cầu niêm yết / posting request",
                                 description='JSON, ví dụ {"places": {"hq": true, "groups": ["tdp04"]}, '
                                             '"start": "2024-08-14", "end": "2024-09-12"}; null: bỏ yêu cầu'),
    }),
    "regenerate": ("Lập lại văn bản / regenerate the documents of a case", {}),
}


def make_action_dag(name: str, title: str, extra: dict):
    @dag(
        dag_id=f"congkhai_action_{name}",
        schedule=None,
        start_date=START,
        catchup=False,
        tags=["congkhai", "action"],
        default_args=ACTION_ARGS,
        doc_md=f"#### {title}\n\n" + __doc__,
        params={**COMMON, **extra},
    )
    def action_dag():
        @task(task_id=name, pool=CONVERTER_POOL)
        def run_action() -> dict:
            from congkhai.pipeline.runner import action

            ctx = get_current_context()
            p = dict(ctx["params"])
            by = getattr(ctx["dag_run"], "triggering_user_name", None) or "airflow"
            kw: dict = {"by": by}
            if name == "record_posting":
                kw["posted"] = dt.date.fromisoformat(p["posted"]) if p.get("posted") else run_day(ctx)
            elif name == "feedback":
                kw["text"] = p["text"]
            elif name == "cancel":
                kw["reason"] = p["reason"]
            elif name == "correct":
                kw["changes"] = {k: p[k] for k in ("subject", "item", "doc_type", "signer", "posting_request")
                                 if p.get(k)}
            result = action(name, p["commune"], p["case_id"], run_day(ctx), **kw)
            if "filed" in result:
                print_summary(title, result)
            return result

        run_action()

    return action_dag()


for _name, (_title, _extra) in ACTIONS.items():
    make_action_dag(_name, _title, _extra)
