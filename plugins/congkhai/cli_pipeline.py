"""``congkhai replay``: a whole year (or a period) through the real DAGs."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import typer


def _date(value: str | None, name: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        typer.echo(f"lỗi: {name} phải có dạng YYYY-MM-DD (nhận '{value}') / {name} must be YYYY-MM-DD", err=True)
        raise typer.Exit(2) from None


def register(app: typer.Typer) -> None:
    @app.command("replay")
    def replay_cmd(
        commune: str = typer.Option("kep", help="Mã xã / commune code"),
        year: int = typer.Option(..., help="Năm / year"),
        inbox: Path = typer.Option(..., help="Thư mục văn bản mẫu / folder of issued documents to drop"),
        archive: Path = typer.Option(..., help="Thư mục lưu trữ kết quả / archive to fill"),
        date_from: str = typer.Option(None, "--from", help="Từ ngày (YYYY-MM-DD), mặc định 01/01"),
        date_to: str = typer.Option(None, "--to", help="Đến ngày (YYYY-MM-DD), mặc định 31/12"),
        as_json: bool = typer.Option(False, "--json", help="In kết quả dạng JSON"),
        verbose: bool = typer.Option(False, "--verbose", "-v", help="In từng lần chạy DAG"),
        report_file: Path = typer.Option(None, "--report", help="Ghi kết quả JSON vào tệp / write the JSON here"),
        answers: Path = typer.Option(None, "--answers", help="Tệp YAML các thông tin người ghi nhận (niêm yết, "
                                     "phát thanh, phản hồi, số văn bản) theo số văn bản / recorded answers"),
        every_day: bool = typer.Option(False, "--every-day", help="Chạy DAG hằng ngày cả những ngày không có việc "
                                       "/ run the daily DAG on quiet days too"),
    ) -> None:
        """Phát lại cả năm qua các DAG thật / replay a year through the real DAGs (dag.test)."""
        from congkhai.config import list_communes

        if commune not in list_communes():
            typer.echo(f"lỗi: không có xã '{commune}' (có: {', '.join(list_communes())}) / unknown commune", err=True)
            raise typer.Exit(2)
        if not inbox.is_dir():
            typer.echo(f"lỗi: không có thư mục {inbox} / no such folder", err=True)
            raise typer.Exit(2)
        d_from, d_to = _date(date_from, "--from"), _date(date_to, "--to")
        if answers is not None:
            from congkhai.errors import CongkhaiError
            from congkhai.evidence import load_answers

            try:
                load_answers(answers)  # refuse a bad file before any DAG runs
            except CongkhaiError as err:
                typer.echo(f"lỗi: {err.message_vi}", err=True)
                raise typer.Exit(2) from None
        from congkhai.airflow.replay import read_arrivals, replay

        try:
            read_arrivals(inbox)  # refuse a bad arrival log (replay.yaml) before any DAG runs
        except ValueError as err:
            typer.echo(f"lỗi: {err}", err=True)
            raise typer.Exit(2) from None

        rep = replay(commune, year, inbox, archive, date_from=d_from, date_to=d_to, verbose=verbose,
                     answers=answers, every_day=every_day)
        d = rep.to_dict()
        if report_file is not None:
            report_file.write_text(json.dumps(d, ensure_ascii=False, indent=2), encoding="utf-8")
        if as_json:
            typer.echo(json.dumps(d, ensure_ascii=False, indent=2))
            return
        typer.echo(f"\n== Phát lại {commune} {year}: {d['dropped']} văn bản thả vào hộp thư, {d['cases']} hồ sơ, "
                   f"{d['pdfs']} PDF, {d['seconds']} s")
        for kind, n in sorted(d["documents"].items()):
            typer.echo(f"   {kind:22} {n}")
        typer.echo(f"   DAG runs: {d['runs']}")
        typer.echo(f"   giây / seconds: {d['run_seconds']} {d['other_seconds']}")
        if d["failed_runs"]:
            typer.echo(f"   lượt chạy lỗi / failed runs ({len(d['failed_runs'])}): {', '.join(d['failed_runs'][:10])}")
        for x in d["late"]:
            typer.echo(f"   muộn / late: {x}")
        for x in d["errors"]:
            typer.echo(f"   để riêng (lỗi) / set aside: {x}")
        for x in d["review"]:
            typer.echo(f"   chờ xác nhận / review: {x}")
        typer.echo(f"   lưu trữ / archive: {d['archive']}")
