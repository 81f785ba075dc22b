"""Chart specs for ``static/app.js`` (ECharts): data and the link behind each bar, point or slice."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def series(name: str, data: Sequence[float | int | None], links: Sequence[str | None] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"name": name, "data": list(data)}
    if links is not None:
        out["links"] = list(links)
    return out


def chart(kind: str, title: str, categories: Sequence[str], data: Sequence[dict[str, Any]], *,
          links: Sequence[str | None] | None = None, unit: str = "", top: float | None = None,
          hint: str = "") -> dict[str, Any]:
    """``kind``: bar | hbar | line | pie | stack | hstack; ``links[i]`` opens the rows behind category ``i``."""
    spec: dict[str, Any] = {"type": kind, "title": title, "categories": list(categories), "series": list(data),
                            "unit": unit, "hint": hint}
    if links is not None:
        spec["links"] = list(links)
    if top is not None:
        spec["max"] = top
    return spec
