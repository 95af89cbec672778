"""Reports as one self-contained HTML page plus PNG charts.

A `Report` is a list of `Section`s of paragraphs, bullet lists, tables and `Figure`s (a PNG and/or an
interactive Plotly chart); `write_report` writes it. The report layer builds every report from the engines'
results: `build_simulation_report` for the daily disruption simulation (`crudeflow report SCENARIO`),
`report.risk` for a risk study (`crudeflow risk --report`), `report.fleet` and `report.fleet_charts` for
the tanker fleet (`crudeflow fleet --report`).
"""

from crudeflow.report.document import Bullets, Figure, Paragraph, Report, Section, Table
from crudeflow.report.html import render_html, write_report
from crudeflow.report.simulation import build_simulation_report

__all__ = ["Bullets", "Figure", "Paragraph", "Report", "Section", "Table", "build_simulation_report",
           "render_html", "write_report"]
