"""
### Nhắc việc hằng sáng / Morning deadline alerts

**Khi nào**: 06:30 (giờ Việt Nam) mỗi ngày làm việc (bỏ qua cuối tuần, ngày lễ, Tết; chạy cả thứ Bảy
làm bù), trước `congkhai_daily`. Ngày xét là ngày logic của lượt chạy.

**Làm gì**, cho từng xã/thị trấn (một task mỗi xã):
1. *send_alerts*: gửi **bản tin việc trong ngày** cho người phụ trách — số việc
   ("Hôm nay: 2 văn bản cần niêm yết, 1 quá hạn"), rồi mỗi dòng một hồ sơ: mã hồ sơ, số/ký hiệu,
   trích yếu, việc phải làm, hạn, số ngày trễ; và đường dẫn tới trang **Công khai**. Không có việc
   nào đến hạn thì không gửi (nhật ký ghi rõ). Mỗi việc bắt buộc (Xác nhận niêm yết, Xác nhận phát
   thanh, Kết thúc niêm yết) **quá hạn** mà chưa ai trả lời: gửi thêm một **cảnh báo** nêu tên việc và
   hồ sơ, một lần cho mỗi việc.

**Người nhận** ghi trong `communes/<xã>/commune.yaml`, mục `alerts:` (e-mail, mã kết nối Apprise);
máy chủ SMTP và mật khẩu nằm trong kết nối Airflow `smtp_default`, không bao giờ trong hồ sơ xã.
Tin đã gửi được ghi lại (`state/<xã>/alerts/sent.json`): chạy lại không gửi trùng. Xem docs/alerts.md.

*English*: every working day at 06:30 (Vietnam), per commune: the day's digest (counts, one line per
case due, the cockpit link) by e-mail (`SmtpNotifier`) and Apprise, nothing when nothing is due, and
one alert per required action gone overdue. Recipients in the profile, secrets in Airflow connections.
"""

from __future__ import annotations

from airflow.sdk import dag, get_current_context

from congkhai.airflow.dagkit import COMMON_DAG_ARGS, communes_task, run_day, task
from congkhai.airflow.timetable import WorkingDayTimetable


@dag(
    dag_id="congkhai_alerts",
    schedule=WorkingDayTimetable(at="06:30"),
    tags=["congkhai", "calendar", "alerts"],
    doc_md=__doc__,
    **COMMON_DAG_ARGS,
)
def congkhai_alerts():
    @task
    def send_alerts(commune: str) -> dict:
        """The commune's digest of the day and its new overdue alerts, to every configured recipient."""
        from airflow.configuration import conf

        from congkhai.cockpit.alerts import send_alerts as send
        from congkhai.config import settings
        from congkhai.pipeline.context import CommuneRun

        context = get_current_context()
        day = run_day(context)
        result = send(CommuneRun(commune, settings()), day, context=dict(context),
                      base_url=conf.get("api", "base_url", fallback=None) or None)
        for line in result.notes:
            print(line)
        for label in result.sent:
            print(f"   + đã gửi / sent: {label}")
        for label in result.skipped:
            print(f"   = đã gửi trước đó / already sent: {label}")
        return result.to_dict()

    send_alerts.expand(commune=communes_task())


congkhai_alerts()
