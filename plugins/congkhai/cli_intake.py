"""CLI: ``congkhai inspect FILE --json`` and ``congkhai intake run [--commune kep]``."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from congkhai.errors import CongkhaiError

intake_app = typer.Typer(help="Tiếp nhận văn bản từ hộp thư / inbox intake.", no_args_is_help=True)


def _fail(message: str) -> typer.Exit:
    typer.echo(f"lỗi: {message}", err=True)
    return typer.Exit(2)


def inspect_cmd(
    file: Path = typer.Argument(..., help="Văn bản cần đọc (PDF, DOCX, ảnh quét) / document to read"),
    as_json: bool = typer.Option(False, "--json", help="In một đối tượng JSON / print one JSON object"),
    commune: str | None = typer.Option(None, help="Mã xã (kế hoạch để xếp mục) / commune code"),
) -> None:
    """Đọc số, ngày, loại, trích yếu, người ký của một văn bản và xếp vào mục kế hoạch."""
    from congkhai.intake.extract import inspect

    if not file.is_file():
        raise _fail(f"không có tệp {file} / no such file")
    try:
        info = inspect(file, commune=commune)
    except CongkhaiError as err:
        raise _fail(f"không mở được {file.name}: {err}") from err
    data = info.to_json()
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False))
        return
    for k, v in data.items():
        typer.echo(f"{k:12} {'' if v is None else v}")


@intake_app.command("run")
def run_cmd(
    commune: str = typer.Option("kep", help="Mã xã / commune code"),
    as_json: bool = typer.Option(False, "--json", help="In báo cáo JSON / print the report as JSON"),
    keep_pending: bool = typer.Option(
        False, "--keep-pending", help="Không đánh dấu các hồ sơ là đã chuyển / do not acknowledge the cases"),
) -> None:
    """Quét hộp thư một lần: tiếp nhận, lưu trữ, để riêng tệp lỗi / one pass over the inbox."""
    from congkhai.intake.claim import acknowledge, process_inbox

    report = process_inbox(commune)
    if not keep_pending:
        acknowledge(commune, [c.case_id for c in report.cases])
    if as_json:
        typer.echo(json.dumps(report.to_dict(), ensure_ascii=False, default=str))
        return
    typer.echo(f"mới / new: {len(report.new)}; trùng / duplicates: {len(report.duplicates)}; "
               f"phiên bản / versions: {len(report.versions)}; cần xem / review: {len(report.review)}; "
               f"lỗi / errors: {len(report.errors)}; chờ / waiting: {len(report.waiting)}")
    for c in report.cases:
        typer.echo(f"  + {c.case_id}  {c.item or '-'}  {c.subject}")
    for r in report.review:
        typer.echo(f"  ? {r['name']}: {r['reason']}")
    for e in report.errors:
        typer.echo(f"  ! {e['name']}: {e['kind']}")


def register(app: typer.Typer) -> None:
    app.command("inspect")(inspect_cmd)
    app.add_typer(intake_app, name="intake")
