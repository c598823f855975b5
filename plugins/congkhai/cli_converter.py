"""Commands ``congkhai converter serve`` (the host's shared LibreOffice pool) and ``congkhai converter health``."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import typer

converter_app = typer.Typer(
    name="converter",
    help="Bộ chuyển đổi PDF dùng chung của máy / the host's shared PDF converter.",
    no_args_is_help=True,
)


@converter_app.command("serve")
def serve_cmd(
    host: str = typer.Option("127.0.0.1", "--host", help="Chỉ địa chỉ loopback / loopback only"),
    port: int = typer.Option(8785, "--port", help="Cổng / TCP port (0: any free port)"),
    instances: int = typer.Option(0, "--instances",
                                  help="Số LibreOffice chạy sẵn (0: số lõi CPU) / warm instances (0: CPU cores)"),
    timeout: float = typer.Option(None, "--timeout", help="Giây cho mỗi văn bản / seconds per document"),
    queue_timeout: float = typer.Option(60.0, "--queue-timeout",
                                        help="Giây chờ một LibreOffice rảnh, rồi trả 503 / wait for a free one"),
    work_dir: Path = typer.Option(None, "--work-dir",
                                  help="Thư mục làm việc (mặc định CONGKHAI_DATA/run/converter) / work folder"),
    ready_file: Path = typer.Option(None, "--ready-file", help="Ghi URL vào tệp này khi sẵn sàng / URL when ready"),
) -> None:
    """Chạy bộ chuyển đổi dùng chung (một nhóm LibreOffice cho mọi tác vụ của máy) / run the shared converter."""
    from congkhai.config import settings
    from congkhai.convert import convert_timeout
    from congkhai.convert.server import serve

    logging.basicConfig(level=os.environ.get("CONGKHAI_LOG_LEVEL", "INFO"),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    serve(host=host, port=port, instances=instances or None,
          timeout=timeout if timeout is not None else convert_timeout(), queue_timeout=queue_timeout,
          work_dir=work_dir or settings().data_dir / "run" / "converter", ready_file=ready_file)


@converter_app.command("health")
def health_cmd(
    url: str = typer.Option(None, "--url", help="Mặc định CONGKHAI_CONVERTER_URL / default CONGKHAI_CONVERTER_URL"),
    as_json: bool = typer.Option(False, "--json", help="In JSON / print the health document"),
) -> None:
    """Kiểm tra bộ chuyển đổi dùng chung (mã thoát 0: sẵn sàng) / check the shared converter (exit 0: up)."""
    import httpx

    from congkhai.convert import service_url

    target = (url or service_url() or "http://127.0.0.1:8785").rstrip("/")
    try:
        r = httpx.get(f"{target}/health", timeout=3.0)
        body = r.json()
    except (httpx.HTTPError, ValueError) as err:
        typer.echo(f"bộ chuyển đổi không trả lời tại {target} / no answer: {err}", err=True)
        raise typer.Exit(1) from None
    if as_json:
        typer.echo(json.dumps(body, ensure_ascii=False))
    else:
        inst = body.get("congkhai", {}).get("instances", [])
        alive = sum(1 for i in inst if i.get("alive"))
        typer.echo(f"{body.get('status')}: {alive}/{len(inst)} LibreOffice tại {target}")
    raise typer.Exit(0 if r.status_code == 200 and body.get("status") == "up" else 1)


def register(app: typer.Typer) -> None:
    app.add_typer(converter_app, name="converter")
