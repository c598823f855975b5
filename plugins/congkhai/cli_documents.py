"""CLI of the documents area: ``congkhai kinds``, ``congkhai render``, ``congkhai numbers …``.

``congkhai render KIND --context FILE.json --out FILE.docx``: the context file is a JSON object.
With ``"commune": "kep"`` the fields are built from the commune profile, the plan of ``year`` and
the case fields (``issued``, ``subject``, ``doc_number``, ``doc_code``, ``doc_type``, ``item`` …),
with the case's schedule computed as the pipeline does (``CommuneRun.scheduled``; this command
loads the configuration once, here, and passes the values down),
plus options (``group``, ``quarter``, ``date``, ``number``, ``signer``, ``cases``, ``period_*``);
any template field given in the file overrides the built one. Without ``commune`` the file must
give every template field itself. Missing or unknown fields: exit 2, naming them.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import typer

from congkhai.errors import CongkhaiError


def _fail(vi: str, en: str) -> typer.Exit:
    typer.echo(f"lỗi: {vi} / {en}", err=True)
    return typer.Exit(2)


def _date(value: Any, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as err:
        raise _fail(f"trường '{name}' không phải ngày YYYY-MM-DD: {value!r}",
                    f"field '{name}' is not a YYYY-MM-DD date: {value!r}") from err


def context_from_file(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """The render context from a context file's object (see the module docstring)."""
    from congkhai.case import Case
    from congkhai.documents.context import CASE_FIELDS, OPTION_FIELDS, build_context
    from congkhai.documents.kinds import all_fields
    from congkhai.documents.register import Register
    from congkhai.pipeline.context import CommuneRun

    fields = set(all_fields(kind))
    unknown = sorted(set(data) - fields - CASE_FIELDS - OPTION_FIELDS)
    if unknown:
        raise _fail(f"trường không biết trong tệp ngữ cảnh cho {kind}: {', '.join(unknown)}",
                    f"unknown fields in the context file for {kind}: {', '.join(unknown)}")
    given = {k: v for k, v in data.items() if k in fields}
    if "commune" not in data:
        missing = sorted(fields - set(given))
        if missing:
            raise _fail(f"thiếu trường cho {kind}: {', '.join(missing)} (hoặc cho 'commune' để tự lập)",
                        f"missing fields for {kind}: {', '.join(missing)} (or give 'commune' to build them)")
        return given
    commune = str(data["commune"])
    run = CommuneRun(commune)
    case = None
    case_data = {k: v for k, v in data.items() if k in CASE_FIELDS}
    if case_data:
        missing = [k for k in ("issued", "subject") if k not in case_data]
        if missing:
            raise _fail(f"thiếu trường của văn bản được công khai: {', '.join(missing)}",
                        f"missing fields of the disclosed document: {', '.join(missing)}")
        case_data.setdefault("commune", commune)
        _date(case_data["issued"], "issued")
        case = Case.from_dict(case_data)
    opts: dict[str, Any] = {}
    for k in ("date", "period_start", "period_end"):
        if k in data:
            opts[k] = _date(data[k], k)
    for k in ("quarter", "signer", "period_label", "number"):
        if k in data:
            opts[k] = data[k]
    if "cases" in data:
        opts["cases"] = [run.scheduled(Case.from_dict({"commune": commune, **c})) for c in data["cases"]]
    if "channels" in data and kind == "posting_end":
        opts["channels"] = list(data["channels"])
    year = int(data.get("year") or (case.issued.year if case else dt.date.today().year))
    scheduled = run.scheduled(case) if case is not None else None
    ctx = build_context(kind, run.commune, year=year, case=case, plan=run.plan(year), group=data.get("group"),
                        item=scheduled.item if scheduled else None, schedule=scheduled.schedule if scheduled else None,
                        register=Register(commune, settings=run.settings), **opts)
    ctx.update(given)
    return ctx


