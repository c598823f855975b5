"""Commands for the plan, the schedule and the calendar.

    congkhai plan check [--commune kep] [--year 2024] [--json]
    congkhai plan items [--commune kep] [--year 2024] [--json]
    congkhai plan new --year 2025 [--from 2024] [--commune kep] [--force]
    congkhai schedule --item CODE --issued YYYY-MM-DD [--posted YYYY-MM-DD] [--commune kep] [--json]
    congkhai calendar --year 2024 [--json]

Bad input (unknown item, malformed date, missing commune, invalid plan file) prints one line,
Vietnamese first, and exits 2; ``plan check`` exits 1 when the plan is invalid or below the law.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from typing import Any

import typer

from congkhai.errors import ConfigError, CongkhaiError, UsageError

DEFAULT_COMMUNE = "kep"


def _default_commune() -> str:
    return os.environ.get("CONGKHAI_COMMUNE") or DEFAULT_COMMUNE


def _die(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"lỗi: {message}", err=True)
    return typer.Exit(code)


def _parse_date(value: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise UsageError(
            f"{option} '{value}' không phải ngày hợp lệ, hãy viết YYYY-MM-DD (ví dụ 2024-01-05)",
            f"{option} '{value}' is not a valid date, write YYYY-MM-DD (e.g. 2024-01-05)",
            kind="bad_date", field=option,
        ) from None


def _echo_json(obj: Any) -> None:
    typer.echo(json.dumps(obj, ensure_ascii=False, indent=None))


COMMUNE_OPT = typer.Option(None, "--commune", help="Mã đơn vị / commune code (default: kep)")
PLAN_YEAR_OPT = typer.Option(None, "--year", help="Năm kế hoạch / plan year (default: this year's, else the latest earlier plan)")
JSON_OPT = typer.Option(False, "--json", help="In JSON / print JSON")


def register(app: typer.Typer) -> None:
    plan_app = typer.Typer(help="Kế hoạch công khai hằng năm / the yearly disclosure plan.",
                           no_args_is_help=True)
    app.add_typer(plan_app, name="plan")

    @plan_app.command("check")
    def plan_check(
        commune: str = COMMUNE_OPT,
        year: int = PLAN_YEAR_OPT,
        as_json: bool = JSON_OPT,
    ) -> None:
        """Kiểm tra kế hoạch theo Luật 10/2022 Điều 12–13 (exit 1 when invalid or below the law)."""
        from congkhai.commune import load_commune
        from congkhai.plan import check_plan

        code = commune or _default_commune()
        try:
            c = load_commune(code)
            p = _plan_for(code, year or dt.date.today().year, explicit=year is not None)
            y = p.year
        except ConfigError as err:
            # A plan that does not load is an invalid plan (exit 1); a missing commune/plan is
            # bad input (exit 2).
            invalid = err.kind in ("bad_plan", "bad_yaml", "bad_commune")
            raise _die(str(err), 1 if invalid else 2) from None
        findings = check_plan(p, c)
        errors = [f for f in findings if f.severity == "error"]
        if as_json:
            _echo_json({"commune": code, "year": y, "items": len(p.items), "ok": not errors,
                        "findings": [f.to_dict() for f in findings]})
        else:
            for f in findings:
                typer.echo(str(f))
            verdict = "ĐẠT / OK" if not errors else "KHÔNG ĐẠT / BELOW THE LAW"
            typer.echo(f"{code} {y}: {len(p.items)} mục, {len(errors)} lỗi, "
                       f"{len(findings) - len(errors)} cảnh báo — {verdict}")
        if errors:
            raise typer.Exit(1)

    @plan_app.command("items")
    def plan_items(
        commune: str = COMMUNE_OPT,
        year: int = PLAN_YEAR_OPT,
        as_json: bool = JSON_OPT,
    ) -> None:
        """Liệt kê các mục của kế hoạch / list the plan's items."""
        code = commune or _default_commune()
        try:
            p = _plan_for(code, year or dt.date.today().year, explicit=year is not None)
        except CongkhaiError as err:
            raise _die(str(err)) from None
        if as_json:
            _echo_json([i.to_json_dict() for i in p.items])
            return
        for i in p.items:
            kinds = ",".join(c.kind + (f":{c.days}" if c.days else ":tx" if c.permanent else "")
                             for c in i.channels)
            typer.echo(f"{i.code:6} k{i.law_item:<3} {kinds:60} {i.title}")

    @plan_app.command("new")
    def plan_new(
        year: int = typer.Option(..., "--year", help="Năm của kế hoạch mới / the new plan's year"),
        from_year: int = typer.Option(None, "--from", help="Lập từ kế hoạch năm / draft from the plan of "
                                      "(default: the latest earlier plan)"),
        commune: str = COMMUNE_OPT,
        force: bool = typer.Option(False, "--force", help="Ghi đè tệp đã có / replace an existing file"),
    ) -> None:
        """Lập dự thảo kế hoạch năm mới từ kế hoạch năm trước / draft a new year's plan."""
        from congkhai.commune import load_commune
        from congkhai.plan import check_plan, new_plan

        code = commune or _default_commune()
        try:
            p, path = new_plan(code, year, from_year, force=force)
            errors = [f for f in check_plan(p, load_commune(code)) if f.severity == "error"]
        except CongkhaiError as err:
            raise _die(str(err)) from None
        typer.echo(f"Đã lập DỰ THẢO kế hoạch công khai năm {year} của {code}: {path}")
        typer.echo(f"  {len(p.items)} mục, lập từ kế hoạch năm {p.drafted_from}; số và ngày ban hành để trống.")
        typer.echo("  Văn phòng UBND kiểm tra từng mục, rồi ghi 'confirm' (ai xác nhận, ngày nào) và "
                   "'status: issued'.")
        typer.echo(f"  Draft written ({len(p.items)} items); review it, fill 'confirm', set 'status: issued'.")
        if errors:
            typer.echo(f"cảnh báo: kế hoạch có {len(errors)} lỗi so với luật, xem: congkhai plan check "
                       f"--commune {code} --year {year} / {len(errors)} errors against the law", err=True)

    @app.command("schedule")
    def schedule(
        item: str = typer.Option(..., "--item", help="Mã mục kế hoạch / plan item code, e.g. Q1-8"),
        issued: str = typer.Option(..., "--issued", help="Ngày ban hành / issue date YYYY-MM-DD"),
        posted: str = typer.Option(None, "--posted", help="Ngày niêm yết thực tế / actual posting date"),
        commune: str = COMMUNE_OPT,
        year: int = typer.Option(None, "--year", help="Năm kế hoạch (mặc định: năm ban hành) / plan year"),
        as_json: bool = typer.Option(False, "--json", help="In một đối tượng JSON / print one JSON object"),
    ) -> None:
        """Tính thời hạn công khai, thời gian niêm yết, ngày phát thanh / compute the schedule."""
        import logging

        from congkhai.commune import load_commune
        from congkhai.schedule import compute_schedule

        # An unconfirmed calendar is reported once per year below, in the operator's words.
        logging.getLogger("congkhai.workdays").setLevel(logging.ERROR)
        code = commune or _default_commune()
        try:
            issued_d = _parse_date(issued, "--issued")
            posted_d = _parse_date(posted, "--posted") if posted else None
            c = load_commune(code)
            p = _plan_for(code, year or issued_d.year, explicit=year is not None)
            s = compute_schedule(p.item(item), issued_d, posted_d, commune=c)
            _warn_unconfirmed_calendar(s.to_json_dict())
        except CongkhaiError as err:
            raise _die(str(err)) from None
        if as_json:
            _echo_json(s.to_json_dict())
            return
        d = s.to_json_dict()
        typer.echo(f"Mục {d['item']} (khoản {d['law_item']} Điều 11), ban hành {d['issued']}")
        typer.echo(f"  Hạn công khai / deadline:      {d['deadline']}")
        typer.echo(f"  Niêm yết từ / posting start:   {d['posting_start']}")
        typer.echo(f"  Niêm yết đến / posting end:    {d['posting_end'] or ('thường xuyên' if s.permanent else '—')}")
        typer.echo(f"  Phát thanh / broadcast days:   {', '.join(d['broadcast_days']) or '—'}")
        typer.echo(f"  Báo cáo phát thanh / report:   {d['broadcast_report_due'] or '—'}")
        typer.echo(f"  Trễ hạn / late:                {'CÓ / yes' if d['late'] else 'không / no'}")

    @app.command("calendar")
    def calendar(
        year: int = typer.Option(..., "--year", help="Năm / year"),
        as_json: bool = JSON_OPT,
    ) -> None:
        """Ngày nghỉ lễ, Tết và ngày làm bù của một năm / the days off and make-up days of a year."""
        from congkhai.workdays import WEEKDAYS_VI, WorkCalendar

        if not 1990 <= year <= 2100:
            raise _die(f"Năm {year} ngoài khoảng 1990–2100 / year {year} out of range 1990–2100")
        import logging

        # The status warning below says it once (the logger's own line would repeat it).
        logging.getLogger("congkhai.workdays").setLevel(logging.ERROR)
        try:
            cal = WorkCalendar()
            off = cal.days_off_entries(year)
            make_up = cal.make_up_entries(year)
            ov = cal.override(year)
            status = cal.status(year)
        except CongkhaiError as err:
            raise _die(str(err)) from None
        if status.warning_vi:
            typer.echo(f"cảnh báo: {status.warning_vi}", err=True)
        if as_json:
            _echo_json({
                "year": year,
                "confirmed": status.confirmed,
                "computed": status.computed,
                "source": status.source,
                "source_url": list(status.source_url),
                "override_file": str(ov.path) if ov else None,
                "uncertain": list(ov.uncertain) if ov else [],
                "days_off": [c.to_dict() for c in off],
                "make_up_days": [c.to_dict() for c in make_up],
            })
            return
        where = "tệp " + str(ov.path) if ov else "tính theo Bộ luật Lao động / computed from the Labour Code"
        typer.echo(f"Năm {year} — ngày nghỉ / days off ({where}):")
        for c in off:
            typer.echo(f"  {c.date.isoformat()} {WEEKDAYS_VI[c.date.weekday()]:9} {c.name}")
        typer.echo("Ngày làm bù / make-up working days:")
        for c in make_up:
            typer.echo(f"  {c.date.isoformat()} {WEEKDAYS_VI[c.date.weekday()]:9} {c.name}")
        if not make_up:
            typer.echo("  (không có / none)")
        for u in (ov.uncertain if ov else ()):
            typer.echo(f"  chưa chắc chắn / uncertain: {u}")
        if status.confirmed:
            typer.echo(f"Đã xác nhận / confirmed — nguồn / source: {status.source}")
        else:
            typer.echo("CHƯA XÁC NHẬN / NOT CONFIRMED" + (f" — nguồn / source: {status.source}" if status.source else ""))


