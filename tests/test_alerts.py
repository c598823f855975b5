"""Deadline alerts: the morning digest and the overdue alerts reach a real SMTP server (and Apprise).

GIVEN the cockpit's real archive of Kép (``tests/cockpit_support.py``: six cases filed and answered by the
pipeline; on 02/04/2024 15/QĐ-UBND is late with two overdue actions, 21/QĐ-UBND late for its late posting,
30/QĐ-UBND waiting for its posting and on the radio), a profile whose ``alerts:`` names two addresses, an
SMTP connection (``AIRFLOW_CONN_SMTP_TEST``) pointing at a real aiosmtpd server on 127.0.0.1
WHEN the alerts of a day are sent through Airflow's notifiers (directly, and by the real DAG)
THEN the server receives the digest (Vietnamese subject, To, NFC body, counts, the case ids of what is
due, the cockpit link) and one alert per overdue required action; nothing is sent twice, nothing when
nothing is due, nothing when alerts are disabled; a case's text is never evaluated as a template.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import json
import socket
import threading
import unicodedata
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from congkhai.cockpit import alerts
from congkhai.errors import ConfigError, TransientError
from tests.cockpit_support import (
    CANCELLED,
    ENDED,
    LATE,
    ON,
    PENDING,
    POSTING,
    WAITING,
    cockpit_archive,
    real_commune,
)
from tests.conftest import REPO

pytestmark = pytest.mark.slow

TO = ["van-phong@kep.example", "chu-tich@kep.example"]
BASE = "http://10.0.0.5:8080"
ALERTS_BLOCK = """
alerts:
  enabled: true
  email: [van-phong@kep.example, chu-tich@kep.example]
  smtp_conn_id: smtp_test
{apprise}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """What the aiosmtpd server received: (envelope recipients, parsed message)."""

    def __init__(self) -> None:
        self.mails: list[tuple[list[str], email.message.EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001 - aiosmtpd's handler API
        self.mails.append((list(envelope.rcpt_tos),
                           email.message_from_bytes(envelope.content, policy=email.policy.default)))
        return "250 OK"

    def subjects(self) -> list[str]:
        return [m["Subject"] for _, m in self.mails]


@pytest.fixture(scope="module")
def smtp():
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller.port, inbox
    controller.stop()


class Collected(BaseHTTPRequestHandler):
    received: list[dict] = []

    def do_POST(self):  # noqa: N802 - http.server's API
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        type(self).received.append(json.loads(body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):  # quiet
        pass


@pytest.fixture(scope="module")
def chat():
    """A tiny local HTTP service for Apprise's ``json://`` target."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Collected)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1], Collected.received
    server.shutdown()


@pytest.fixture(scope="module")
def built():
    return cockpit_archive()


def profile(tmp_path, block: str) -> object:
    communes = real_commune(tmp_path)
    yaml = communes / "kep" / "commune.yaml"
    text = yaml.read_text(encoding="utf-8")
    start = text.index("\nalerts:\n")
    end = text.index("\nnotes:\n")
    yaml.write_text(text[:start] + block + text[end:], encoding="utf-8")
    return communes


@pytest.fixture
def setup(built, smtp, tmp_path, monkeypatch):
    """Kép reading the built archive, alerts on, its own state folder (the ledger), the SMTP connection."""
    from congkhai.config import settings
    from congkhai.pipeline.context import CommuneRun

    port, inbox = smtp
    inbox.mails.clear()
    communes = profile(tmp_path, ALERTS_BLOCK.format(apprise=""))
    monkeypatch.setenv("CONGKHAI_ARCHIVE", str(built.archive))
    monkeypatch.setenv("CONGKHAI_COMMUNES", str(communes))
    monkeypatch.setenv("CONGKHAI_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("AIRFLOW_CONN_SMTP_TEST", json.dumps({
        "conn_type": "smtp", "host": "127.0.0.1", "port": port,
        "extra": {"from_email": "congkhai@kep.example", "disable_ssl": True, "disable_tls": True,
                  "retry_limit": 0, "timeout": 5}}))
    return CommuneRun("kep", settings()), inbox


def html_of(msg: email.message.EmailMessage) -> str:
    part = next(p for p in msg.walk() if p.get_content_type() == "text/html")
    return part.get_content()


def test_the_digest_and_the_overdue_alerts_reach_a_real_smtp_server(setup) -> None:
    """GIVEN 02/04/2024 WHEN the alerts are sent THEN the digest arrives with its Vietnamese subject, both
    recipients, the counts, one line per case due (not the ended nor the cancelled one) and the cockpit link;
    then one alert for each overdue required action of 15/QĐ-UBND; a second run sends nothing."""
    run, inbox = setup
    result = alerts.send_alerts(run, ON, base_url=BASE + "/")
    assert not result.failed
    assert inbox.subjects()[0] == ("Công khai thị trấn Kép ngày 02/04/2024: 1 văn bản cần niêm yết, "
                                   "1 văn bản phát thanh trên đài, 2 quá hạn")
    rcpt, digest = inbox.mails[0]
    assert sorted(rcpt) == sorted(TO) and digest["To"] == ", ".join(TO)
    assert digest["From"] == "congkhai@kep.example"
    body = html_of(digest)
    assert unicodedata.is_normalized("NFC", body) and unicodedata.is_normalized("NFC", digest["Subject"])
    assert "Hôm nay: 1 văn bản cần niêm yết, 1 văn bản phát thanh trên đài, 2 quá hạn." in body
    for case_id in (PENDING, LATE, WAITING):
        assert case_id in body
    for case_id in (ENDED, POSTING, CANCELLED):
        assert case_id not in body
    assert "15/QĐ-UBND" in body and "Dự toán ngân sách, kế hoạch tài chính năm 2024" in body
    assert "Xác nhận niêm yết</b>" in body and "Hạn 01/04/2024" in body and "trễ 1 ngày" in body
    assert "Hạn 05/04/2024" in body  # 30/QĐ-UBND: waiting, not late
    assert "sau hạn công khai 18/03/2024" in body  # 21/QĐ-UBND: late for its late posting
    assert f'href="{BASE}/congkhai-cockpit/?commune=kep&amp;on=2024-04-02"' in body
    assert f'href="{BASE}/congkhai-cockpit/case/{PENDING}?commune=kep&amp;on=2024-04-02"' in body
    # No person is named: neither a (sample) civil servant nor who answered.
    assert "Mẫu" not in body and "Lê Thị Hoa" not in body

    assert inbox.subjects()[1:] == [
        f"QUÁ HẠN: Xác nhận phát thanh — 15/QĐ-UBND ({PENDING}) — thị trấn Kép",
        f"QUÁ HẠN: Xác nhận niêm yết — 15/QĐ-UBND ({PENDING}) — thị trấn Kép"]
    alert = html_of(inbox.mails[2][1])
    assert "đã quá hạn 01/04/2024" in alert and f"kep__{PENDING}" in alert and "Required actions" in alert
    assert sorted(result.sent) == sorted([
        "digest:2024-04-02 → email", f"overdue:{PENDING}:broadcast:2024-03-29 → email",
        f"overdue:{PENDING}:posting:2024-04-01 → email"])

    again = alerts.send_alerts(run, ON, base_url=BASE)
    assert again.sent == [] and len(again.skipped) == 3 and len(inbox.mails) == 3
    # The next day: a new digest; the same overdue actions are not alerted again.
    alerts.send_alerts(run, ON + dt.timedelta(days=1), base_url=BASE)
    assert len(inbox.mails) == 4 and inbox.subjects()[3].startswith("Công khai thị trấn Kép ngày 03/04/2024")


def test_nothing_due_sends_nothing_and_says_so(setup) -> None:
    """GIVEN 26/02/2024, when 08/QĐ-UBND is issued and only the clerk's numbers (no due date) are asked,
    and 25/02 with no case at all WHEN the alerts are sent THEN no message, and the log says why."""
    run, inbox = setup
    for day in (dt.date(2024, 2, 26), dt.date(2024, 2, 25)):
        result = alerts.send_alerts(run, day, base_url=BASE)
        assert result.sent == [] and result.messages == []
        assert any("không có việc nào đến hạn" in n for n in result.notes), result.notes
    assert inbox.mails == []


def test_disabled_or_without_recipients_sends_nothing(setup, tmp_path, monkeypatch) -> None:
    """GIVEN Kép's shipped profile (its alerts block is a disabled sample) and a profile with alerts on but
    nobody to send to WHEN the alerts of a busy day are sent THEN nothing is sent and the note says why."""
    from congkhai.config import settings
    from congkhai.pipeline.context import CommuneRun

    _, inbox = setup
    monkeypatch.setenv("CONGKHAI_COMMUNES", str(REPO / "communes"))
    shipped = CommuneRun("kep", settings())
    assert shipped.commune.alerts.enabled is False and shipped.commune.alerts.email == []
    result = alerts.send_alerts(shipped, ON)
    assert result.sent == [] and "đang tắt" in result.notes[0]

    monkeypatch.setenv("CONGKHAI_COMMUNES", str(profile(tmp_path / "b", "\nalerts: {enabled: true}\n")))
    result = alerts.send_alerts(CommuneRun("kep", settings()), ON)
    assert result.sent == [] and "chưa có người nhận" in result.notes[0]
    assert inbox.mails == []


def test_text_is_escaped_and_never_a_template(setup) -> None:
    """GIVEN 17/04/2024, when the end of 12/QĐ-UBND (subject with '&' and '<mục tiêu>') is due, and a message
    whose subject and body hold Jinja markup WHEN rendered and sent THEN the HTML escapes the subject, the
    plain text keeps it, and the notifier sends the markup literally (it renders only its own fields)."""
    run, inbox = setup
    digest, messages = alerts.messages_for(run, dt.date(2024, 4, 17), BASE)
    assert POSTING in {ln.case_id for ln in digest.actions}
    assert "&amp; &lt;mục tiêu&gt;" in messages[0].html and "<mục tiêu>" not in messages[0].html
    assert "& <mục tiêu>" in messages[0].text

    trap = alerts.Message("digest", "x", "Hôm nay: {{ 7 * 7 }} việc", "t", "<p>{{ dag_run }} {% raw %}</p>")
    alerts._smtp_send(trap, ["a@kep.example"], "smtp_test", {})
    got = inbox.mails[-1][1]
    assert got["Subject"] == "Hôm nay: {{ 7 * 7 }} việc"
    assert html_of(got).strip() == "<p>{{ dag_run }} {% raw %}</p>"


def test_apprise_gets_the_plain_text_and_a_failed_channel_is_retried_alone(setup, chat, tmp_path,
                                                                          monkeypatch) -> None:
    """GIVEN alerts to e-mail and to an Apprise connection (``json://`` to a local HTTP service) WHEN sent
    THEN the service receives the digest's title and plain text; GIVEN a second Apprise connection that is
    unreachable THEN e-mail and the first still get everything, the run fails (to be retried) and the retry
    sends only to the unreachable one."""
    from congkhai.config import settings
    from congkhai.pipeline.context import CommuneRun

    run, inbox = setup
    port, received = chat
    received.clear()
    monkeypatch.setenv("AIRFLOW_CONN_APPRISE_TEST", json.dumps(
        {"conn_type": "apprise", "extra": {"config": {"path": f"json://127.0.0.1:{port}/"}}}))
    monkeypatch.setenv("AIRFLOW_CONN_APPRISE_DOWN", json.dumps(
        {"conn_type": "apprise", "extra": {"config": {"path": f"json://127.0.0.1:{free_port()}/"}}}))
    communes = profile(tmp_path / "p", ALERTS_BLOCK.format(apprise="  apprise: [apprise_test, apprise_down]"))
    monkeypatch.setenv("CONGKHAI_COMMUNES", str(communes))
    run = CommuneRun("kep", settings())

    with pytest.raises(TransientError, match="không gửi được 3 tin nhắc việc"):
        alerts.send_alerts(run, ON, base_url=BASE)
    assert len(inbox.mails) == 3 and len(received) == 3
    first = received[0]
    assert first["title"].startswith("Công khai thị trấn Kép ngày 02/04/2024")
    assert first["message"].startswith("Hôm nay: 1 văn bản cần niêm yết, 1 văn bản phát thanh trên đài, 2 quá hạn.")
    assert PENDING in first["message"] and "<" not in first["message"].split("Trang Công khai")[0].replace(
        "<mục tiêu>", "")
    assert f"{BASE}/congkhai-cockpit/?commune=kep&on=2024-04-02" in first["message"]
    assert first["type"] == "info" and received[1]["type"] == "failure"

    with pytest.raises(TransientError) as err:
        alerts.send_alerts(run, ON, base_url=BASE)
    assert "apprise:apprise_down" in str(err.value.message_vi)
    assert len(inbox.mails) == 3 and len(received) == 3  # what was delivered is not sent again


def test_the_profile_refuses_secrets_and_bad_addresses(tmp_path, monkeypatch) -> None:
    """GIVEN an Apprise URL (it holds a token) or a malformed address in ``alerts:`` WHEN the profile loads
    THEN it is refused, in Vietnamese, naming the field."""
    from congkhai.commune import load_commune
    from congkhai.config import settings

    for i, (block, words) in enumerate((
            ("\nalerts: {apprise: ['tgram://123456:ABCDEF/987']}\n", "kết nối Airflow"),
            ("\nalerts: {email: ['van phong@kep']}\n", "e-mail không hợp lệ"),
            ("\nalerts: {email: [a@kep.example], smtp_host: mail.kep.example}\n", "alerts.smtp_host"))):
        monkeypatch.setenv("CONGKHAI_COMMUNES", str(profile(tmp_path / str(i), block)))
        with pytest.raises(ConfigError) as err:
            load_commune("kep", settings())
        assert words in err.value.message_vi and "alerts" in err.value.message_vi


def test_the_cockpit_path_is_the_web_app_s() -> None:
    from congkhai.cockpit.webapp import MOUNT

    assert alerts.COCKPIT_PATH == MOUNT


def test_the_dag_parses_into_one_mapped_task_per_commune() -> None:
    """GIVEN dags/congkhai_alerts.py WHEN Airflow parses it THEN no import error, a working-day timetable at
    06:30 in Vietnam, a Vietnamese doc, and the send task mapped over the communes."""
    from airflow.dag_processing.dagbag import DagBag

    from congkhai.airflow.timetable import WorkingDayTimetable

    bag = DagBag(dag_folder=str(REPO / "dags" / "congkhai_alerts.py"))
    assert bag.import_errors == {}
    dag = bag.dags["congkhai_alerts"]
    assert dag.timetable == WorkingDayTimetable(at="06:30")
    assert dag.doc_md.startswith("\n### Nhắc việc hằng sáng")
    assert {t.task_id for t in dag.tasks} == {"communes", "send_alerts"}
    assert dag.get_task("send_alerts").upstream_task_ids == {"communes"}
    send = dag.get_task("send_alerts")
    func = getattr(send, "python_callable", None) or send.partial_kwargs.get("python_callable")
    assert getattr(func, "congkhai_fail_fast", False)  # declared with dagkit.task


@pytest.mark.airflow
def test_the_dag_sends_the_digest(setup, airflow_db, monkeypatch) -> None:
    """GIVEN the DAG and the profile above WHEN Airflow runs it for 02/04/2024 06:30 (Vietnam) THEN the SMTP
    server receives the digest of that day from the task (a context from Airflow, the link from
    ``[api] base_url``)."""
    import pendulum
    from airflow.dag_processing.dagbag import DagBag

    _, inbox = setup
    monkeypatch.setenv("AIRFLOW__API__BASE_URL", BASE)
    monkeypatch.setenv("CONGKHAI_ONLY_COMMUNES", "kep")
    dag = DagBag(dag_folder=str(REPO / "dags" / "congkhai_alerts.py")).dags["congkhai_alerts"]
    run = dag.test(logical_date=pendulum.datetime(2024, 4, 2, 6, 30, tz="Asia/Ho_Chi_Minh"))
    assert "success" in str(run.state)
    assert inbox.subjects()[0].startswith("Công khai thị trấn Kép ngày 02/04/2024: 1 văn bản cần niêm yết")
    assert f"{BASE}/congkhai-cockpit/?commune=kep" in html_of(inbox.mails[0][1])
    assert len(inbox.mails) == 3
