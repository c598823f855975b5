"""``congkhai status``: where every case of a commune stands on a day (what the cockpit page shows)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import typer

from congkhai.config import Settings, list_communes, settings
from congkhai.errors import CongkhaiError


def _fail(message: str) -> typer.Exit:
    typer.echo(f"lỗi: {message}", err=True)
    return typer.Exit(2)


def commune_settings(commune: str, archive: Path | None) -> Settings:
    """The settings for one configured commune, on ``archive`` when given; exit 2 with a Vietnamese line."""
    s = settings()
    known = list_communes(s)
    if commune not in known:
        raise _fail(f"không có xã/thị trấn “{commune}” trong cấu hình (có: {', '.join(known)}) "
                    "/ unknown commune")
    if archive is not None:
        if not archive.is_dir():
            raise _fail(f"không có thư mục lưu trữ {archive} / no such archive folder")
        s = dataclasses.replace(s, archive_root=archive)
    return s


def register(app: typer.Typer) -> None:
    @app.command("status")
    def status_cmd(
        commune: str = typer.Option("kep", "--commune", help="Mã xã / commune code"),
        archive: Path | None = typer.Option(
            None, "--archive", help="Thư mục lưu trữ (mặc định: CONGKHAI_ARCHIVE) / archive root"),
        on: str | None = typer.Option(
            None, "--on", help="Ngày xem (YYYY-MM-DD hoặc ngày/tháng/năm; mặc định: hôm nay) / the day"),
        as_json: bool = typer.Option(False, "--json", help="In JSON / print JSON"),
    ) -> None:
        """Tình trạng từng hồ sơ trong ngày: việc chờ người xác nhận, đang niêm yết, trễ hạn…
        / the state of every case on a day (the cockpit page, as text or JSON)."""
        from congkhai.cockpit.status import parse_day, status_report, today_vn
        from congkhai.pipeline.context import CommuneRun

        s = commune_settings(commune, archive)
        try:
            day = parse_day(on, "--on") if on else today_vn()
            report = status_report(CommuneRun(commune, s), day)
        except CongkhaiError as err:
            raise _fail(err.message_vi) from None
        if as_json:
            typer.echo(json.dumps(report, ensure_ascii=False, indent=2))
            return
        _print_human(report)


def _vn(iso: str | None) -> str:
    if not iso:
        return "—"
    y, m, d = iso.split("-")
    return f"{d}/{m}/{y}"


def _print_human(report: dict) -> None:
    cases = {c["case_id"]: c for c in report["cases"]}
    today = report["today"]
    typer.echo(f"== Công khai — {report['commune']} — ngày {_vn(report['on'])}: {len(cases)} hồ sơ")
    typer.echo("\nViệc hôm nay:")
    lines = 0
    for a in today["actions"]:
        c = cases[a["case_id"]]
        due = f"hạn {_vn(a['due'])}" if a["due"] else "không có hạn"
        late = f" — TRỄ {a['days_late']} ngày" if a["overdue"] else ""
        typer.echo(f"  [chờ xác nhận] {a['title']} — {c['notation'] or c['case_id']} ({due}){late}")
        lines += 1
    for key, word in (("posting_starts", "bắt đầu niêm yết"), ("posting_ends", "kết thúc niêm yết"),
                      ("broadcasts", "phát thanh hôm nay")):
        for cid in today[key]:
            typer.echo(f"  [{word}] {cases[cid]['notation'] or cid} — {cases[cid]['subject']}")
            lines += 1
    if not lines:
        typer.echo("  (không có việc nào)")
    typer.echo("\nCác hồ sơ:")
    for c in report["cases"]:
        when = f"niêm yết {_vn(c['posting_start'])} → {_vn(c['posting_end'])}"
        typer.echo(f"  {c['state_label'].upper():20} {c['case_id']}  {c['notation'] or ''} — {c['subject']}")
        nxt = c["next_due"]
        typer.echo(f"  {'':20} mục {c['item'] or '—'}; {when}"
                   + (f"; tiếp theo: {nxt['title']} hạn {_vn(nxt['date'])}" if nxt else ""))
        for r in c["late_reasons"]:
            typer.echo(f"  {'':20} ! {r}")
