"""What a report is made of: sections of plain-text paragraphs, bullet lists, tables and figures.

Engines add their own sections (a fleet sweep, a risk histogram) without touching the HTML: a section is
data, and `crudeflow.report.html` renders any of them. Text is plain (escaped when rendered), so a scenario
description can never inject markup.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    import plotly.graph_objects as go

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """A small table; column names should carry their units (`baseline_mt`, `change_kt_per_day`)."""

    frame: pd.DataFrame
    caption: str = ""
    float_format: str = "{:,.2f}"


@dataclass(frozen=True)
class Figure:
    """One chart: a PNG (written beside the HTML as `<name>.png`) and, if given, an interactive Plotly
    version shown in the HTML instead of the PNG. The caption says what is drawn and in which units."""

    name: str
    title: str
    caption: str
    png: bytes | None = None
    plotly: go.Figure | None = None

    def __post_init__(self) -> None:
        if not self.name or any(c in self.name for c in "/\\. "):
            raise ValueError(f"figure name {self.name!r} must be a plain file stem (no '/', '.', spaces)")
        if self.png is None and self.plotly is None:
            raise ValueError(f"figure {self.name!r} needs a PNG, a Plotly figure, or both")
        if self.png is not None and not self.png.startswith(PNG_SIGNATURE):
            raise ValueError(f"figure {self.name!r}: the bytes given as png are not a PNG image")

    @classmethod
    def from_png_file(cls, path: Path | str, title: str, caption: str, name: str | None = None) -> Figure:
        """A figure from a PNG another engine wrote (e.g. `crudeflow fleet --charts`)."""
        path = Path(path)
        return cls(name=name or path.stem.replace(".", "_").replace(" ", "_"), title=title, caption=caption,
                   png=path.read_bytes())


Block = Paragraph | Bullets | Table | Figure


@dataclass
class Section:
    title: str
    blocks: list[Block] = field(default_factory=list)

    def figures(self) -> list[Figure]:
        return [b for b in self.blocks if isinstance(b, Figure)]


@dataclass
class Report:
    """A titled list of sections; `data` is embedded in the HTML as JSON for programs that read the report."""

    title: str
    subtitle: str = ""
    sections: list[Section] = field(default_factory=list)
    data: dict[str, object] = field(default_factory=dict)

    def figures(self) -> list[Figure]:
        return [f for s in self.sections for f in s.figures()]

    def check(self) -> None:
        """Figure names become file names: they must be unique."""
        names = [f.name for f in self.figures()]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"figure names used twice in the report: {', '.join(duplicates)}")
