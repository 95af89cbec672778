"""The risk study as a report: findings in words, the histogram of annual lost exports, the exceedance curve
(how often a year loses more than x), and the tables of metrics, options and contributions, each figure with
its standard error and unit.

The charts come from the per-sample annual figures, so they show exactly the samples the metrics were
computed on.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from crudeflow.output import number
from crudeflow.report.document import Bullets, Figure, Paragraph, Report, Section, Table
from crudeflow.report.mpl import new_figure, png_bytes
from crudeflow.risk.result import RiskResult, compare_by_figure

LOSS = "lost_export_mt"
COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b")


def build_risk_report(result: RiskResult) -> Report:
    s = result.study
    subtitle = (f"{s.dataset}, {s.year} network: {result.samples} sample-years of {s.days} days, seed {s.seed}"
                + (" — PARTIAL: stopped before every sample was played" if result.partial else ""))
    sections = [
        Section("What a year of random disruptions costs", [Bullets(tuple(findings(result)))]),
        Section("Annual lost exports", [histogram_figure(result), exceedance_figure(result)]),
        Section("Metrics (value and standard error)", [Table(result.metrics, float_format="{:,.3f}")]),
    ]
    if not result.compare.empty:
        sections.append(Section(f"Options against {s.options[0]}, on the same events", [
            Table(compare_by_figure(result.compare), "Expected annual loss removed, with its standard error",
                  "{:,.3f}"),
            *(Paragraph(note) for note in result.notes)]))
    if not result.contributions.empty:
        sections.append(Section(f"Which assets carry the risk ({s.options[0]})", [
            Paragraph("Expected loss that disappears if the asset never failed: each sample re-played without "
                      "that asset's outages, everything else the same."),
            Table(result.contributions, float_format="{:,.3f}"),
            *(Paragraph(note) for note in result.contribution_notes())]))
    sections.append(Section("How these figures were made", [Bullets((
        "Outage models calibrated on the 2022–2026 events of the facts file: `crudeflow risk params` lists "
        "each model, its source or assumption and its derivation.",
        "Each sample-year is played through the daily simulation's operator (same storage and restart rules); "
        "losses are against the same option's undisturbed year.",
        "Standard errors: s/√n for means; batch means (20 batches) for percentiles and CVaR.",
        *(f"Convergence: {line}" for line in result.convergence),
    ))]))
    return Report("crudeflow: export risk over random sample-years", subtitle, sections,
                  data={"metrics": result.metrics.reset_index(), "compare": result.compare.reset_index(),
                        "samples": result.samples, "partial": result.partial})


def findings(result: RiskResult) -> list[str]:
    lines = []
    for option in result.study.options:
        m = result.metrics.loc[option]

        def value(metric: str, m: pd.DataFrame = m) -> str:
            row = m.loc[metric]
            se = "" if pd.isna(row["se"]) else f" ± {number(row['se'], ',.2f')}"
            return f"{number(row['value'], ',.2f')}{se} {row['unit']}"

        lines.append(f"{option}: expected annual lost exports {value('expected annual lost exports')} "
                     f"(shut-in {value('expected annual shut-in')}), a 1-in-20 year loses "
                     f"{value('P95 of annual lost exports')}; revenue lost in the worst 5% of years averages "
                     f"{value('CVaR95 of annual lost export revenue')}.")
    return lines


def histogram_figure(result: RiskResult, png: bool = True) -> Figure:
    losses = {o: result.per_sample[(o, LOSS)].to_numpy() for o in result.study.options}
    top = max((float(v.max()) for v in losses.values() if v.size), default=1.0) or 1.0
    edges = np.linspace(0.0, top * 1.0001, 31)
    fig, ax = new_figure(10.0, 4.5)
    plot = go.Figure()
    for (option, values), colour in zip(losses.items(), COLOURS, strict=False):
        ax.hist(values, bins=edges.tolist(), alpha=0.55, color=colour, label=option)
        plot.add_trace(go.Histogram(x=values, xbins={"start": 0.0, "end": float(edges[-1]),
                                                     "size": float(edges[1] - edges[0])},
                                    name=option, opacity=0.6, marker_color=colour))
    ax.set(xlabel="annual lost exports, Mt", ylabel="sample-years")
    ax.legend()
    ax.grid(alpha=0.3)
    plot.update_layout(barmode="overlay", height=420, template="plotly_white",
                       xaxis_title="annual lost exports, Mt", yaxis_title="sample-years")
    return Figure("risk_histogram", "How much a year loses",
                  f"Annual lost exports (Mt) over {result.samples} sample-years, per option.",
                  png=png_bytes(fig) if png else None, plotly=plot)


def exceedance(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Loss x (sorted, Mt) and the share of years that lose at least x.

    >>> exceedance(np.array([0.0, 2.0, 1.0, 1.0]))
    (array([0., 1., 1., 2.]), array([1.  , 0.75, 0.5 , 0.25]))
    """
    x = np.sort(values)
    return x, 1.0 - np.arange(x.size) / x.size


def exceedance_figure(result: RiskResult, png: bool = True) -> Figure:
    fig, ax = new_figure(10.0, 4.5)
    plot = go.Figure()
    for option, colour in zip(result.study.options, COLOURS, strict=False):
        x, share = exceedance(result.per_sample[(option, LOSS)].to_numpy())
        ax.step(x, share, where="post", color=colour, label=option)
        plot.add_trace(go.Scatter(x=x, y=share, mode="lines", line={"shape": "hv", "color": colour}, name=option))
    for p, label in ((0.1, "1 in 10"), (0.05, "1 in 20")):
        ax.axhline(p, color="grey", lw=0.8, ls=":")
        ax.annotate(label, (0, p), xytext=(4, 2), textcoords="offset points", fontsize=8, color="grey")
        plot.add_hline(y=p, line={"color": "grey", "width": 1, "dash": "dot"})
        # on a log axis an annotation's y is the exponent (Plotly places add_hline's own label at the raw value)
        plot.add_annotation(x=0.0, xref="paper", y=math.log10(p), yref="y", text=label, showarrow=False,
                            xanchor="left", yanchor="bottom", font={"color": "grey", "size": 11})
    ax.set(xlabel="annual lost exports, Mt", ylabel="share of years losing at least this", yscale="log")
    ax.legend()
    ax.grid(alpha=0.3, which="both")
    plot.update_layout(height=420, template="plotly_white", xaxis_title="annual lost exports, Mt",
                       yaxis={"title": {"text": "share of years losing at least this"}, "type": "log"})
    return Figure("risk_exceedance", "How often a year loses more than x",
                  "Exceedance curve: the share of sample-years whose lost exports reach each volume (Mt); "
                  "dotted lines mark 1-in-10 and 1-in-20 years.", png=png_bytes(fig) if png else None, plotly=plot)