def register(app: typer.Typer) -> None:
    @app.command("kinds")
    def kinds(as_json: bool = typer.Option(False, "--json", help="JSON: kinds with their fields")) -> None:
        """Các loại văn bản và trường của chúng / document kinds and their fields."""
        from congkhai.documents.kinds import KINDS, all_fields

        if as_json:
            out = []
            for k in KINDS.values():
                m = k.manifest()
                m["fields"] = all_fields(k.id)
                out.append(m)
            typer.echo(json.dumps(out, ensure_ascii=False, indent=2))
            return
        for k in KINDS.values():
            sec = f"hồ sơ mục {k.dossier_section}" if k.dossier_section else "-"
            typer.echo(f"{k.number:02d} {k.id:20} {k.code:8} {sec:12} {k.title_vi}")

    @app.command("render")
    def render_cmd(
        kind: str = typer.Argument(..., help="Loại văn bản / document kind (congkhai kinds)"),
        context: Path = typer.Option(..., "--context", help="Tệp JSON ngữ cảnh / context JSON file"),
        out: Path = typer.Option(..., "--out", help="Tệp .docx kết quả / output .docx"),
    ) -> None:
        """Lập một văn bản từ mẫu / render one document from its template."""
        from congkhai.documents.kinds import get_kind
        from congkhai.documents.render import render

        try:
            get_kind(kind)
        except CongkhaiError as err:
            raise _fail(err.message_vi, err.message_en) from err
        try:
            data = json.loads(context.read_text(encoding="utf-8"))
        except FileNotFoundError as err:
            raise _fail(f"không tìm thấy tệp {context}", f"file not found: {context}") from err
        except json.JSONDecodeError as err:
            raise _fail(f"tệp {context} không phải JSON hợp lệ: {err}", f"{context} is not valid JSON: {err}") from err
        if not isinstance(data, dict):
            raise _fail(f"tệp {context} phải là một đối tượng JSON", f"{context} must be a JSON object")
        try:
            ctx = context_from_file(kind, data)
            path = render(kind, ctx, out)
        except CongkhaiError as err:
            raise _fail(err.message_vi, err.message_en) from err
        typer.echo(str(path))
        if get_kind(kind).text_too:
            typer.echo(str(path.with_suffix(".txt")))

    numbers = typer.Typer(help="Sổ đăng ký số văn bản / the register of official numbers", no_args_is_help=True)
    app.add_typer(numbers, name="numbers")

    @numbers.command("list")
    def numbers_list(commune: str = typer.Option(..., help="Mã xã"), year: int = typer.Option(None)) -> None:
        """Các số đã cấp / numbers issued."""
        from congkhai.documents.register import Register

        for i in Register(commune).issued(year):
            typer.echo(f"{i.year} {i.number:02d}/{i.series:7} {i.assigned_at} {i.key}")

    @numbers.command("set-next")
    def numbers_set_next(
        commune: str = typer.Option(..., help="Mã xã"),
        year: int = typer.Option(...),
        series: str = typer.Option(..., "--type", help="KH, BB, BC, TB, BC-ĐTT"),
        n: int = typer.Argument(..., help="Số tiếp theo / next number"),
    ) -> None:
        """Đặt số tiếp theo (đã cấp số trên giấy) / set the next number (numbers issued on paper)."""
        from congkhai.documents.register import Register

        try:
            Register(commune).set_next(year, series, n)
        except CongkhaiError as err:
            raise _fail(err.message_vi, err.message_en) from err
        typer.echo(f"{year} {series}: số tiếp theo {n:02d}")

    @numbers.command("seed")
    def numbers_seed(
        commune: str = typer.Option(..., help="Mã xã"),
        year: int = typer.Option(...),
        code: str = typer.Option(..., "--code", help="KH, BB, BC, TB, BC-ĐTT"),
        last: int = typer.Option(..., "--last", help="Số cuối cùng đã cấp trên giấy / last number issued"),
    ) -> None:
        """Nối tiếp sổ đăng ký: số cuối đã cấp (numbering: register) / continue the register after paper."""
        from congkhai.documents.register import Register

        try:
            Register(commune).set_next(year, code, last + 1)
        except CongkhaiError as err:
            raise _fail(err.message_vi, err.message_en) from err
        typer.echo(f"{year} {code}: số cuối đã cấp {last:02d}, số tiếp theo {last + 1:02d}")

    @numbers.command("blank")
    def numbers_blank(commune: str = typer.Option(..., help="Mã xã"),
                      on: bool = typer.Argument(..., help="true: để trống số cho văn thư")) -> None:
        """Để trống số (Số: …/BB-UBND) cho văn thư ghi tay / leave numbers blank for the clerk."""
        from congkhai.documents.register import Register

        Register(commune).set_blank_numbers(on)
        typer.echo("để trống số" if on else "cấp số tự động")
