"""Vietnamese text helpers: NFC, diacritic folding, slugs, dates in the Nghị định 30 style."""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from typing import Any


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Lower-case, strip Vietnamese diacritics, đ -> d: what people type in a search box."""
    text = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return unicodedata.normalize("NFC", text).lower()


def slug(text: str, max_len: int = 60) -> str:
    """ASCII, no spaces: ``15/QĐ-UBND Dự toán`` -> ``15-QD-UBND-du-toan``."""
    folded = fold(text)
    out = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")
    if len(out) > max_len:
        out = out[:max_len].rstrip("-")
    return out or "x"


def day_month(d: dt.date) -> tuple[str, str]:
    """Day and month as Nghị định 30 writes them: leading zero for days < 10 and months 1-2 only."""
    day = f"{d.day:02d}"
    month = f"{d.month:02d}" if d.month <= 2 else str(d.month)
    return day, month


def date_words(d: dt.date) -> str:
    """``ngày 05 tháng 01 năm 2024``."""
    day, month = day_month(d)
    return f"ngày {day} tháng {month} năm {d.year}"


def place_date_line(place: str, d: dt.date) -> str:
    """``Kép, ngày 05 tháng 01 năm 2024``."""
    return f"{place}, {date_words(d)}"


def number_text(n: int | None) -> str:
    """Official number with a leading zero under 10; ``…`` when the clerk fills it in by hand."""
    if n is None:
        return "…"
    return f"{n:02d}"


class AliasRefused(ValueError):
    """A YAML anchor or alias in a file staff or operators wrote (refused before anything expands)."""


@functools.cache
def _strict_loader() -> Any:
    import yaml

    class StrictLoader(yaml.SafeLoader):
        """SafeLoader that refuses anchors and aliases (and so merge keys): nothing expands. Dates
        stay text, so a wrong one is reported by the model that reads it, naming its field."""

        def compose_node(self, parent: Any, index: Any) -> Any:
            event = self.peek_event()
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
                raise AliasRefused(f"line {event.start_mark.line + 1}")
            return super().compose_node(parent, index)

    StrictLoader.yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    return StrictLoader


def strict_yaml_load(text: str) -> Any:
    """YAML with the safe loader, no anchors or aliases (``AliasRefused``), no implicit dates: for every
    small file a person writes (sidecars, answers). Raises ``yaml.YAMLError`` on bad syntax."""
    import yaml

    return yaml.load(text, Loader=_strict_loader())  # noqa: S506 - a SafeLoader subclass
