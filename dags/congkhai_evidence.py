"""
### Bằng chứng công khai / Evidence: what people record about each case

Biên bản và báo cáo chỉ có giá trị khi mỗi sự việc ghi trong đó do người có mặt xác nhận. Mỗi hồ
sơ mới có **một lượt chạy** của DAG này (mã lượt `<xã>__<mã hồ sơ>`, ví dụ
`kep__20240325-15-qd-ubnd`), do `congkhai_issuance` khởi động sau khi đã lập xong văn bản niêm
yết. Các câu hỏi hiện trong mục **Required actions** (Việc cần làm) của Airflow, đúng ngày:

1. **Xác nhận niêm yết** — hỏi từ ngày niêm yết, hạn là hạn công khai: ngày và **giờ** niêm yết,
   nơi niêm yết (bảng tin UBND và nhà văn hóa các tổ dân phố / thôn), người niêm yết, người chứng kiến;
2. **Xác nhận phát thanh** (khi nội dung được phát trên Đài) — hỏi từ ngày phát cuối: các ngày và
   buổi đã phát, người phát;
3. **Kết thúc niêm yết** — hỏi từ ngày kết thúc: các ý kiến phản hồi đã nhận, hoặc đánh dấu rõ
   *không nhận được ý kiến nào*;
4. **Số văn bản do văn thư cấp** (chỉ khi xã ghi số bằng tay) — có thể trả lời sau.

Biểu mẫu điền sẵn theo lịch công khai: trường hợp bình thường chỉ cần kiểm tra và bấm **OK**. Điều
không thể biết trước (giờ niêm yết, người niêm yết khi hồ sơ đơn vị còn tên mẫu, giờ phát) để trống
và phải ghi. Mỗi câu trả lời được ghi vào hồ sơ (`manifest.json`, mục `evidence`) cùng **người trả
lời** (tài khoản Airflow) và **thời điểm**, rồi các văn bản liên quan được lập lại (phiên bản mới;
bản cũ vẫn lưu). Câu hỏi không bao giờ tự trả lời: chưa ai trả lời thì việc vẫn chờ, và DAG
`congkhai_daily` báo hồ sơ *chờ xác nhận* khi quá hạn. Trả lời sai (ví dụ để trống ý kiến mà
không đánh dấu "không có") thì bước *Ghi nhận* báo lỗi bằng tiếng Việt: chọn lại câu hỏi đó →
**Clear** (kèm các bước sau) để trả lời lại. Muốn sửa một câu trả lời đã ghi: **Clear** câu hỏi đó.

**Why a triggered run per case** (not an asset event): asset events collapse (several cases may
start one run) and a run cannot be named after its case; `TriggerDagRunOperator`, mapped over the
new case ids in `congkhai_issuance`, gives each case its own run with `conf` `{commune, case_id}`
and a run id naming it (`skip_when_already_exists`: re-running issuance starts nothing twice). The
requests wait deferred until due (a `DateTimeTrigger`), then in `awaiting_input` (no worker slot).
Set `CONGKHAI_EVIDENCE_ASK_NOW=1` to ask every section at once (tests, demonstrations).
"""

from __future__ import annotations

from airflow.sdk import Param, dag, get_current_context

from congkhai.airflow.dagkit import (
    CONVERTER_POOL,
    DEFAULT_ARGS,
    EVIDENCE_DAG_ID,
    START,
    announce_filed,
    archive_asset,
    print_summary,
    run_day,
    task,
)
from congkhai.airflow.evidence_forms import EvidenceRequest, case_params
from congkhai.evidence import SECTION_TITLES_VI

#: Runs stay open for weeks (until the end of posting is confirmed): one per open case of every commune.
MAX_OPEN_CASES = 10_000


@dag(
    dag_id=EVIDENCE_DAG_ID,
    dag_display_name="Bằng chứng công khai (việc cần làm của từng hồ sơ)",
    schedule=None,
    start_date=START,
    catchup=False,
    max_active_runs=MAX_OPEN_CASES,
    is_paused_upon_creation=False,
    tags=["congkhai", "evidence"],
    default_args=DEFAULT_ARGS,
    doc_md=__doc__,
    params={
        # Free text, not dropdowns: congkhai_issuance starts a run for each new case, before this file is
        # parsed again (a dropdown would refuse the new case id).
        "commune": Param("kep", type="string", minLength=1, title="Mã xã",
                         description="Do congkhai_issuance điền khi lập xong văn bản niêm yết của hồ sơ."),
        "case_id": Param("", type="string", minLength=1, title="Mã hồ sơ",
                         description="Do congkhai_issuance điền; mã hồ sơ ghi trên trang Công khai (trang của "
                                     "hồ sơ), ví dụ 20240325-15-qd-ubnd. Mỗi hồ sơ chỉ có một lượt chạy."),
    },
)
def congkhai_evidence():
    @task(pool=CONVERTER_POOL, outlets=[archive_asset()])
    def record_answer(section: str, response: dict) -> dict:
        """Record the person's answer in the case (who, when, the facts) and remake its documents."""
        from congkhai.airflow.evidence_forms import record_response

        ctx = get_current_context()
        commune, case_id = case_params(ctx)
        result = record_response(commune, case_id, section, response, run_day(ctx))
        announce_filed(ctx, commune, result)
        if "not_recorded" in result:
            print(f"== {case_id} {section}: {result['not_recorded']}")
        else:
            print_summary(f"{case_id}: {SECTION_TITLES_VI[section]} — {result['by']} {result['at']}", result)
        return {"section": section, "by": result["by"], "filed": len(result.get("filed", []))}

    def ask_then_record(section: str, **kw):
        title = SECTION_TITLES_VI[section]
        ask = EvidenceRequest(task_id=f"ask_{section}", task_display_name=title, section=section, **kw)
        recorded = record_answer.override(task_id=f"record_{section}", task_display_name=f"Ghi nhận: {title}")(
            section=section, response=ask.output)
        return ask, recorded

    _, posted = ask_then_record("posting")
    for later in ("broadcast", "end"):
        # Asked once the posting step is over (their dates follow the posting date a person gave),
        # even when its documents could not be remade: the answer is kept in the case all the same.
        ask, _ = ask_then_record(later, trigger_rule="all_done")
        posted >> ask
    ask_then_record("numbers")


congkhai_evidence()
