"""Deadline alerts: a commune's morning digest and the alert for a required action gone overdue.

What is due comes from :mod:`congkhai.cockpit.status` (``commune_status`` and ``day_work``: the same
facts the cockpit page and ``congkhai status`` show); nothing is recomputed here. For one commune and
one day:

- the **digest** (*bản tin việc trong ngày*): one count line (``Hôm nay: 2 văn bản cần niêm yết,
  1 quá hạn``), then one line per required action with a due date that waits for a person (overdue
  first: case id, số/ký hiệu, trích yếu, what is due, its due date, days late), the cases late for
  another reason (posted after the deadline, posting documents not made), the broadcasts of the day,
  and the link to the cockpit page. The clerk's numbers (no due date) are not listed. Nothing due: no
  digest (:attr:`Digest.empty`).
- one **overdue alert** per required action (posting, broadcast, end) past its due date without an
  answer, naming the action and the case — sent once per action and due date.

Who receives them is the commune's profile (``commune.yaml``, ``alerts:``: e-mail addresses and Airflow
connection ids of Apprise services); how to reach them is Airflow's connections (the SMTP server, its
login, chat tokens), never the profile. :func:`send_alerts` sends through Airflow's notifiers
(``SmtpNotifier``; ``AppriseNotifier``, checked) and records each message sent per channel in the
commune's state (``state/<xã>/alerts/sent.json``), so a retried or repeated run sends nothing twice.

The text is rendered by Jinja2 templates (``templates/alerts/``: the HTML autoescaped). The notifiers'
own template fields only name the rendered text in the context (``{{ congkhai_alert.html }}``): a
case's subject is never read as a template.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from congkhai.archive import fsutil
from congkhai.cockpit.status import CaseStatus, DayWork, PendingAction, commune_status, day_work, vn_date
from congkhai.errors import TransientError
from congkhai.pipeline.context import CommuneRun
from congkhai.textutil import nfc

log = logging.getLogger(__name__)

#: Where the cockpit page is mounted in Airflow's api-server (``cockpit.webapp.MOUNT``; not imported:
#: the web app pulls in FastAPI).
COCKPIT_PATH = "/congkhai-cockpit"
TEMPLATES = Path(__file__).parent / "templates" / "alerts"
#: The sections whose unanswered action has a due date (the clerk's numbers have none).
DATED_SECTIONS = ("posting", "broadcast", "end")
#: The count line's words, in its order: (key, what is counted).
COUNT_WORDS = (
    ("posting", "văn bản cần niêm yết"),
    ("broadcast", "văn bản cần xác nhận phát thanh"),
    ("end", "văn bản cần kết thúc niêm yết"),
    ("on_air", "văn bản phát thanh trên đài"),
    ("late", "quá hạn"),
)
#: The context key under which the notifiers find the rendered message, and their template fields: they
#: only name it, so Airflow's rendering never reads a case's text as a template.
CONTEXT_KEY = "congkhai_alert"
FIELD_SUBJECT, FIELD_HTML, FIELD_TEXT = (
    "{{ congkhai_alert.subject }}", "{{ congkhai_alert.html }}", "{{ congkhai_alert.text }}")


# ------------------------------------------------------------------------------------------ the facts

@dataclass(frozen=True)
class Line:
    """One case in a message: what is due for it (or why it is late)."""

    section: str  # posting | broadcast | end (a required action), late, on_air
    case_id: str
    notation: str
    subject: str
    what: str  # the required action's title, or a late reason
    due: dt.date | None
    overdue: bool
    days_late: int
    url: str  # the case's page (absolute with a base URL, else the path)

    @property
    def name(self) -> str:
        return self.notation or "Văn bản không số"


@dataclass(frozen=True)
class Digest:
    """The digest of one commune for one day."""

    commune: str
    commune_name: str
    day: dt.date
    counts: dict[str, int]
    actions: tuple[Line, ...]  # required actions with a due date, overdue first
    late: tuple[Line, ...]  # cases late with no overdue action (late posting, no posting documents)
    on_air: tuple[Line, ...]  # broadcast on the radio that day
    page_url: str
    absolute: bool  # page_url is a full address (a base URL was configured)

    @property
    def empty(self) -> bool:
        return not (self.actions or self.late or self.on_air)

    @property
    def summary(self) -> str:
        """``2 văn bản cần niêm yết, 1 quá hạn`` (the non-zero counts)."""
        return ", ".join(f"{self.counts[k]} {words}" for k, words in COUNT_WORDS if self.counts.get(k))


@dataclass(frozen=True)
class Message:
    """A rendered message: ``key`` names it in the ledger (one send per key and channel)."""

    kind: str  # digest | overdue
    key: str
    subject: str
    text: str
    html: str


def _case_url(base: str, commune: str, case_id: str, day: dt.date) -> str:
    return f"{base}{COCKPIT_PATH}/case/{quote(case_id)}?{urlencode({'commune': commune, 'on': day.isoformat()})}"


def _line(section: str, s: CaseStatus, what: str, due: dt.date | None, overdue: bool, days_late: int,
          url: str) -> Line:
    return Line(section=section, case_id=s.case_id, notation=s.notation, subject=s.subject, what=what, due=due,
                overdue=overdue, days_late=days_late, url=url)


def digest_of(run: CommuneRun, day: dt.date, work: DayWork, base_url: str | None = None) -> Digest:
    """The digest of ``day`` from the day's work (:func:`congkhai.cockpit.status.day_work`)."""
    base = (base_url or "").rstrip("/")

    def url(s: CaseStatus) -> str:
        return _case_url(base, run.code, s.case_id, day)

    actions = tuple(_line(a.section, s, a.title, a.due, a.overdue, a.days_late, url(s))
                    for s, a in work.actions if a.section in DATED_SECTIONS and a.due is not None)
    with_overdue = {ln.case_id for ln in actions if ln.overdue}
    late = tuple(_line("late", s, "; ".join(s.late_reasons), None, True, s.days_late, url(s))
                 for s in work.late if s.case_id not in with_overdue)
    on_air = tuple(_line("on_air", s, "Phát thanh trên đài", None, False, 0, url(s)) for s in work.broadcasts)
    counts = {k: sum(1 for ln in actions if not ln.overdue and ln.section == k) for k in DATED_SECTIONS}
    counts["on_air"] = len(on_air)
    counts["late"] = len(work.late)
    page = f"{base}{COCKPIT_PATH}/?{urlencode({'commune': run.code, 'on': day.isoformat()})}"
    return Digest(commune=run.code, commune_name=run.commune_on(day).name, day=day, counts=counts, actions=actions,
                  late=late, on_air=on_air, page_url=page, absolute=bool(base))