def _warn_unconfirmed_calendar(schedule: dict[str, Any]) -> None:
    """One line on stderr for each year of the computed dates whose days off are not confirmed."""
    from congkhai.workdays import default_calendar

    years: set[int] = set()
    for v in schedule.values():
        for x in v if isinstance(v, list) else [v]:
            if isinstance(x, str) and len(x) == 10 and x[4] == "-" and x[:4].isdigit():
                years.add(int(x[:4]))
    cal = default_calendar()
    for y in sorted(years):
        notice = cal.status(y).notice_vi
        if notice:
            typer.echo(f"cảnh báo: {notice}", err=True)


def _plan_for(commune: str, year: int, explicit: bool):  # -> Plan
    """The plan of ``year``; without an explicit --year fall back to the latest earlier plan
    (item codes are stable across years), saying so on stderr."""
    from congkhai.plan import load_plan, load_plan_or_latest

    if explicit:
        plan = load_plan(commune, year)
    else:
        plan, exact = load_plan_or_latest(commune, year)
        if not exact:
            typer.echo(f"cảnh báo: chưa có kế hoạch năm {year}, dùng kế hoạch năm {plan.year} / "
                       f"no {year} plan, using the {plan.year} plan", err=True)
    if plan.draft_notice_vi:
        typer.echo(f"cảnh báo: {plan.draft_notice_vi}", err=True)
    return plan
