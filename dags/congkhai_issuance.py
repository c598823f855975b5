"""
### Ban hành → niêm yết / On issuance: the posting documents of new cases

**Khi nào**: mỗi khi bước hộp thư báo có hồ sơ mới (tài sản `congkhai://cases`), hoặc chạy tay
(*Trigger* với mã xã và mã hồ sơ, để lập lại các văn bản còn thiếu của một hồ sơ).

**Làm**, cho mỗi xã có hồ sơ mới (một tác vụ cho mỗi xã, nên các xã của một tỉnh được chia cho các
worker), với mọi hồ sơ bước hộp thư đã nhận mà quy trình chưa xử lý (danh sách *chờ xử lý* của xã:
các sự kiện bị gộp không làm mất hồ sơ nào): tính lịch công khai theo lịch ngày làm việc, rồi trong
**một lượt** lập, chuyển sang PDF/A và lưu: kế hoạch công khai (khi văn bản không thuộc nội dung nào
của kế hoạch năm), biên bản niêm yết tại bảng tin UBND và tại nhà văn hóa từng tổ dân phố, thông báo
gửi tổ trưởng. Số văn bản lấy từ sổ đăng ký của xã; chạy lại không lập trùng văn bản nào.

**Ghi**: thư mục hồ sơ trong kho lưu trữ (`<YYYY>/<MM>/<DD>/<số>_<trích yếu>/`).

**Sau đó** mở một lượt `congkhai_evidence` cho mỗi hồ sơ (mã lượt `<xã>__<mã hồ sơ>`): các việc cần
người xác nhận (niêm yết, phát thanh, kết thúc niêm yết — *Bằng chứng công khai*). Hồ sơ đã có lượt
thì không mở lại.

---

**When**: each time intake announces new cases (the `congkhai://cases` asset), or by hand
(*Trigger* with a commune and a case id, to make a case's missing documents again).

**Does**, for each commune with new cases (one mapped task per commune, so a province's communes
spread over the workers), for every case intake filed and the pipeline has not yet taken (the commune's
*pending* list: collapsed events lose nothing), computes its schedule on the working-day calendar,
then renders, converts to PDF/A and files, in one batch: the activity plan (when the document is in no
item of the yearly plan), the start-of-posting minutes at the UBND board and at every residential
group's cultural house, and the notice to the group leaders. Numbers come from the commune's
register; a re-run makes nothing twice.

**Writes**: the case folder in the archive (`<YYYY>/<MM>/<DD>/<number>_<subject>/`).

**Then** starts one `congkhai_evidence` run per case (run id `<commune>__<case id>`): the required
actions in which people confirm the posting, the broadcast and the end of posting (*Bằng chứng
công khai*). A case that already has its run is not started again.
"""

from __future__ import annotations

from airflow.providers.standard.operators.trigger_dagrun import TriggerDagRunOperator
from airflow.sdk import Asset, Param, dag, get_current_context

from congkhai.airflow.dagkit import (
    CASES_URI,
    COMMON_DAG_ARGS,
    CONVERTER_POOL,
    EVIDENCE_DAG_ID,
    all_communes,
    announce_filed,
    archive_asset,
    evidence_run_id,
    print_summary,
    task,
)

CASES = Asset(CASES_URI)


@dag(
    dag_id="congkhai_issuance",
    dag_display_name="Ban hành → niêm yết: văn bản của hồ sơ mới",
    schedule=[CASES],
    tags=["congkhai", "pipeline"],
    doc_md=__doc__,
    **COMMON_DAG_ARGS,
    params={
        "commune": Param(None, type=["null", "string"], title="Mã xã / commune",
                         description="Để trống: mọi xã có hồ sơ mới. Empty: every commune with new cases."),
        "case_id": Param(None, type=["null", "string"], title="Mã hồ sơ / case id",
                         description="Ví dụ 20240325-15-qd-ubnd. Để trống: các hồ sơ mới."),
    },
)
def congkhai_issuance():
    @task(task_display_name="Xã có hồ sơ mới")
    def communes_with_new_cases() -> list[str]:
        """The form's commune, or every commune whose intake filed cases not yet taken."""
        from congkhai.intake.claim import pending_cases

        params = get_current_context()["params"]
        if params.get("commune"):
            return [params["commune"]]
        return [c for c in all_communes() if pending_cases(c)]

    @task(pool=CONVERTER_POOL, outlets=[archive_asset()], task_display_name="Lập văn bản niêm yết")
    def produce_posting_documents(commune: str) -> dict:
        """Schedule, render, convert and file the posting documents of the commune's new cases."""
        from congkhai.pipeline.runner import issuance_for_run

        ctx = get_current_context()
        result = issuance_for_run(commune=commune, case_id=ctx["params"].get("case_id"))
        announce_filed(ctx, commune, result)
        print_summary(f"{commune}: posting documents", result)
        return {"commune": commune, "cases": result["cases"], "filed": len(result["filed"]),
                "skipped": len(result["skipped"])}

    @task(task_display_name="Hồ sơ cần người xác nhận")
    def evidence_runs(results: list[dict]) -> list[dict]:
        """One congkhai_evidence run per case whose posting documents are filed and that needs a person."""
        from congkhai.pipeline.runner import cases_needing_evidence

        return [{"trigger_run_id": evidence_run_id(r["commune"], cid),
                 "conf": {"commune": r["commune"], "case_id": cid}}
                for r in results for cid in cases_needing_evidence(r["commune"], r["cases"])]

    filed = produce_posting_documents.expand(commune=communes_with_new_cases())
    TriggerDagRunOperator.partial(
        task_id="start_evidence", task_display_name="Mở lượt bằng chứng công khai", trigger_dag_id=EVIDENCE_DAG_ID, logical_date=None,
        skip_when_already_exists=True, wait_for_completion=False, openlineage_inject_parent_info=False,
    ).expand_kwargs(evidence_runs(filed))


congkhai_issuance()
