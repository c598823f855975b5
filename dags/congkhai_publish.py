"""
### Trang công khai cho người dân / The citizens' page

**Khi nào / When**: mỗi lần lưu trữ có văn bản mới (asset `congkhai://archive`: mỗi bước lưu văn bản —
niêm yết, đến hạn, quý, tháng Một, HĐND, thao tác, bằng chứng, hồ sơ năm — báo xã nào vừa lưu bao nhiêu
văn bản; chỉ lập lại trang của xã có thay đổi: văn bản mới hoặc hồ sơ bị hủy), mỗi ngày lúc 00:20 (những gì "đang niêm yết hôm nay"
đổi theo ngày), hoặc bấm *Trigger* (chọn xã; để trống: mọi xã). After every filing (only the communes
whose public record changed: documents filed, a case cancelled), every day at 00:20, or by hand.

**Làm gì / Does**: lập lại trang web tĩnh của xã (`congkhai publish`): những văn bản đang niêm yết hôm nay,
theo mục kế hoạch và theo tháng, trang từng văn bản (trích yếu, số, ngày ban hành, thời gian và nơi niêm
yết) với **bản PDF chính thức hoặc bản có chữ ký, đóng dấu**, và trang *Góp ý*. Không bao giờ đăng bản dự
thảo, tệp .docx, manifest hay đường dẫn của máy. Trang được ghi vào thư mục tạm rồi đổi chỗ một lần: người
xem không bao giờ thấy trang dở dang; nội dung không đổi thì không ghi lại.

**Ghi vào / Writes**: `CONGKHAI_SITE/<xã>/` (mặc định `CONGKHAI_DATA/site/<xã>/`): mở `index.html` từ đĩa
hoặc phục vụ thư mục bằng bất kỳ máy chủ web tĩnh nào. See docs/public-site.md.
"""

from __future__ import annotations

from airflow.sdk import Param, dag, get_current_context
from airflow.timetables.assets import AssetOrTimeSchedule
from airflow.timetables.trigger import CronTriggerTimetable

from congkhai.airflow.dagkit import COMMON_DAG_ARGS, TZ, all_communes, archive_asset, run_day, task


def communes_that_filed(extras: list[dict]) -> list[str]:
    """The communes of archive events that changed their public record (an event without the flag counts)."""
    return sorted({str(x["commune"]) for x in extras if x.get("commune") and x.get("changed", x.get("filed", 1))})


@dag(
    dag_id="congkhai_publish",
    schedule=AssetOrTimeSchedule(timetable=CronTriggerTimetable("20 0 * * *", timezone=TZ),
                                 assets=[archive_asset()]),
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
        """The form's commune; after filings, the communes whose events changed something; else every commune."""
        from airflow.sdk.exceptions import AirflowSkipException

        context = get_current_context()
        if context["params"].get("commune"):
            return [context["params"]["commune"]]
        events = [e for evs in (context.get("triggering_asset_events") or {}).values() for e in evs]
        if not events:  # the daily run or a manual run without a commune
            return all_communes()
        named = communes_that_filed([dict(e.extra or {}) for e in events])
        if not named:
            raise AirflowSkipException("không xã nào có văn bản mới / nothing new was filed")
        return named

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
