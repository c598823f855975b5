"""
### Thao tác của cán bộ với một hồ sơ

Năm DAG, mỗi DAG chạy bằng tay: bấm **Trigger**, điền biểu mẫu, bấm **Trigger** lần nữa.

- **Ghi nhận ngày niêm yết thực tế** (`congkhai_action_record_posting`): lịch công khai và biên bản
  niêm yết của hồ sơ theo ngày này (phiên bản mới; bản cũ vẫn lưu).
- **Ghi nhận ý kiến phản hồi** (`congkhai_action_feedback`): ý kiến của Nhân dân nhận được trong thời
  gian niêm yết, mỗi ý kiến một dòng; ghi vào biên bản kết thúc (lập lại nếu đã có).
- **Hủy hồ sơ** (`congkhai_action_cancel`): dừng xử lý hồ sơ (bỏ nhầm, văn bản bị thu hồi); các tệp vẫn lưu.
- **Sửa thông tin hồ sơ** (`congkhai_action_correct`): sửa điều máy đọc sai (trích yếu, mục kế hoạch,
  loại văn bản, người ký, yêu cầu niêm yết của công văn — JSON) rồi lập lại các văn bản liên quan.
- **Lập lại văn bản** (`congkhai_action_regenerate`): lập lại mọi văn bản của hồ sơ khi dữ liệu đầu
  vào đã đổi (ví dụ sau khi sửa hồ sơ đơn vị `commune.yaml`).

**Chọn hồ sơ**: danh sách *Hồ sơ* ghi `mã hồ sơ — số văn bản — trích yếu`, hồ sơ mới nhất trước; gõ
vài chữ để lọc. Hồ sơ cũ không có trong danh sách (hoặc vừa nhận chưa đầy một phút): ghi mã hồ sơ ở ô
*Hồ sơ khác*. Ghi nhầm số văn bản vào đó thì bước *Kiểm tra biểu mẫu* báo hồ sơ nào mang số ấy.

**Ngày ghi nhận**: do ô **Ngày** của biểu mẫu quyết định, không phải ô *Logical date* của Airflow (ô
ấy không dùng ở đây, để nguyên). *Ngày niêm yết thực tế* bắt buộc phải chọn: không có ngày mặc định.
Với ý kiến phản hồi, sửa hồ sơ và lập lại văn bản, để trống ô Ngày thì lấy **ngày bấm chạy** (hôm
nay); nhật ký của lượt chạy ghi rõ ngày nào đã dùng và vì sao. Không ghi được ngày chưa đến.

**Khi điền sai**: bước đầu *Kiểm tra biểu mẫu* thất bại, dòng lỗi đầu tiên của nhật ký nói bằng
tiếng Việt phải sửa gì; hồ sơ không bị thay đổi. Bấm Trigger lại với biểu mẫu đã sửa. Mỗi thao tác
được ghi vào lịch sử hồ sơ (`manifest.json`) cùng người bấm chạy.

---
*Operator actions* (English): five DAGs triggered by hand with a form (commune and case are
dropdowns built when Airflow parses this file: the configured communes and the newest cases of the
archive index). The first task checks the form and fails with a Vietnamese message; the second runs
the action (``congkhai.pipeline.actions``). The recorded day is the form's `ngay` field, else the
day the run was triggered — never the logical date.
"""

from __future__ import annotations

import datetime as dt

from airflow.sdk import dag, get_current_context

from congkhai.airflow import forms
from congkhai.airflow.dagkit import (
    CONVERTER_POOL,
    DEFAULT_ARGS,
    START,
    announce_filed,
    archive_asset,
    print_summary,
    task,
    trigger_day,
)

#: Actions do not retry by themselves: a person re-triggers after reading the error.
ACTION_ARGS = {**DEFAULT_ARGS, "retries": 0}

# Read once per parse (cheap: see congkhai.airflow.forms); every DAG gets its own Param objects.
COMMUNES = forms.commune_choices()
CASES = forms.case_choices(list(COMMUNES))
ITEMS = forms.plan_item_choices(list(COMMUNES))
DOC_TYPES = forms.doc_type_choices()

_DAY_LATER = ("Để trống: ngày bấm chạy (hôm nay). Không được sau hôm nay. Ô *Logical date* của Airflow "
              "không dùng.")


