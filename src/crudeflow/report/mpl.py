"""Shared matplotlib plumbing for the report's PNGs: the Agg canvas without pyplot (no global backend
switch, safe in threads and tests), date axes, shaded windows and the empty-chart message."""

from __future__ import annotations

import io

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure as MplFigure

from crudeflow.report.series import Window

DPI = 110
WINDOW_COLOUR = "#d62728"


def new_figure(width_in: float = 10.0, height_in: float = 5.0) -> tuple[MplFigure, Axes]:
    figure = MplFigure(figsize=(width_in, height_in), dpi=DPI, layout="constrained")
    return figure, figure.add_subplot()


def png_bytes(figure: MplFigure) -> bytes:
    buffer = io.BytesIO()
    FigureCanvasAgg(figure).print_png(buffer)
    return buffer.getvalue()


def dates(index: pd.Index) -> np.ndarray:
    return pd.DatetimeIndex(pd.to_datetime(index)).to_numpy()


def date_axis(ax: Axes) -> None:
    locator = mdates.AutoDateLocator(minticks=4, maxticks=10)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.grid(alpha=0.3)


def shade_windows(ax: Axes, windows: list[Window]) -> None:
    """Light red bands where the scenario's changes apply, labelled once in the legend."""
    for i, w in enumerate(windows):
        start = mdates.date2num(np.datetime64(w.start) - np.timedelta64(12, "h"))
        end = mdates.date2num(np.datetime64(w.end) + np.timedelta64(12, "h"))
        ax.axvspan(start, end, color=WINDOW_COLOUR, alpha=0.08, lw=0,
                   label="scenario change in force" if i == 0 else None)


def say_empty(ax: Axes, message: str) -> None:
    ax.text(0.5, 0.5, message, transform=ax.transAxes, ha="center", va="center", fontsize=12, color="#444444")
