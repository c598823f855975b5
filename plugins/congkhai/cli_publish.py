"""``congkhai publish``: the citizens' static site of a commune (docs/public-site.md)."""

from __future__ import annotations

from pathlib import Path

import typer

from congkhai.errors import CongkhaiError


def _fail(message: str) -> typer.Exit:
    typer.echo(f"lỗi: {message}", err=True)
    return typer.Exit(2)


def register(app: typer.Typer) -> None:
    @app.command("publish")
    def publish_cmd(
        commune: str = typer.Option(..., "--commune", help="Mã xã / commune code"),
        archive: Path | None = typer.Option(
            None, "--archive", help="Thư mục lưu trữ (mặc định: CONGKHAI_ARCHIVE) / archive root"),
        out: Path | None = typer.Option(
            None, "--out", help="Thư mục trang công khai (mặc định: CONGKHAI_SITE/<xã>) / site folder"),
        on: str | None = typer.Option(
            None, "--on", help="Ngày công khai (YYYY-MM-DD hoặc ngày/tháng/năm; mặc định: hôm nay) / the day"),
    ) -> None:
        """Lập trang công khai cho người dân (HTML tĩnh, chỉ bản chính thức) / build the citizens' static site."""
        from congkhai.cli_status import commune_settings
        from congkhai.cockpit.status import parse_day, today_vn
        from congkhai.pipeline.context import CommuneRun
        from congkhai.publish import build_site
        from congkhai.publish.settings import site_dir

        s = commune_settings(commune, archive)
        target = out if out is not None else site_dir(commune, s)
        try:
            day = parse_day(on, "--on") if on else today_vn()
            result = build_site(CommuneRun(commune, s), day, target)
        except CongkhaiError as err:
            raise _fail(err.message_vi) from None
        typer.echo(f"{result.summary_vi()} — {result.out}")
