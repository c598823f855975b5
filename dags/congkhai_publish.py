"""
### Trang công khai cho người dân / The citizens' page

**Khi nào / When**: mỗi lần lưu trữ có văn bản mới (asset `congkhai://archive`, do các bước lưu văn bản
báo), hoặc bấm *Trigger* (chọn xã; để trống: mọi xã). Each time the archive files documents, or by hand.

**Làm gì / Does**: lập lại trang web tĩnh của xã (`congkhai publish`): những văn bản đang niêm yết hôm nay,
theo mục kế hoạch và theo tháng, trang từng văn bản (trích yếu, số, ngày ban hành, thời gian và nơi niêm
yết) với **bản PDF chính thức hoặc bản có chữ ký, đóng dấu**, và trang *Góp ý*. Không bao giờ đăng bản dự
thảo, tệp .docx, manifest hay đường dẫn của máy. Trang được ghi vào thư mục tạm rồi đổi chỗ một lần: người
xem không bao giờ thấy trang dở dang; nội dung không đổi thì không ghi lại.

**Ghi vào / Writes**: `CONGKHAI_SITE/<xã>/` (mặc định `CONGKHAI_DATA/site/<xã>/`): mở `index.html` từ đĩa
hoặc phục vụ thư mục bằng bất kỳ máy chủ web tĩnh nào. See docs/public-site.md.
"""

from __future__ import annotations

from airflow.sdk import Asset, Param, dag, get_current_context

from congkhai.airflow.dagkit import ARCHIVE_URI, COMMON_DAG_ARGS, all_communes, run_day, task

ARCHIVE = Asset(ARCHIVE_URI)


@dag(
    dag_id="congkhai_publish",
    schedule=[ARCHIVE],
    tags=["congkhai", "publish"],
    doc_md=__doc__,
    **COMMON_DAG_ARGS,
    params={
        "commune": Param(None, type=["null", "string"], title="Mã xã / commune",
                         description="Để trống: mọi xã. Empty: every commune."),
    },
)
def congkhai_publish():
    @task
    def communes_to_publish() -> list[str]:
        """The form's commune, the communes named by the archive's events, or every commune."""
        context = get_current_context()
        if context["params"].get("commune"):
            return [context["params"]["commune"]]
        named = sorted({str(e.extra["commune"]) for events in (context.get("triggering_asset_events") or {}).values()
                        for e in events if (e.extra or {}).get("commune")})
        return named or all_communes()

    @task
    def publish_site(commune: str) -> dict:
        """Build the commune's site for the run's day (atomic swap; unchanged bytes are not rewritten)."""
        from congkhai.config import settings
        from congkhai.pipeline.context import CommuneRun
        from congkhai.publish import build_site
        from congkhai.publish.settings import site_dir

        s = settings()
        result = build_site(CommuneRun(commune, s), run_day(get_current_context()), site_dir(commune, s))
        print(f"== {commune}: {result.summary_vi()}")
        return {"commune": commune, "cases": result.cases, "pdfs": result.pdfs, "changed": result.changed}

    publish_site.expand(commune=communes_to_publish())


congkhai_publish()
