"""A report as one self-contained HTML page (works offline) plus its PNG charts.

plotly.js is embedded once in the page's head; each interactive figure adds only its data. A figure without
a Plotly version is shown as its PNG inlined as a data URI, so the HTML alone holds everything and the page
never asks the network for a script, style, font or image.
"""

from __future__ import annotations

import base64
import html
import json
from pathlib import Path

import pandas as pd
from plotly.offline import get_plotlyjs

from crudeflow.output import short_header, to_jsonable, unsigned_zero
from crudeflow.report.document import Bullets, Figure, Paragraph, Report, Section, Table
from crudeflow.writer import write_folder

# Plotly's modebar logo links to the web; the HTML should not invite a click that cannot work offline.
PLOTLY_CONFIG = {"displaylogo": False, "responsive": True}

STYLE = """
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; margin: 0 auto; max-width: 1180px;
       padding: 1.5em 2em 4em; color: #1d2733; line-height: 1.45; }
h1 { font-size: 1.7em; margin-bottom: 0.1em; }
h2 { font-size: 1.3em; border-bottom: 2px solid #1f4e79; padding-bottom: 0.2em; margin-top: 2em; }
h3 { font-size: 1.05em; margin-bottom: 0.2em; }
.subtitle { color: #56606b; margin-top: 0; }
ul.findings li { margin-bottom: 0.35em; }
div.table { overflow-x: auto; max-width: 100%; margin: 0.6em 0 1.2em; }
table { border-collapse: collapse; font-size: 0.9em; }
th, td { border: 1px solid #ccd3da; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
th { background: #eef2f6; }
caption { caption-side: top; text-align: left; color: #56606b; padding-bottom: 0.3em; }
figure { margin: 1.2em 0 2em; }
figcaption { color: #56606b; font-size: 0.9em; }
figure img { max-width: 100%; height: auto; border: 1px solid #e3e7eb; }
.file { font-family: monospace; }
"""


def render_html(report: Report) -> str:
    report.check()
    data_json = json.dumps(to_jsonable(report.data), indent=1, default=str).replace("</", "<\\/")
    body = "\n".join(_section(s) for s in report.sections)
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(report.title)}</title>",
        f"<style>{STYLE}</style>",
        f'<script type="text/javascript">{get_plotlyjs()}</script>',
        "</head><body>",
        f"<h1>{html.escape(report.title)}</h1>",
        f'<p class="subtitle">{html.escape(report.subtitle)}</p>' if report.subtitle else "",
        body,
        f'<script type="application/json" id="crudeflow-data">{data_json}</script>',
        "</body></html>",
    ]) + "\n"


def write_report(report: Report, folder: Path | str) -> list[Path]:
    """Write the folder `<folder>/` with report.html and `<figure>.png` for every figure with a PNG, as a whole
    (see `crudeflow.writer.write_folder`): a failure leaves the previous report or none, never a mix.
    Returns the paths written, report.html first."""
    page = render_html(report)
    files: dict[str, bytes | str] = {f"{f.name}.png": f.png for f in report.figures() if f.png is not None}
    files["report.html"] = page
    written = write_folder(folder, files)
    return [written[-1], *written[:-1]]


def _section(section: Section) -> str:
    parts = [f"<section><h2>{html.escape(section.title)}</h2>"]
    for block in section.blocks:
        if isinstance(block, Paragraph):
            parts.append(f"<p>{html.escape(block.text)}</p>")
        elif isinstance(block, Bullets):
            items = "".join(f"<li>{html.escape(item)}</li>" for item in block.items)
            parts.append(f'<ul class="findings">{items}</ul>')
        elif isinstance(block, Table):
            parts.append(_table(block))
        elif isinstance(block, Figure):
            parts.append(_figure(block))
    parts.append("</section>")
    return "\n".join(parts)


def _table(table: Table) -> str:
    """Headers as users read them (`baseline_mt` → `baseline Mt`), no pandas row numbers: a named index
    becomes the first column, whose cells head their rows."""
    frame = table.frame
    unnamed = all(name is None for name in frame.index.names)
    frame = frame.reset_index(drop=unnamed and isinstance(frame.index, pd.RangeIndex))
    header = "".join(f'<th scope="col">{html.escape(short_header(c))}</th>' for c in frame.columns)
    rows = []
    for _, row in frame.iterrows():
        cells = []
        for i, value in enumerate(row):
            if isinstance(value, float):
                text = "" if pd.isna(value) else unsigned_zero(table.float_format.format(value))
                cells.append(f'<td class="num">{html.escape(text)}</td>')
            else:
                text = html.escape("" if value is None else str(value))
                cells.append(f'<th scope="row">{text}</th>' if i == 0 else f"<td>{text}</td>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    caption = f"<caption>{html.escape(table.caption)}</caption>" if table.caption else ""
    return (f'<div class="table"><table>{caption}<thead><tr>{header}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table></div>")


def _figure(figure: Figure) -> str:
    if figure.plotly is not None:
        shown = figure.plotly.to_html(full_html=False, include_plotlyjs=False, config=PLOTLY_CONFIG,
                                      div_id=f"plot-{figure.name}")
    else:
        assert figure.png is not None  # Figure guarantees one of the two
        encoded = base64.b64encode(figure.png).decode("ascii")
        shown = f'<img alt="{html.escape(figure.title)}" src="data:image/png;base64,{encoded}">'
    png_note = (f' PNG: <span class="file">{html.escape(figure.name)}.png</span>.'
                if figure.png is not None and figure.plotly is not None else "")
    return (f'<figure id="fig-{html.escape(figure.name)}"><h3>{html.escape(figure.title)}</h3>{shown}'
            f"<figcaption>{html.escape(figure.caption)}{png_note}</figcaption></figure>")
