"""The Vietnamese working-day calendar (lịch ngày làm việc).

A day is a working day when it is Monday–Friday and not a day off, or when it is an announced
make-up working day (ngày làm bù, usually a Saturday). Days off come from two sources:

1. **Statutory holidays** (Bộ luật Lao động 2019, Điều 112), computed by the ``holidays`` package's
   Vietnam calendar: 1/1, Tết Nguyên đán (5 days, lunar), Giỗ Tổ Hùng Vương (10/3 lunar), 30/4,
   1/5, 2/9 plus an adjacent day, with the next working day off when a holiday falls on a weekend.
   The package's own "substituted" days (government swaps) are left out here: swaps belong to
2. **the yearly override file** with the government's announcement for civil servants: the days off
   (ranges, weekend days included) and the make-up working days. Files are looked up in
   ``<communes_dir>/_calendar/<year>.yaml`` (an installation's own, wins) and then in the package's
   ``congkhai/calendar_vn/<year>.yaml`` (2024, 2025, 2026 are shipped).

A year without an override file is computed from the statutory rules alone, with a warning
(``WorkCalendar.warnings`` and the ``congkhai.workdays`` logger): swapped days are then missing.

**Confirmed or not.** A year's days off are *confirmed* only when its override file says
``confirmed: true`` and names its ``source`` (the number and date of the Thủ tướng / Bộ Nội vụ
announcement), with nothing left ``uncertain``. Every other year — a file still marked
``confirmed: false``, or no file at all (2027 onwards: the computed default) — is *not confirmed*:
``calendar_status(year)`` says so, and ``CalendarStatus.warning_vi`` is the plain Vietnamese warning
the ``congkhai calendar`` command and the daily DAG print.

Ngày Văn hóa Việt Nam (24/11) is not counted as a day off unless a year's file lists it: the
Politburo chose it (Nghị quyết 80-NQ/TW, 01/2026) but it becomes a paid holiday only when the
Labour Code (Điều 112) is amended. Counting it as a working day is the cautious side: deadlines
come out no later than the law's.

Counting convention used by ``add_working_days`` and ``working_days_between``: the start day is
not counted (Bộ luật Dân sự, Điều 147), so ``add_working_days(d, 5)`` is the 5th working day after
``d`` and ``working_days_between(d, add_working_days(d, 5)) == 5``.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import holidays as _holidays
import yaml

from congkhai.config import PACKAGE_DIR, Settings
from congkhai.config import settings as _settings
from congkhai.errors import ConfigError

log = logging.getLogger(__name__)

PACKAGE_CALENDAR_DIR = PACKAGE_DIR / "calendar_vn"
ONE_DAY = dt.timedelta(days=1)

#: Vietnamese names for the statutory holidays the ``holidays`` package returns in English.
_NAMES_VI = {
    "New Year's Day": "Tết Dương lịch",
    "Lunar New Year": "Tết Nguyên đán",
    "Hung Kings": "Giỗ Tổ Hùng Vương",
    "Liberation Day": "Ngày Chiến thắng 30/4",
    "International Labor Day": "Ngày Quốc tế Lao động 1/5",
    "National Day": "Quốc khánh 2/9",
    "Vietnam Cultural Day": "Ngày Văn hóa Việt Nam 24/11",
}


#: Holidays the ``holidays`` package lists that are not (yet) law: left out of the statutory days.
_NOT_YET_LAW = ("Vietnam Cultural Day",)


def _name_vi(name_en: str) -> str:
    for key, vi in _NAMES_VI.items():
        if key in name_en:
            return vi + (" (nghỉ bù)" if "observed" in name_en else "")
    return name_en


@dataclass(frozen=True)
class CalendarDay:
    """A day off or a make-up working day, with its Vietnamese name and where it comes from."""

    date: dt.date
    name: str
    source: str  # "statutory" | "announced" | "make_up"

    def to_dict(self) -> dict[str, str]:
        return {"date": self.date.isoformat(), "name": self.name, "source": self.source,
                "weekday": WEEKDAYS_VI[self.date.weekday()]}


WEEKDAYS_VI = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")


@lru_cache(maxsize=64)
def statutory_days_off(year: int) -> tuple[CalendarDay, ...]:
    """Statutory holidays of a year (with weekend compensation), without government swaps."""
    out = []
    for d, name in sorted(_holidays.Vietnam(years=year, language="en_US").items()):
        if "substituted" in name.lower():
            continue  # an announced swap, not a statutory rule: the override file carries it
        if any(k in name for k in _NOT_YET_LAW):
            continue  # chosen by policy, not yet in the Labour Code: a year's file may list it
        for part in name.split("; "):
            out.append(CalendarDay(d, _name_vi(part), "statutory"))
            break
    return tuple(out)


def _as_date(v: Any, path: Path, field: str) -> dt.date:
    if isinstance(v, dt.date):
        return v
    try:
        return dt.date.fromisoformat(str(v))
    except ValueError as err:
        raise ConfigError(
            f"Tệp lịch {path}: '{field}' = '{v}' không phải ngày YYYY-MM-DD",
            f"Calendar file {path}: '{field}' = '{v}' is not a YYYY-MM-DD date",
            kind="bad_calendar", field=field, path=str(path),
        ) from err


@dataclass(frozen=True)
class Override:
    """One year's announcement: days off and make-up working days.

    ``confirmed``: every entry was checked against the announcement named in ``source``
    (``source_url``: where it can be read); ``uncertain``: what is still open."""

    year: int
    path: Path
    days_off: tuple[CalendarDay, ...]
    make_up: tuple[CalendarDay, ...]
    source: str
    uncertain: tuple[str, ...]
    confirmed: bool = False
    source_url: tuple[str, ...] = ()


def _parse_override(path: Path) -> Override:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, ValueError) as err:  # PyYAML raises ValueError for 2024-02-30
        raise ConfigError(f"Tệp lịch {path} không phải YAML hợp lệ: {err}",
                          f"Calendar file {path} is not valid YAML: {err}",
                          kind="bad_calendar", path=str(path)) from err
    if not isinstance(data, dict) or "year" not in data:
        raise ConfigError(f"Tệp lịch {path} thiếu trường 'year'",
                          f"Calendar file {path} lacks 'year'", kind="bad_calendar", path=str(path))
    days_off: list[CalendarDay] = []
    for i, entry in enumerate(data.get("days_off") or []):
        start = _as_date(entry.get("from", entry.get("date")), path, f"days_off[{i}].from")
        end = _as_date(entry.get("to", start), path, f"days_off[{i}].to")
        if end < start or (end - start).days > 31:
            raise ConfigError(f"Tệp lịch {path}: days_off[{i}] có khoảng ngày sai ({start}..{end})",
                              f"Calendar file {path}: days_off[{i}] has a bad range ({start}..{end})",
                              kind="bad_calendar", field=f"days_off[{i}]", path=str(path))
        d = start
        while d <= end:
            days_off.append(CalendarDay(d, str(entry.get("name", "Ngày nghỉ")), "announced"))
            d += ONE_DAY
    make_up: list[CalendarDay] = []
    for i, entry in enumerate(data.get("make_up_days") or []):
        d = _as_date(entry.get("date"), path, f"make_up_days[{i}].date")
        make_up.append(CalendarDay(d, str(entry.get("name", "Ngày làm bù")), "make_up"))
    clash = {c.date for c in make_up} & {c.date for c in days_off}
    if clash:
        raise ConfigError(f"Tệp lịch {path}: ngày vừa nghỉ vừa làm bù: {sorted(clash)}",
                          f"Calendar file {path}: dates both off and make-up: {sorted(clash)}",
                          kind="bad_calendar", path=str(path))
    confirmed = data.get("confirmed", False)
    if not isinstance(confirmed, bool):
        raise ConfigError(f"Tệp lịch {path}: 'confirmed' phải là true hoặc false",
                          f"Calendar file {path}: 'confirmed' must be true or false",
                          kind="bad_calendar", field="confirmed", path=str(path))
    source = " ".join(str(data.get("source") or "").split())
    uncertain = tuple(str(u) for u in data.get("uncertain") or [])
    if confirmed and (not source or uncertain):
        raise ConfigError(
            f"Tệp lịch {path}: 'confirmed: true' cần ghi nguồn (source: số, ngày thông báo) và không còn mục "
            "'uncertain'",
            f"Calendar file {path}: 'confirmed: true' needs a source (number and date of the announcement) "
            "and no 'uncertain' entries",
            kind="bad_calendar", field="confirmed", path=str(path))
    urls = data.get("source_url") or []
    return Override(
        year=int(data["year"]), path=path, days_off=tuple(days_off), make_up=tuple(make_up),
        source=source, uncertain=uncertain, confirmed=confirmed,
        source_url=(urls,) if isinstance(urls, str) else tuple(str(u) for u in urls),
    )


@dataclass(frozen=True)
class CalendarStatus:
    """Whether a year's days off are confirmed by a government announcement.

    ``computed``: no file for the year, the days off come from the Labour Code alone."""

    year: int
    confirmed: bool
    source: str | None
    source_url: tuple[str, ...]
    uncertain: tuple[str, ...]
    path: Path | None

    @property
    def computed(self) -> bool:
        return self.path is None

    @property
    def warning_vi(self) -> str | None:
        """A plain Vietnamese warning (an English line follows) when the year is not confirmed."""
        if self.confirmed:
            return None
        y = self.year
        if self.computed:
            return (
                f"Lịch nghỉ năm {y} CHƯA ĐƯỢC XÁC NHẬN: chưa có thông báo của Thủ tướng/Bộ Nội vụ, ngày nghỉ "
                f"đang tính theo Bộ luật Lao động (Tết theo âm lịch, nghỉ bù khi trùng ngày nghỉ hằng tuần), "
                f"chưa có ngày hoán đổi và ngày làm bù, nên hạn công khai tính ra có thể lệch. Khi có thông báo, "
                f"thêm tệp lịch _calendar/{y}.yaml (trong thư mục communes) với 'confirmed: true' và nguồn.\n"
                f"The {y} days off are NOT CONFIRMED: computed from the Labour Code, no announced swaps or "
                f"make-up days; add the year's calendar file when the announcement is out."
            )
        open_vi = "; ".join(self.uncertain) or "tệp chưa ghi 'confirmed: true'"
        return (
            f"Lịch nghỉ năm {y} CHƯA ĐƯỢC XÁC NHẬN đầy đủ (tệp {self.path}): {open_vi}. "
            f"Hãy đối chiếu thông báo của Thủ tướng/Bộ Nội vụ rồi ghi 'confirmed: true'.\n"
            f"The {y} days off are NOT fully CONFIRMED ({self.path}): check the announcement, then set "
            f"'confirmed: true'."
        )

    @property
    def notice_vi(self) -> str | None:
        """The warning in one short line (for commands that print computed dates), or None."""
        if self.confirmed:
            return None
        how = "tính theo Bộ luật Lao động" if self.computed else "còn điểm chưa rõ"
        return (f"lịch nghỉ năm {self.year} chưa được xác nhận ({how}), ngày tính ra có thể lệch "
                f"(xem: congkhai calendar --year {self.year}) / the {self.year} calendar is not confirmed")

    def to_dict(self) -> dict[str, Any]:
        return {"year": self.year, "confirmed": self.confirmed, "computed": self.computed,
                "source": self.source, "source_url": list(self.source_url),
                "uncertain": list(self.uncertain), "override_file": str(self.path) if self.path else None}


class WorkCalendar:
    """Working days in Vietnam for a commune-level People's Committee.

    ``override_dirs``: folders searched in order for ``<year>.yaml``; by default the installation's
    ``<communes_dir>/_calendar`` then the package's data. Results are cached per year.
    """

    def __init__(self, override_dirs: list[Path] | None = None, settings: Settings | None = None):
        if override_dirs is None:
            s = settings or _settings()
            override_dirs = [s.communes_dir / "_calendar", PACKAGE_CALENDAR_DIR]
        self.override_dirs = [Path(p) for p in override_dirs]
        self._years: dict[int, tuple[dict[dt.date, CalendarDay], dict[dt.date, CalendarDay]]] = {}
        self._overrides: dict[int, Override | None] = {}
        self.warnings: list[str] = []

    # --- data per year ------------------------------------------------------------------------
    def override(self, year: int) -> Override | None:
        """The announcement file of a year, or None."""
        if year not in self._overrides:
            found = None
            for d in self.override_dirs:
                p = d / f"{year}.yaml"
                if p.is_file():
                    found = _parse_override(p)
                    if found.year != year:
                        raise ConfigError(f"Tệp lịch {p} ghi năm {found.year}, không phải {year}",
                                          f"Calendar file {p} says year {found.year}, not {year}",
                                          kind="bad_calendar", path=str(p))
                    break
            self._overrides[year] = found
        return self._overrides[year]

    def has_override(self, year: int) -> bool:
        return self.override(year) is not None

    def status(self, year: int) -> CalendarStatus:
        """Whether the days off of ``year`` are confirmed, and by which announcement."""
        ov = self.override(year)
        if ov is None:
            return CalendarStatus(year, False, None, (), (), None)
        return CalendarStatus(year, ov.confirmed, ov.source or None, ov.source_url, ov.uncertain, ov.path)

    def _year(self, year: int) -> tuple[dict[dt.date, CalendarDay], dict[dt.date, CalendarDay]]:
        if year in self._years:
            return self._years[year]
        off: dict[dt.date, CalendarDay] = {c.date: c for c in statutory_days_off(year)}
        make_up: dict[dt.date, CalendarDay] = {}
        if self.override(year) is None:
            msg = (f"Chưa có tệp lịch nghỉ năm {year}: tính theo ngày lễ luật định, thiếu ngày hoán đổi/làm bù"
                   f" / No calendar override for {year}: statutory holidays only, swaps and make-up days missing")
            self.warnings.append(msg)
            log.warning(msg)
        # Entries of neighbouring files may reach into this year (e.g. an off range over 31/12).
        for y in (year - 1, year, year + 1):
            ov = self.override(y)
            if ov is None:
                continue
            for c in ov.days_off:
                if c.date.year == year:
                    # An announced range also covers statutory days: keep the statutory name there.
                    off.setdefault(c.date, c)
            for c in ov.make_up:
                if c.date.year == year:
                    make_up[c.date] = c
        for d in make_up:
            off.pop(d, None)
        self._years[year] = (off, make_up)
        return off, make_up

    # --- queries ------------------------------------------------------------------------------
    def is_working_day(self, d: dt.date) -> bool:
        off, make_up = self._year(d.year)
        if d in make_up:
            return True
        return d.weekday() < 5 and d not in off

    def is_day_off(self, d: dt.date) -> bool:
        return not self.is_working_day(d)

    def next_working_day(self, d: dt.date) -> dt.date:
        """The first working day strictly after ``d``."""
        d += ONE_DAY
        while not self.is_working_day(d):
            d += ONE_DAY
        return d

    def working_day_on_or_after(self, d: dt.date) -> dt.date:
        return d if self.is_working_day(d) else self.next_working_day(d)

    def previous_working_day(self, d: dt.date) -> dt.date:
        d -= ONE_DAY
        while not self.is_working_day(d):
            d -= ONE_DAY
        return d

    def add_working_days(self, d: dt.date, n: int) -> dt.date:
        """The n-th working day after ``d`` (``d`` itself not counted); n < 0 counts backwards; 0 → d."""
        step = 1 if n >= 0 else -1
        remaining = abs(n)
        while remaining:
            d += dt.timedelta(days=step)
            if self.is_working_day(d):
                remaining -= 1
        return d

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in (start, end]: start not counted, end counted; negative if end < start."""
        if end < start:
            return -self.working_days_between(end, start)
        count, d = 0, start
        while d < end:
            d += ONE_DAY
            if self.is_working_day(d):
                count += 1
        return count

    def days_off_entries(self, year: int) -> list[CalendarDay]:
        """Holidays and announced days off of a year (not ordinary weekends), with names."""
        off, _ = self._year(year)
        return sorted(off.values(), key=lambda c: c.date)

    def make_up_entries(self, year: int) -> list[CalendarDay]:
        _, make_up = self._year(year)
        return sorted(make_up.values(), key=lambda c: c.date)

    def days_off(self, year: int) -> list[dt.date]:
        """Dates of the holidays and announced days off of a year (weekend days inside a holiday
        period included, ordinary weekends not)."""
        return [c.date for c in self.days_off_entries(year)]

    def make_up_days(self, year: int) -> list[dt.date]:
        """Announced make-up working days (ngày làm bù) of a year."""
        return [c.date for c in self.make_up_entries(year)]