def _extra(name: str) -> dict:
    """The action's own fields (after commune and case)."""
    p = forms.param
    if name == "record_posting":
        return {"ngay": forms.date_param(
            "Ngày niêm yết thực tế",
            "Ngày văn bản thực sự được dán tại bảng tin UBND. Không có ngày mặc định: phải chọn. Lịch công "
            "khai và biên bản niêm yết theo ngày này; không được trước ngày ban hành, không được sau hôm nay.",
            required=True)}
    if name == "feedback":
        return {
            "text": p(None, type=["null", "string"], format="multiline", maxLength=4000,
                      title="Ý kiến phản hồi (mỗi ý kiến một dòng)",
                      description="Ý kiến của Nhân dân nhận được trong thời gian niêm yết; sẽ ghi vào biên "
                                  "bản kết thúc niêm yết. Bắt buộc."),
            "ngay": forms.date_param("Ngày nhận ý kiến", _DAY_LATER),
        }
    if name == "cancel":
        return {"reason": p(None, type=["null", "string"], format="multiline", maxLength=1000,
                            title="Lý do hủy (bắt buộc)", description="Ví dụ: bỏ nhầm văn bản; văn bản bị thu hồi.")}
    if name == "correct":
        return {
            "subject": p(None, type=["null", "string"], maxLength=500, title="Trích yếu",
                         description="Để trống: không sửa."),
            "item": forms.item_param(ITEMS),
            "doc_type": forms.doc_type_param(DOC_TYPES),
            "signer": p(None, type=["null", "string"], maxLength=120, title="Người ký",
                        description="Họ và tên người ký văn bản. Để trống: không sửa."),
            "posting_request": p(None, type=["null", "string"], format="multiline", title="Yêu cầu niêm yết (JSON)",
                                 description='Chỉ cho công văn đề nghị niêm yết. Ví dụ {"places": {"hq": true, '
                                             '"groups": ["tdp04"]}, "start": "2024-08-14", "end": "2024-09-12"}; '
                                             "ghi null để bỏ yêu cầu. Để trống: không sửa."),
            "ngay": forms.date_param("Ngày lập lại văn bản", _DAY_LATER + " Văn bản đã đến hạn vào ngày này "
                                     "(báo cáo phát thanh, biên bản kết thúc) được lập lại."),
        }
    if name == "regenerate":
        return {"ngay": forms.date_param("Ngày lập lại văn bản", _DAY_LATER + " Văn bản đã đến hạn vào ngày "
                                         "này (báo cáo phát thanh, biên bản kết thúc) được lập lại.")}
    raise ValueError(name)


#: name -> the Vietnamese title (the DAG's display name and the action task's).
ACTIONS = {
    "record_posting": "Ghi nhận ngày niêm yết thực tế",
    "feedback": "Ghi nhận ý kiến phản hồi",
    "cancel": "Hủy hồ sơ",
    "correct": "Sửa thông tin hồ sơ",
    "regenerate": "Lập lại văn bản",
}


def _explain_day(checked: dict) -> str:
    if "posted" in checked:
        return f"Ngày niêm yết thực tế: {dt.date.fromisoformat(checked['posted']):%d/%m/%Y} (ô Ngày)."
    if "day" not in checked:
        return ""
    day = f"{dt.date.fromisoformat(checked['day']):%d/%m/%Y}"
    return f"Ngày ghi nhận: {day} " + ("(ô Ngày)." if checked["day_source"] == "form"
                                      else "(ô Ngày để trống: ngày bấm chạy).")


def make_action_dag(name: str, title: str):
    @dag(
        dag_id=f"congkhai_action_{name}",
        dag_display_name=f"Thao tác: {title}",
        schedule=None,
        start_date=START,
        catchup=False,
        tags=["congkhai", "action"],
        default_args=ACTION_ARGS,
        doc_md=f"#### {title}\n\n" + __doc__,
        params={"commune": forms.commune_param(COMMUNES), **forms.case_params(CASES), **_extra(name)},
    )
    def action_dag():
        @task(task_id="check_form", task_display_name="Kiểm tra biểu mẫu")
        def check_form() -> dict:
            """Kiểm tra biểu mẫu: xã, hồ sơ, ngày, các trường bắt buộc; sai thì báo bằng tiếng Việt phải sửa gì."""
            ctx = get_current_context()
            checked = forms.check_action(name, dict(ctx["params"]), trigger_day(ctx))
            print(f"== {title}: hồ sơ {checked['case_id']} của {checked['commune']}. {_explain_day(checked)}")
            return checked

        @task(task_id=name, task_display_name=title, pool=CONVERTER_POOL, outlets=[archive_asset()])
        def run_action(checked: dict) -> dict:
            """Thực hiện thao tác, ghi vào lịch sử hồ sơ, lập lại các văn bản liên quan (phiên bản mới)."""
            from congkhai.pipeline.runner import action

            ctx = get_current_context()
            by = getattr(ctx["dag_run"], "triggering_user_name", None) or "airflow"
            kw: dict = {"by": by}
            if name == "record_posting":
                kw["posted"] = dt.date.fromisoformat(checked["posted"])
            elif name == "feedback":
                kw["text"] = checked["text"]
            elif name == "cancel":
                kw["reason"] = checked["reason"]
            elif name == "correct":
                kw["changes"] = checked["changes"]
            day = dt.date.fromisoformat(checked.get("day") or checked["posted"])
            result = action(name, checked["commune"], checked["case_id"], day, **kw)
            announce_filed(ctx, checked["commune"], result, changed=name == "cancel")
            if "filed" in result:
                print_summary(title, result)
            return result

        run_action(check_form())

    return action_dag()


for _name, _title in ACTIONS.items():
    make_action_dag(_name, _title)