def overdue_actions(work: DayWork) -> list[tuple[CaseStatus, PendingAction]]:
    """The required actions past their due date without an answer (most days late first)."""
    return [(s, a) for s, a in work.actions if a.overdue and a.section in DATED_SECTIONS]


# ------------------------------------------------------------------------------------------ rendering

@cache
def _env() -> Any:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    env = Environment(loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined,
                      autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True,
                      keep_trailing_newline=True)
    env.filters["vn"] = vn_date
    return env


def _render(name: str, **values: Any) -> str:
    return nfc(_env().get_template(name).render(**values))


def digest_message(d: Digest) -> Message:
    subject = nfc(f"Công khai {d.commune_name} ngày {vn_date(d.day)}: {d.summary}")
    values = {"d": d, "subject": subject}
    return Message("digest", f"digest:{d.day.isoformat()}", subject,
                   _render("digest.txt", **values), _render("digest.html", **values))


def overdue_messages(run: CommuneRun, day: dt.date, work: DayWork, base_url: str | None = None) -> list[Message]:
    """One alert per overdue required action, keyed by case, action and due date."""
    base = (base_url or "").rstrip("/")
    name = run.commune_on(day).name  # the commune's name that day (a profile may rename it)
    out = []
    for s, a in overdue_actions(work):
        ln = _line(a.section, s, a.title, a.due, True, a.days_late, _case_url(base, run.code, s.case_id, day))
        subject = nfc(f"QUÁ HẠN: {a.title} — {ln.name} ({s.case_id}) — {name}")
        values = {"ln": ln, "subject": subject, "commune_name": name, "day": day,
                  "run_id": f"{run.code}__{s.case_id}", "absolute": bool(base)}
        out.append(Message("overdue", f"overdue:{s.case_id}:{a.section}:{a.due.isoformat() if a.due else ''}",
                           subject, _render("overdue.txt", **values), _render("overdue.html", **values)))
    return out


# ------------------------------------------------------------------------------------------- sending

class Ledger:
    """What was sent, per message key and channel (``state/<xã>/alerts/sent.json``)."""

    def __init__(self, run: CommuneRun) -> None:
        self.path = run.settings.state_dir(run.code) / "alerts" / "sent.json"
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        self.data: dict[str, dict[str, str]] = data if isinstance(data, dict) else {}

    def sent(self, key: str, channel: str) -> bool:
        return channel in self.data.get(key, {})

    def record(self, key: str, channel: str, at: dt.datetime) -> None:
        self.data.setdefault(key, {})[channel] = at.isoformat(timespec="seconds")
        fsutil.make_dirs(self.path.parent)
        fsutil.atomic_replace_bytes(self.path, json.dumps(self.data, ensure_ascii=False, indent=1,
                                                          sort_keys=True).encode("utf-8"))


def _smtp_send(message: Message, to: list[str], conn_id: str, context: dict[str, Any]) -> None:
    from airflow.providers.smtp.notifications.smtp import SmtpNotifier

    notifier = SmtpNotifier(to=list(to), smtp_conn_id=conn_id, subject=FIELD_SUBJECT,
                            html_content=FIELD_HTML)
    notifier({**context, CONTEXT_KEY: {"subject": message.subject, "html": message.html}})


