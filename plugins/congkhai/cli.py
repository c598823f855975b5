"""The ``congkhai`` command line.

Each area of the package registers its own commands in a module ``congkhai.cli_<area>``
that exposes ``register(app)``; this keeps the areas independent. Errors are one line,
Vietnamese first, exit code 2, never a traceback.
"""

from __future__ import annotations

import importlib
import sys

import typer

from congkhai.errors import CongkhaiError

app = typer.Typer(
    name="congkhai",
    help="congkhai: công khai thông tin của UBND cấp xã (public-disclosure paperwork of a commune).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

#: Modules that add commands; a module that does not exist yet is skipped.
COMMAND_MODULES = (
    "congkhai.cli_plan",
    "congkhai.cli_documents",
    "congkhai.cli_convert",
    "congkhai.cli_converter",
    "congkhai.cli_archive",
    "congkhai.cli_intake",
    "congkhai.cli_pipeline",
    "congkhai.cli_status",
    "congkhai.cli_publish",
)


@app.callback()
def _root() -> None:
    """congkhai: công khai thông tin của UBND cấp xã."""


@app.command("paths")
def paths(commune: str = typer.Option("kep", help="Mã xã / commune code")) -> None:
    """Print where the inbox, errors, review and archive folders of a commune are."""
    from congkhai.config import settings

    s = settings()
    for label, p in (
        ("communes", s.commune_dir(commune)),
        ("inbox", s.inbox_dir(commune)),
        ("errors", s.errors_dir(commune)),
        ("review", s.review_dir(commune)),
        ("archive", s.archive_dir(commune)),
        ("state", s.state_dir(commune)),
    ):
        typer.echo(f"{label:9} {p}")


@app.command("init")
def init() -> None:
    """Create the inbox, errors, review, processing, archive and state folders of every commune."""
    from congkhai.config import list_communes, settings

    s = settings()
    for commune in list_communes(s):
        for p in (
            s.inbox_dir(commune),
            s.errors_dir(commune),
            s.review_dir(commune),
            s.processing_dir(commune),
            s.archive_dir(commune),
            s.state_dir(commune),
        ):
            p.mkdir(parents=True, exist_ok=True)
        typer.echo(f"{commune}: {s.inbox_dir(commune)}")


def _register_all() -> None:
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as err:
            if err.name == name:
                continue
            raise
        module.register(app)


_register_all()


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print a one-line error to stderr and return the Exit to raise."""
    typer.echo(f"lỗi: {message}", err=True)
    return typer.Exit(code)


def main() -> None:
    try:
        app()
    except CongkhaiError as err:
        typer.echo(f"lỗi: {err}", err=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