_DEFAULT: dict[tuple[str, ...], WorkCalendar] = {}


def default_calendar(settings: Settings | None = None) -> WorkCalendar:
    """A shared calendar for the current settings (override folders fixed per process)."""
    s = settings or _settings()
    dirs = [s.communes_dir / "_calendar", PACKAGE_CALENDAR_DIR]
    key = tuple(str(d) for d in dirs)
    if key not in _DEFAULT:
        _DEFAULT[key] = WorkCalendar(dirs)
    return _DEFAULT[key]


def calendar_status(year: int, settings: Settings | None = None) -> CalendarStatus:
    """Whether the days off of ``year`` are confirmed (``.confirmed``, ``.source``), for the current
    settings' calendar folders. ``.warning_vi`` is the message to show when they are not."""
    return default_calendar(settings).status(year)


def calendar_warnings(day: dt.date, settings: Settings | None = None, horizon_days: int = 45) -> list[str]:
    """The Vietnamese warnings (``CalendarStatus.warning_vi``) of every year from ``day`` to
    ``day + horizon_days`` whose days off are not confirmed: the years a deadline or a 30-day
    posting counted from ``day`` can reach. For the daily DAG to print (empty when all is confirmed)."""
    cal = default_calendar(settings)
    years = range(day.year, (day + dt.timedelta(days=horizon_days)).year + 1)
    return [w for y in years if (w := cal.status(y).warning_vi)]