def _checked_apprise() -> type:
    """``AppriseNotifier`` whose ``notify`` fails when Apprise reports a failed delivery (the provider's
    hook drops Apprise's result, so an unreachable service would count as sent)."""
    import apprise
    from airflow.providers.apprise.notifications.apprise import AppriseNotifier

    class CheckedAppriseNotifier(AppriseNotifier):
        def notify(self, context: Any) -> None:
            hook = self.hook
            obj = apprise.Apprise()
            hook.set_config_from_conn(conn=hook.get_connection(self.apprise_conn_id), apprise_obj=obj)
            if not obj.notify(body=self.body, title=self.title, notify_type=self.notify_type,
                              body_format=self.body_format, tag=self.tag):
                raise TransientError(f"Không gửi được tin qua Apprise (kết nối {self.apprise_conn_id})",
                                     f"Apprise could not deliver through {self.apprise_conn_id}")

    return CheckedAppriseNotifier


def _apprise_send(message: Message, conn_id: str, context: dict[str, Any]) -> None:
    from apprise import NotifyType

    notify_type = NotifyType.FAILURE if message.kind == "overdue" else NotifyType.INFO
    notifier = _checked_apprise()(body=FIELD_TEXT, title=FIELD_SUBJECT,
                                  apprise_conn_id=conn_id, notify_type=notify_type)
    notifier({**context, CONTEXT_KEY: {"subject": message.subject, "text": message.text}})


@dataclass
class SendResult:
    commune: str
    day: dt.date
    sent: list[str] = field(default_factory=list)  # "digest:2024-04-02 → email"
    skipped: list[str] = field(default_factory=list)  # already sent
    failed: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the log says (Vietnamese)
    messages: list[Message] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"commune": self.commune, "day": self.day.isoformat(), "sent": self.sent,
                "skipped": self.skipped, "failed": self.failed, "notes": self.notes}


def messages_for(run: CommuneRun, day: dt.date, base_url: str | None = None) -> tuple[Digest, list[Message]]:
    """The digest of the day and every message to send (the digest unless empty, then the overdue alerts)."""
    work = day_work(commune_status(run, day), day)
    d = digest_of(run, day, work, base_url)
    messages = [] if d.empty else [digest_message(d)]
    return d, messages + overdue_messages(run, day, work, base_url)


def send_alerts(run: CommuneRun, day: dt.date, *, base_url: str | None = None,
                context: dict[str, Any] | None = None,
                now: dt.datetime | None = None) -> SendResult:
    """Send the commune's digest of ``day`` and its new overdue alerts to every configured channel.

    A channel that fails does not stop the others; when one failed, :class:`TransientError` is raised
    after the rest were tried (Airflow retries; what was sent is in the ledger and is not sent again).
    """
    cfg = run.commune.alerts
    result = SendResult(run.code, day)
    if not cfg.enabled:
        result.notes.append(f"{run.code}: nhắc việc đang tắt (alerts.enabled: false trong commune.yaml) — "
                            "không gửi gì / alerts disabled")
        return result
    channels = [("email", None)] if cfg.email else []
    channels += [(f"apprise:{c}", c) for c in cfg.apprise]
    if not channels:
        result.notes.append(f"{run.code}: chưa có người nhận (alerts.email, alerts.apprise trong commune.yaml) — "
                            "không gửi gì / no recipients configured")
        return result
    digest, messages = messages_for(run, day, base_url)
    result.messages = messages
    if digest.empty:
        result.notes.append(f"{run.code} ngày {vn_date(day)}: không có việc nào đến hạn — không gửi bản tin "
                            "/ nothing due, no digest")
    ledger = Ledger(run)
    ctx = dict(context or {})
    errors: list[str] = []
    for m in messages:
        for channel, conn_id in channels:
            label = f"{m.key} → {channel}"
            if ledger.sent(m.key, channel):
                result.skipped.append(label)
                continue
            try:
                if conn_id is None:
                    _smtp_send(m, cfg.email, cfg.smtp_conn_id, ctx)
                else:
                    _apprise_send(m, conn_id, ctx)
            except Exception as err:  # noqa: BLE001 - any channel error: try the others, then retry
                log.warning("alert %s failed: %s", label, err)
                result.failed.append(f"{label}: {err}")
                errors.append(f"{channel}: {err}")
                continue
            ledger.record(m.key, channel, now or dt.datetime.now(dt.UTC))
            result.sent.append(label)
    for line in result.notes:
        log.info("%s", line)
    if errors:
        raise TransientError(
            f"{run.code}: không gửi được {len(errors)} tin nhắc việc ({'; '.join(errors)[:400]}) — kiểm tra kết "
            "nối Airflow (smtp_default, apprise); lần chạy lại chỉ gửi những tin chưa gửi",
            f"{run.code}: {len(errors)} alert(s) not delivered; a retry sends only those")
    return result
