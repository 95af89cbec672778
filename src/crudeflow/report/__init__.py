"""Reports as one self-contained HTML page plus PNG charts.

A `Report` is a list of `Section`s of paragraphs, bullet lists, tables and `Figure`s (a PNG and/or an
interactive Plotly chart); `write_report` writes it. The report layer builds every report from the engines'
results: `build_simulation_report` for the daily disruption simulation (`crudeflow report SCENARIO`),
`report.risk` for a risk study (`crudeflow risk --report`), `report.fleet` and `report.fleet_charts` for
the tanker fleet (`crudeflow fleet --report`).
"""

from importlib import import_module

from crudeflow.report.document import Bullets, Figure, Paragraph, Report, Section, Table

# matplotlib and plotly take about half a second to import: loaded when a report is built, not whenever a
# command (or a test's child process) imports something from report/
_LAZY = {"render_html": "html", "write_report": "html", "build_simulation_report": "simulation"}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        return getattr(import_module(f"crudeflow.report.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'crudeflow.report' has no attribute {name!r}")


__all__ = ["Bullets", "Figure", "Paragraph", "Report", "Section", "Table", "build_simulation_report",
           "render_html", "write_report"]
