"""``congkhai archive verify|reindex|find``: check, re-index and search the archive tree."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from congkhai.errors import CongkhaiError

archive_app = typer.Typer(
    help="Lưu trữ công khai: kiểm tra, lập lại chỉ mục, tìm kiếm (archive: verify, reindex, find).",
    no_args_is_help=True,
)

ARCHIVE_OPT = typer.Option(None, "--archive", help="Thư mục lưu trữ (mặc định: CONGKHAI_ARCHIVE) / archive root")


def _root(archive: Path | None) -> Path:
    if archive is not None:
        return archive
    from congkhai.config import settings

    return settings().archive_root


def _fail(err: CongkhaiError) -> typer.Exit:
    typer.echo(f"lỗi: {err}", err=True)
    return typer.Exit(2)


def _check_root(root: Path) -> None:
    if not root.is_dir():
        raise _fail(CongkhaiError(f"Không có thư mục lưu trữ: {root}", f"no archive directory: {root}"))


@archive_app.command("verify")
def verify_cmd(
    archive: Path | None = ARCHIVE_OPT,
    commune: str | None = typer.Option(None, "--commune", help="Mã xã (mặc định: tất cả) / commune"),
    as_json: bool = typer.Option(False, "--json", help="In kết quả dạng JSON"),
) -> None:
    """Tính lại SHA-256 mọi tệp; báo tệp thiếu, bị thay đổi, lạ (exit 1 nếu có)."""
    from congkhai.archive.verify import verify

    root = _root(archive)
    _check_root(root)
    report = verify(root, commune)
    if as_json:
        typer.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        typer.echo(f"Đã kiểm tra {report.checked} tệp trong {root}")
        for label, items in (
            ("THIẾU (missing)", report.missing),
            ("BỊ THAY ĐỔI (changed)", report.changed),
            ("LẠ, không có trong manifest (unknown)", report.unknown),
            ("manifest.json HỎNG (damaged)", report.damaged),
        ):
            for p in items:
                typer.echo(f"{label}: {p}")
        for p in report.temporary:
            typer.echo(f"ghi chú: tệp tạm của lần ghi bị gián đoạn (không thuộc hồ sơ, tự xóa ở lần ghi sau) / "
                       f"temporary file of an interrupted write: {p}")
        typer.echo("Kết quả: toàn vẹn." if report.ok else "Kết quả: CÓ SAI KHÁC, cần kiểm tra.")
    if not report.ok:
        raise typer.Exit(1)


@archive_app.command("reindex")
def reindex_cmd(
    archive: Path | None = ARCHIVE_OPT,
    commune: str | None = typer.Option(None, "--commune", help="Mã xã (mặc định: tất cả) / commune"),
) -> None:
    """Lập lại chỉ mục tìm kiếm từ các manifest.json (cây thư mục là bản gốc)."""
    from congkhai.archive.index import reindex
    from congkhai.archive.store import _env_index_url, list_archive_communes

    root = _root(archive)
    _check_root(root)
    communes = [commune] if commune else list_archive_communes(root)
    try:
        for c in communes:
            stats = reindex(root, c, _env_index_url())
            typer.echo(
                f"{c}: {stats['folders']} thư mục, {stats['entries']} mục, {stats['files']} tệp, "
                f"{stats['pdf_texts_extracted']} PDF mới trích văn bản, {stats['seconds']} s"
            )
            for bad in stats["unreadable_manifests"]:
                typer.echo(f"{c}: manifest.json không đọc được: {bad}", err=True)
    except CongkhaiError as err:
        raise _fail(err) from err


#: Results shown when no --limit/--all is given: enough for a person, and every query stays fast
#: (building thousands of entries is what made a common word slow at 30,000 cases).
DEFAULT_LIMIT = 200


@archive_app.command("find")
def find_cmd(
    on: str | None = typer.Option(None, "--on", help="Ngày (YYYY-MM-DD)"),
    date_from: str | None = typer.Option(None, "--from", help="Từ ngày (YYYY-MM-DD), tính cả ngày này"),
    date_to: str | None = typer.Option(None, "--to", help="Đến ngày (YYYY-MM-DD), tính cả ngày này"),
    item: str | None = typer.Option(None, "--item", help="Mã mục trong kế hoạch, ví dụ Q1-8"),
    kind: str | None = typer.Option(None, "--kind", help="Loại tệp, ví dụ posting_end, original"),
    text: str | None = typer.Option(None, "--text", help="Từ khóa (có dấu hoặc không dấu)"),
    commune: str | None = typer.Option(None, "--commune", help="Mã xã (mặc định: tất cả) / commune"),
    archive: Path | None = ARCHIVE_OPT,
    limit: int | None = typer.Option(
        None, "--limit", min=1, help=f"Số kết quả tối đa (mặc định {DEFAULT_LIMIT}) / max results"),
    offset: int = typer.Option(0, "--offset", min=0, help="Bỏ qua N kết quả đầu (xem trang sau) / skip N"),
    show_all: bool = typer.Option(False, "--all", help="Mọi kết quả, không giới hạn / no limit"),
    as_json: bool = typer.Option(False, "--json", help="In danh sách JSON"),
) -> None:
    """Tìm vụ việc và văn bản cả năm theo ngày, khoảng ngày, mục kế hoạch, loại tệp, từ khóa.

    Mặc định in 200 kết quả đầu; khi còn nữa, tổng số được báo ở stderr (stdout vẫn là danh sách JSON).
    """
    from congkhai.archive.find import find_page

    root = _root(archive)
    _check_root(root)
    if show_all and limit is not None:
        raise _fail(CongkhaiError("Dùng --limit hoặc --all, không dùng cả hai", "use --limit or --all, not both"))
    lim = None if show_all else (limit or DEFAULT_LIMIT)
    try:
        results, total = find_page(root, commune, on=on, date_from=date_from, date_to=date_to, item=item,
                                   kind=kind, text=text, limit=lim, offset=offset)
    except CongkhaiError as err:
        raise _fail(err) from err
    shown = f"{offset + 1}–{offset + len(results)}" if results else "0"
    more = total > offset + len(results)
    if as_json:
        sys.stdout.write(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
        if more:  # stdout stays the JSON list; the person (or script) reading stderr learns there is more
            typer.echo(f"Hiển thị {shown} trong {total} kết quả; dùng --offset {offset + len(results)}, --limit N "
                       f"hoặc --all để xem thêm / showing {shown} of {total}", err=True)
        return
    if not results:
        typer.echo("Không tìm thấy kết quả." if not total else f"Không còn kết quả (tổng {total}).")
        return
    for r in results:
        notation = "/".join(x for x in (r["doc_number"], r["doc_code"]) if x) or "(không số)"
        typer.echo(f"{r['issued']}  {notation}  {r['subject']}")
        typer.echo(f"    {r['path']}  ({len(r['files'])} tệp)")
    if more or offset:
        typer.echo(f"Tổng: {total} kết quả, hiển thị {shown}" + (" (dùng --offset/--limit/--all để xem thêm)."
                                                                   if more else "."))
    else:
        typer.echo(f"Tổng: {total} kết quả.")


def register(app: typer.Typer) -> None:
    app.add_typer(archive_app, name="archive")
